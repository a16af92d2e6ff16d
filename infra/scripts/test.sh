#!/usr/bin/env bash
# npm test: bootstrap, build, type-check, then every test in one vitest run
# (each package's tests, then the end-to-end tests of the stack under pm2).
set -euo pipefail
source "$(dirname "$0")/bootstrap.sh"
ensure_redis_server
say "building and type-checking"
pnpm run --silent build
pnpm run --silent typecheck
say "running every test"
mkdir -p test-output
status=0
pnpm exec vitest run --config vitest.all.config.ts --reporter=default --reporter=json --outputFile.json=test-output/vitest.json "$@" || status=$?
node infra/scripts/summarize-tests.js test-output/vitest.json || true
exit "$status"
