#!/usr/bin/env bash
# npm start: bootstrap, build, then the whole stack under pm2 in the foreground.
set -euo pipefail
source "$(dirname "$0")/bootstrap.sh"
ensure_redis_server optional
if [ "${REDIS_TOPOLOGY:-}" = sentinel ] && [ -z "${REDIS_SENTINELS:-}" ]; then ensure_redis_sentinel; fi
say "building"
pnpm run --silent build >&2
exec node infra/scripts/launch-stack.js "$@"
