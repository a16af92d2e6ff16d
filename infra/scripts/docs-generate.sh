#!/usr/bin/env bash
# npm run docs:generate: openapi.json and the generated tables in docs/ (routes,
# errors), from the code (apps/api/src/openapi/generate-docs.ts). `-- --check`
# writes nothing and fails when a file is out of date.
set -euo pipefail
source "$(dirname "$0")/bootstrap.sh"
pnpm exec turbo run build --filter @floodgate/api --output-logs=errors-only >&2
exec node apps/api/dist/openapi/generate-docs.js "$@"
