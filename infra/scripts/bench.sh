#!/usr/bin/env bash
# npm run bench: bootstrap, build, then every benchmark scenario (pass --quick for the smoke run).
set -euo pipefail
source "$(dirname "$0")/bootstrap.sh"
ensure_redis_server
say "building"
pnpm run --silent build >&2
exec node packages/bench/dist/cli.js "$@"
