#!/usr/bin/env bash
# Build the browser playground and test it in headless Chromium (Debian's chromium, driven by
# playwright-core). Needs node >= 20, python3 with pip, and the npm, PyPI and Debian registries.
# Called by .ci/run.
set -euo pipefail
cd "$(dirname "$0")"

started=$SECONDS
if [[ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
# --ignore-scripts: no dependency needs an install script (esbuild's binary is an optional dependency).
npm ci --no-audit --no-fund --ignore-scripts
npm run build
npm test
echo "ci.sh: playground built and tested in $((SECONDS - started)) s"
