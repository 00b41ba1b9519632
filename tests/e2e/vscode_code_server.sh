#!/usr/bin/env bash
# End-to-end check of the VS Code extension in a real browser:
#   code-server (VS Code in the browser, from npm) + the bklint .vsix + Debian's chromium,
#   driven by playwright-core, on a workspace holding a bad buildkitd.toml. Passes when a
#   bklint diagnostic shows in the Problems panel (screenshot: docs/vscode-problems.png) and
#   "bklint: Fix all" then applies the safe fix (gckeepstorage -> reservedSpace) in the editor.
#
# Usage:  tests/e2e/vscode_code_server.sh
# Env:
#   BKLINT_CMD        the bklint executable the extension runs (default: `command -v bklint`)
#   CODE_SERVER_DIR   where code-server is installed/cached (default: ~/.cache/bklint-e2e/code-server-$VERSION)
#   E2E_WORK          scratch directory (default: a fresh mktemp -d, removed at the end unless E2E_KEEP=1)
#   SCREENSHOT        where to save the screenshot (default: docs/vscode-problems.png)
#   FAIL_SCREENSHOT   where to save a screenshot when it fails (default: /tmp/bklint-e2e-failed.png)
#   E2E_TIMEOUT_MS    how long to wait for the diagnostic (default: 90000)
#
# Not part of .ci/run: the first run builds code-server's native modules (several minutes).
#
# Obstacles this script works around (only the package registries are reachable here):
#   * code-server >= 4.103 needs Node 22+; 4.100.3 is the last release on Node 20 (the node here).
#   * node-gyp would download Node headers: the nodejs package ships them in /usr/include/node,
#     so builds use --nodedir=/usr.
#   * npm 11 blocks dependency install scripts unless allowed, and older npm runs them all; so
#     the install uses --ignore-scripts everywhere and builds the native modules explicitly.
#   * @vscode/ripgrep's postinstall downloads rg from GitHub and has no switch to skip that
#     (only an existing bin/ directory stops it); its script is never run and bin/rg is a
#     symlink to Debian's /usr/bin/rg.
#   * argon2 0.31 (code-server's password hashing, loaded even with --auth none) would download
#     a prebuilt binding; it is built with node-gyp into the path node-pre-gyp expects.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
VERSION=${CODE_SERVER_VERSION:-4.100.3}
CODE_SERVER_DIR=${CODE_SERVER_DIR:-$HOME/.cache/bklint-e2e/code-server-$VERSION}
SCREENSHOT=${SCREENSHOT:-$REPO/docs/vscode-problems.png}
KEEP=${E2E_KEEP:-0}
WORK=${E2E_WORK:-$(mktemp -d /tmp/bklint-e2e.XXXXXX)}
mkdir -p "$WORK"
PORT=${E2E_PORT:-0}
CS_PID=

log() { printf '[e2e %s] %s\n' "$(date +%T)" "$*" >&2; }

