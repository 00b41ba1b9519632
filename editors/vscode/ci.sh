#!/usr/bin/env bash
# Build, unit-test and package the VS Code extension, then check the .vsix holds the bundle.
# Needs node >= 20, the npm registry, and python3 with pip and PyPI (the bundled server:
# scripts/bundle_server.py); needs no VS Code. Called by .ci/run.
set -euo pipefail
cd "$(dirname "$0")"

started=$SECONDS
# --ignore-scripts: nothing here needs an install script (esbuild ships its binary as an
# optional dependency), and it keeps keytar (optional, for vsce publish) from trying to download.
npm ci --no-audit --no-fund --ignore-scripts
npm run compile
npm test
npm run package

version=$(node -p "require('./package.json').version")
vsix="bklint-${version}.vsix"
if [[ ! -f "$vsix" ]]; then
  echo "ci.sh: $vsix was not produced" >&2
  exit 1
fi
listing=$(unzip -l "$vsix")
for entry in extension/dist/extension.js extension/package.json extension/schemas/buildkitd.schema.json \
  extension/bundled/tool/lsp_server.py extension/bundled/libs/bklint/linter/cli.py extension/bundled/libs/pygls/server.py; do
  if ! grep -q " ${entry}\$" <<<"$listing"; then
    echo "ci.sh: $vsix lacks $entry" >&2
    echo "$listing" >&2
    exit 1
  fi
done
if grep -q ' extension/node_modules/' <<<"$listing"; then
  echo "ci.sh: $vsix ships node_modules; everything should be bundled" >&2
  exit 1
fi
echo "ci.sh: $vsix OK ($(wc -c <"$vsix") bytes, $((SECONDS - started)) s)"
