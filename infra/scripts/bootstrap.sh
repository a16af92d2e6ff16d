# Sourced by start.sh, test.sh and bench.sh: makes a fresh machine ready.
#   - Node.js >= 20.19 (checked, not installed);
#   - pnpm at the version pinned in package.json, installed under .data/tooling
#     when the machine has no pnpm of that version (no global install needed);
#   - dependencies from the frozen lockfile, unless node_modules already holds them;
#   - redis-server: Debian's package when missing and we are root; otherwise a
#     message naming what to install (or, for npm start, to set REDIS_URL);
#   - redis-sentinel, for the Sentinel topology and its tests (ensure_redis_sentinel);
#   - chromium, for the dashboard's browser test (ensure_chromium, npm test only):
#     Debian's package when missing and we are root; otherwise a message.
# After sourcing, `pnpm` on PATH is the pinned one.

bootstrap_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$bootstrap_root"

say() { printf '\033[1m[floodgate]\033[0m %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

node_version="$(node -p 'process.versions.node' 2>/dev/null)" || die "Node.js is not installed; floodgate needs Node.js 20.19 or newer."
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
  || die "Node.js $node_version is too old; floodgate needs 20.19 or newer."

pnpm_version="$(node -p 'require("./package.json").packageManager.split("@")[1]')"
if [ "$(pnpm --version 2>/dev/null)" != "$pnpm_version" ]; then
  tooling="$bootstrap_root/.data/tooling"
  if [ "$("$tooling/node_modules/.bin/pnpm" --version 2>/dev/null)" != "$pnpm_version" ]; then
    say "installing pnpm $pnpm_version into .data/tooling"
    mkdir -p "$tooling"
    npm install --silent --no-save --no-package-lock --no-audit --no-fund --prefix "$tooling" "pnpm@$pnpm_version" >&2 \
      || die "could not install pnpm $pnpm_version from the npm registry"
  fi
  export PATH="$tooling/node_modules/.bin:$PATH"
fi

# Dependencies, unless node_modules was installed from exactly these manifests by
# this pnpm and Node.js: an install with nothing to do still took about 2 s of
# every npm start. The stamp lives in node_modules, so a fresh clone (or a
# deleted node_modules) installs; a changed lockfile or package.json reinstalls.
install_stamp="node_modules/.floodgate-installed"
install_inputs="$(node -e '
  const { createHash } = require("node:crypto");
  const { existsSync, readdirSync, readFileSync } = require("node:fs");
  const manifests = ["pnpm-lock.yaml", "pnpm-workspace.yaml", "package.json", ".npmrc"];
  for (const dir of ["apps", "packages"]) {
    for (const name of existsSync(dir) ? readdirSync(dir).sort() : []) manifests.push(`${dir}/${name}/package.json`);
  }
  const hash = createHash("sha256").update(`pnpm ${process.argv[1]} node ${process.version}\n`);
  for (const file of manifests) hash.update(`${file}\n`).update(existsSync(file) ? readFileSync(file) : "(none)");
  process.stdout.write(hash.digest("hex"));
' "$pnpm_version")"
if [ -f "$install_stamp" ] && [ "$(cat "$install_stamp")" = "$install_inputs" ]; then
  say "dependencies up to date (lockfile and package.json files unchanged since the last install)"
else
  say "installing dependencies (pnpm $pnpm_version, frozen lockfile)"
  pnpm install --frozen-lockfile --reporter=silent >&2 || die "pnpm install failed"
  printf '%s\n' "$install_inputs" > "$install_stamp"
fi

# setting NAME: NAME as floodgate's processes will see it: the environment's
# value, else the one in .env (the file and precedence of loadDotEnvFile in
# packages/shared/src/env/dotenv-file.ts, through the same Node.js parser).
setting() {
  if [ -n "${!1+set}" ]; then printf '%s' "${!1}"; return 0; fi
  [ -f .env ] || return 0
  node -e 'const v = require("node:util").parseEnv(require("node:fs").readFileSync(".env", "utf8"))[process.argv[1]]; if (v !== undefined) process.stdout.write(v);' "$1"
}

# apt_install PACKAGE WHY: installs Debian's PACKAGE when we are root on a
# machine with apt-get; returns 1 (installing nothing) otherwise.
apt_updated=""
apt_install() {
  [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 || return 1
  say "$1 is missing; installing Debian's $1 package ($2)"
  if [ -z "$apt_updated" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 || die "apt-get update failed"
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$1" >&2 || die "apt-get install $1 failed"
}

# ensure_redis_server [optional]: with "optional", a missing redis-server is fine
# as long as REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS points at a Redis elsewhere.
ensure_redis_server() {
  command -v redis-server >/dev/null 2>&1 && return 0
  if [ "${1:-}" = optional ] && [ -n "$(setting REDIS_URL)$(setting REDIS_CLUSTER_NODES)$(setting REDIS_SENTINELS)" ]; then return 0; fi
  apt_install redis-server "the embedded Redis" && return 0
  die "redis-server is not installed. Install it (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis)${1:+, or set REDIS_URL to a Redis you already run}."
}

# ensure_redis_sentinel: the sentinel topology (npm run start:sentinel) and its
# failover tests run Debian's redis-sentinel, a package of its own.
ensure_redis_sentinel() {
  command -v redis-sentinel >/dev/null 2>&1 && return 0
  apt_install redis-sentinel "the Sentinel topology and its tests" && return 0
  die "redis-sentinel is not installed; the Sentinel topology needs it. Install it (Debian/Ubuntu: sudo apt-get install redis-sentinel) and run again."
}

# ensure_chromium: the dashboard's browser test drives /usr/bin/chromium through
# playwright-core (which downloads no browser of its own). Only npm test needs it.
ensure_chromium() {
  [ -x /usr/bin/chromium ] && return 0
  if apt_install chromium "for the dashboard's browser test"; then
    [ -x /usr/bin/chromium ] || die "the chromium package did not provide /usr/bin/chromium"
    return 0
  fi
  die "chromium is not installed at /usr/bin/chromium; the dashboard's browser test needs it. Install it (Debian/Ubuntu: sudo apt-get install chromium) and run npm test again."
}
