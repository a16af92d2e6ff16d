#!/usr/bin/env bash
# npm run keys:create / npm run keys: API keys (see apps/api/src/keys-cli.ts).
set -euo pipefail
source "$(dirname "$0")/bootstrap.sh"
[ -f apps/api/dist/keys-cli.js ] || pnpm exec turbo run build --filter @floodgate/api --output-logs=errors-only >&2
exec node apps/api/dist/keys-cli.js "$@"
