#!/usr/bin/env bash
# Quick start: installs, builds the library and synthesizes the bundled example stack
# (examples/fullstack), then lists what it wrote. With --up, also builds and starts the
# stack on the local Docker engine and prints its URL.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "==> npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
echo "==> building the library"
npx projen compile
exec bash scripts/synth-example.sh "$@"
