#!/usr/bin/env bash
# The whole test suite on a fresh clone: installs the dependencies and test tools, then
# builds the library and runs every test (unit, snapshot, static gates, end to end) via
# `projen build`. End-to-end tests need a Docker engine with compose v2 and Chromium: outside
# CI they are skipped with a message when missing; with CI=true a missing tool fails them.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "==> npm ci"
npm ci --no-audit --no-fund --loglevel=error
if ! cmp -s requirements-dev.txt .tools/venv/.requirements-stamp; then
  echo "==> installing test tools from requirements-dev.txt into .tools/venv"
  python3 -m venv .tools/venv
  .tools/venv/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
  cp requirements-dev.txt .tools/venv/.requirements-stamp
fi
echo "==> projen build (compile, docs, tests, package)"
npx projen build
