#!/usr/bin/env bash
# npm test: bootstrap, build, typecheck, then every test (package tests, then end-to-end).
set -euo pipefail
source "$(dirname "$0")/bootstrap.sh"
ensure_redis_server
say "building and type-checking"
pnpm run --silent build
pnpm run --silent typecheck
say "running package tests"
pnpm exec turbo run test --concurrency=1 --output-logs=new-only
say "running end-to-end tests"
pnpm exec vitest run --config test/e2e/vitest.config.ts
