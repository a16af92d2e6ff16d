#!/usr/bin/env bash
# npm test: bootstrap, build, type-check, lint, then every test in one vitest run
# (each package's tests and the end-to-end tests of the stack under pm2, two files at a time).
set -euo pipefail
source "$(dirname "$0")/bootstrap.sh"
ensure_redis_server
ensure_redis_sentinel
ensure_chromium
# Each stage says how long the run has taken so far: CI keeps the whole under 10 minutes.
stage() { say "$* (${SECONDS} s in)"; }
stage "building and type-checking"
pnpm run --silent build
pnpm run --silent typecheck
stage "linting (import boundaries, no cycles)"
pnpm run --silent lint
stage "running every test"
mkdir -p test-output
status=0
pnpm exec vitest run --config vitest.all.config.ts --reporter=default --reporter=json --outputFile.json=test-output/vitest.json "$@" || status=$?
if [ "$status" = 0 ]; then
  # The benchmark as a smoke test: every scenario runs end to end and prints its
  # table. Ratios are reported, never asserted: timing belongs to `npm run bench`.
  stage "benchmark smoke run (npm run bench -- --quick)"
  node packages/bench/dist/cli.js --quick || status=$?
fi
say "npm test took ${SECONDS} s"
# The closing line CI reads: "tests: N passed, N failed".
node infra/scripts/summarize-tests.js test-output/vitest.json || true
exit "$status"
