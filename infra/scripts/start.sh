#!/usr/bin/env bash
# npm start: bootstrap, build, then the whole stack under pm2 in the foreground.
# `--only api,worker` (npm run start:api, start:worker) runs part of it.
set -euo pipefail
source "$(dirname "$0")/bootstrap.sh"
ensure_redis_server optional
if [ "$(setting REDIS_TOPOLOGY)" = sentinel ] && [ -z "$(setting REDIS_SENTINELS)" ]; then ensure_redis_sentinel; fi

# Build only the apps this host runs, and what they import (the client and the
# bench are not part of the stack). turbo rebuilds a package only when its
# sources changed: with nothing changed this restores from its cache in about a
# second, so the build is left to it rather than guessed from file times.
only="api,worker,dashboard"
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[i]}" in
    --only) only="${args[i + 1]:-}" ;;
    --only=*) only="${args[i]#--only=}" ;;
  esac
done
filters=()
for app in ${only//,/ }; do filters+=("--filter=@floodgate/$app..."); done
say "building ($only)"
node_modules/.bin/turbo run build --output-logs=errors-only "${filters[@]}" >&2
exec node infra/scripts/launch-stack.js "$@"
