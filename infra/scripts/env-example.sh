#!/usr/bin/env bash
# npm run env:example: .env.example, the variable table of docs/configuration.md
# and the names the unknown-variable warning knows, from the env schemas
# (infra/scripts/env-reference.js). `-- --check` writes nothing and fails when a
# file is out of date.
set -euo pipefail
source "$(dirname "$0")/bootstrap.sh"
pnpm exec turbo run build --output-logs=errors-only >&2
node infra/scripts/env-reference.js "$@"
# known-variables.ts may have changed: the processes warn from the built copy.
[[ " $* " == *" --check "* ]] || pnpm exec turbo run build --filter @floodgate/shared... --output-logs=errors-only >&2
