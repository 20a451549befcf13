#!/usr/bin/env bash
# Lists the base images that the examples' generated files and the end-to-end tests name
# (FROM lines and compose image: keys), one per line, for pre-pulling or for stand-ins.
set -euo pipefail
cd "$(dirname "$0")/.."
{
  grep -h '^FROM ' examples/*/*/Dockerfile | awk '{print $2}'
  grep -h '^ *image: ' examples/*/compose.yaml | awk '{print $2}'
  # images the tests use beyond the examples' defaults
  cat test/e2e/extra-images.txt 2>/dev/null | grep -v '^#' || true
} | grep -v '^$' | sort -u