cleanup() {
  if [[ -n "$CS_PID" ]] && kill -0 "$CS_PID" 2>/dev/null; then
    kill "$CS_PID" 2>/dev/null || true
    wait "$CS_PID" 2>/dev/null || true
  fi
  if [[ "$KEEP" != 1 && -z "${E2E_WORK:-}" ]]; then
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT

# --- system packages -------------------------------------------------------------------
need_apt=()
command -v chromium >/dev/null || need_apt+=(chromium)
command -v rg >/dev/null || need_apt+=(ripgrep)
command -v g++ >/dev/null || need_apt+=(build-essential)
command -v pkg-config >/dev/null || need_apt+=(pkg-config)
for pc in krb5-gssapi x11 xkbfile libsecret-1; do
  pkg-config --exists "$pc" 2>/dev/null || need_apt+=("$(case $pc in krb5-gssapi) echo libkrb5-dev;; x11) echo libx11-dev;; xkbfile) echo libxkbfile-dev;; libsecret-1) echo libsecret-1-dev;; esac)")
done
if ((${#need_apt[@]})); then
  log "installing Debian packages: ${need_apt[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
[[ -f /usr/include/node/node.h ]] || { log "Node headers missing in /usr/include/node"; exit 1; }
node_major=$(node -p 'process.versions.node.split(".")[0]')
[[ "$node_major" == 20 ]] || log "warning: code-server $VERSION expects Node 20, this is Node $node_major"

BKLINT_CMD=${BKLINT_CMD:-$(command -v bklint || true)}
[[ -n "$BKLINT_CMD" ]] || { log "bklint is not installed (pip install -e $REPO)"; exit 1; }

# --- code-server -----------------------------------------------------------------------
NODE_GYP=$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js
[[ -f "$NODE_GYP" ]] || NODE_GYP=$(npm root -g)/npm/node_modules/node-gyp/bin/node-gyp.js

build_native() { # build_native DIR [GYP ARGS...]: compile a node-gyp module against the local Node headers
  local dir=$1
  shift
  log "  node-gyp rebuild in ${dir#"$WORK"/}"
  (cd "$dir" && node "$NODE_GYP" rebuild --nodedir=/usr --jobs=2 "$@" >"$WORK/node-gyp-$(basename "$dir").log" 2>&1) \
    || { log "  build failed, see $WORK/node-gyp-$(basename "$dir").log"; tail -20 "$WORK/node-gyp-$(basename "$dir").log" >&2; return 1; }
}

install_code_server() {
  local tmp
  tmp=$(mktemp -d "$WORK/cs-install.XXXXXX")
  log "downloading code-server@$VERSION from npm"
  (cd "$tmp" && npm pack "code-server@$VERSION" --silent >/dev/null && tar xzf code-server-*.tgz)
  local pkg=$tmp/package
  log "installing code-server's own dependencies"
  (cd "$pkg" && npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error)
  # argon2 0.31 (pinned by code-server) loads its binding from node-pre-gyp's module_path,
  # and code-server imports it at start-up even with --auth none.
  build_native "$pkg/node_modules/argon2" --module_name=argon2 \
    --module_path="$pkg/node_modules/argon2/lib/binding/napi-v3" --napi_build_version=3
  log "installing VS Code's dependencies (lib/vscode)"
  (cd "$pkg/lib/vscode" && npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error)
  log "building native modules"
  local mod
  for mod in @vscode/spdlog node-pty native-watchdog kerberos @vscode/deviceid; do
    if [[ -f "$pkg/lib/vscode/node_modules/$mod/binding.gyp" ]]; then
      build_native "$pkg/lib/vscode/node_modules/$mod"
    fi
  done
  log "using Debian's ripgrep for @vscode/ripgrep"
  mkdir -p "$pkg/lib/vscode/node_modules/@vscode/ripgrep/bin"
  ln -sf "$(command -v rg)" "$pkg/lib/vscode/node_modules/@vscode/ripgrep/bin/rg"
  # What code-server's postinstall.sh does besides the installs:
  ln -sfn node_modules "$pkg/lib/vscode/node_modules.asar"
  ln -sf code-server-linux.sh "$pkg/lib/vscode/bin/remote-cli/code-server"
  ln -sf browser-linux.sh "$pkg/lib/vscode/bin/helpers/browser.sh"
  log "installing the built-in extensions' shared dependencies"
  (cd "$pkg/lib/vscode/extensions" && npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error \
    && node ./postinstall.mjs)
  mkdir -p "$(dirname "$CODE_SERVER_DIR")"
  rm -rf "$CODE_SERVER_DIR"
  mv "$pkg" "$CODE_SERVER_DIR"
  rm -rf "$tmp"
}

if [[ ! -x "$CODE_SERVER_DIR/out/node/entry.js" && ! -f "$CODE_SERVER_DIR/out/node/entry.js" ]]; then
  install_code_server
else
  log "code-server $VERSION already installed in $CODE_SERVER_DIR"
fi
code_server() { node "$CODE_SERVER_DIR/out/node/entry.js" "$@"; }

# --- the extension ---------------------------------------------------------------------
VSIX=${VSIX:-}
if [[ -z "$VSIX" ]]; then
  log "packaging the extension"
  (cd "$REPO/editors/vscode" && { [[ -d node_modules ]] || npm ci --ignore-scripts --no-audit --no-fund --loglevel=error; } \
    && npm run --silent package >/dev/null)
  VSIX=$(ls -t "$REPO"/editors/vscode/bklint-*.vsix | head -1)
fi
mkdir -p "$WORK/extensions" "$WORK/data/User" "$WORK/ws"
log "installing $(basename "$VSIX")"
code_server --extensions-dir "$WORK/extensions" --user-data-dir "$WORK/data" --install-extension "$VSIX" >&2

# --- workspace and settings --------------------------------------------------------------
cat >"$WORK/ws/buildkitd.toml" <<'EOF'
# Deliberately wrong: a string where buildkitd expects a boolean, a misspelt key
# and a deprecated one (the last has a safe automatic fix).
debug = "yes"

[worker.oci]
max-paralelism = 4
gckeepstorage = 1000
EOF
node -e '
const [file, cmd] = process.argv.slice(1);
require("fs").writeFileSync(file, JSON.stringify({
  "bklint.path": [cmd],
  "bklint.trace.server": "messages",
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "security.workspace.trust.enabled": false,
  "telemetry.telemetryLevel": "off",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "extensions.ignoreRecommendations": true,
  "update.mode": "none",
  "workbench.colorTheme": "Default Light Modern",
}, null, 2));
' "$WORK/data/User/settings.json" "$BKLINT_CMD"

# --- start code-server -------------------------------------------------------------------
if [[ "$PORT" == 0 ]]; then
  PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
fi
log "starting code-server on 127.0.0.1:$PORT"
code_server --auth none --bind-addr "127.0.0.1:$PORT" --disable-telemetry --disable-update-check \
  --disable-workspace-trust --disable-getting-started-override \
  --extensions-dir "$WORK/extensions" --user-data-dir "$WORK/data" "$WORK/ws" >"$WORK/code-server.log" 2>&1 &
CS_PID=$!
for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; then break; fi
  kill -0 "$CS_PID" 2>/dev/null || { log "code-server exited"; cat "$WORK/code-server.log" >&2; exit 1; }
  sleep 0.5
done
curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null || { log "code-server did not come up"; exit 1; }

# --- browser driver ----------------------------------------------------------------------
DRIVER_DIR=$(dirname "$CODE_SERVER_DIR")/driver
if [[ ! -d "$DRIVER_DIR/node_modules/playwright-core" ]]; then
  log "installing playwright-core (driver only; the browser is Debian's chromium)"
  mkdir -p "$DRIVER_DIR"
  (cd "$DRIVER_DIR" && { [[ -f package.json ]] || npm init -y >/dev/null; } \
    && npm install --ignore-scripts --no-audit --no-fund --loglevel=error playwright-core@1)
fi
mkdir -p "$(dirname "$SCREENSHOT")"
status=0
NODE_PATH="$DRIVER_DIR/node_modules" node "$REPO/tests/e2e/problems_panel.cjs" \
  --url "http://127.0.0.1:$PORT/?folder=$WORK/ws" --file buildkitd.toml \
  --browser "$(command -v chromium)" --profile "$WORK/chromium-profile" \
  --screenshot "$SCREENSHOT" --expect-after-fix "reservedSpace = 1000" --failshot "${FAIL_SCREENSHOT:-/tmp/bklint-e2e-failed.png}" --timeout "${E2E_TIMEOUT_MS:-90000}" || status=$?

if ((status != 0)); then
  log "FAILED; code-server log tail:"
  tail -40 "$WORK/code-server.log" >&2
  find "$WORK/data/logs" -name '*bklint*' -exec sh -c 'echo "--- $1"; tail -40 "$1"' _ {} \; >&2 2>/dev/null || true
fi
exit "$status"
