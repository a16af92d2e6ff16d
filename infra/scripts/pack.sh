#!/usr/bin/env bash
# npm run pack: builds and packs every public package (@floodgate/core, api, worker,
# dashboard, client, and shared, which they depend on) into .data/packs/, for an app
# of its own to install (see examples/my-app) until they are on a registry.
set -euo pipefail
source "$(dirname "$0")/bootstrap.sh"
pnpm run --silent build
rm -rf .data/packs
exec node infra/scripts/pack-packages.js .data/packs
