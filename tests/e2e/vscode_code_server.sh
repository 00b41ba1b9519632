#!/usr/bin/env bash
# End-to-end check of the VS Code extension in a real editor: code-server (VS Code in the
# browser, from npm) with the bklint .vsix installed, driven in Debian's chromium by
# playwright-core (tests/e2e/vscode_e2e.cjs). The extension runs its *bundled* server: bklint is
# not on the PATH code-server sees and bklint.path is not set. Checks, in order:
#   1. a workspace holding only a Cargo.toml: opening it starts no bklint process, shows no
#      notification and no bklint status bar item;
#   2. a workspace with a bad buildkitd.toml: diagnostics in the Problems panel, the status bar
#      item (server state and version), hover, the quick fix renaming max_parallelism,
#      completion leaving out keys already written, "Show rule documentation", "Fix all".
# Screenshots go to a temporary folder ($E2E_SCREENSHOTS); docs/vscode-problems.png is only
# refreshed with E2E_UPDATE_DOCS=1.
#
# Usage:  tests/e2e/vscode_code_server.sh [--install-only]   (CI runs it from .ci/run)
# Env:
#   VSIX              the .vsix to test (default: build one with editors/vscode's npm run package)
#   CODE_SERVER_DIR   code-server install cache (default: ~/.cache/bklint-e2e/code-server-$VERSION)
#   E2E_SCREENSHOTS   where screenshots go (default: a new folder under ${TMPDIR:-/tmp})
#   E2E_UPDATE_DOCS   1: also copy the Problems screenshot to docs/vscode-problems.png
#   E2E_KEEP          1: keep the scratch folder (logs, profiles) instead of removing it
#   E2E_BUDGET        seconds before the whole run is stopped (default: 900)
#
# The script runs in a process group of its own and, on any exit, kills that group and every
# process carrying its run marker in the environment (code-server, its extension host, the
# bklint server, chromium), then fails if one survived.
#
# What code-server needs here (only the package registries are reachable):
#   * code-server >= 4.103 needs Node 22+; 4.100.3 is the last release for Node 20 (Debian's).
#   * node-gyp would download Node headers; Debian's nodejs ships them in /usr/include/node,
#     so native modules build with --nodedir=/usr.
#   * dependency install scripts are never run (--ignore-scripts): they download binaries.
#     The native modules are built explicitly; @vscode/ripgrep gets Debian's rg; argon2 (loaded
#     at start-up even with --auth none) is built into the path node-pre-gyp expects.
set -euo pipefail

if [[ -z "${BKLINT_E2E_RUN:-}" ]]; then
  # A new session, so one process group holds everything this run starts.
  BKLINT_E2E_RUN="bklint-e2e-$$-$RANDOM"
  export BKLINT_E2E_RUN
  exec setsid --wait bash "$0" "$@"
fi

REPO=$(cd "$(dirname "$0")/../.." && pwd)
VERSION=${CODE_SERVER_VERSION:-4.100.3}
CACHE=${BKLINT_E2E_CACHE:-$HOME/.cache/bklint-e2e}
CODE_SERVER_DIR=${CODE_SERVER_DIR:-$CACHE/code-server-$VERSION}
DRIVER_DIR=$CACHE/driver
BUDGET=${E2E_BUDGET:-900}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/bklint-e2e.XXXXXX")
SHOTS=${E2E_SCREENSHOTS:-$WORK-screenshots}
mkdir -p "$SHOTS"
PGID=$(ps -o pgid= $$ | tr -d ' ')

log() { printf '[e2e %s] %s\n' "$(date +%T)" "$*" >&2; }

# Every process of this run but this shell: its process group, and anything that left the
# group but still carries the run marker in its environment. Bash builtins only, so the scan
# itself starts no process; the result is in RUN_PIDS.
run_pids() {
  local dir pid line fields entry envs
  RUN_PIDS=()
  for dir in /proc/[0-9]*; do
    pid=${dir#/proc/}
    [[ "$pid" == "$$" ]] && continue
    { read -r line <"$dir/stat"; } 2>/dev/null || continue
    read -r -a fields <<<"${line##*) }"
    [[ "${fields[0]}" == Z ]] && continue
    if [[ "${fields[2]}" == "$PGID" ]]; then
      RUN_PIDS+=("$pid")
      continue
    fi
    { mapfile -d '' -t envs <"$dir/environ"; } 2>/dev/null || continue
    for entry in "${envs[@]}"; do
      if [[ "$entry" == "BKLINT_E2E_RUN=$BKLINT_E2E_RUN" ]]; then
        RUN_PIDS+=("$pid")
        break
      fi
    done
  done
}

cleanup() {
  local status=$? attempt
  trap - EXIT INT TERM
  for attempt in TERM TERM TERM TERM TERM TERM KILL; do
    run_pids
    ((${#RUN_PIDS[@]})) || break
    kill "-$attempt" "${RUN_PIDS[@]}" 2>/dev/null || true
    sleep 0.5
  done
  run_pids
  if ((${#RUN_PIDS[@]})); then
    log "FAILED: processes left behind: ${RUN_PIDS[*]}"
    status=1
  fi
  if [[ "${E2E_KEEP:-0}" == 1 ]]; then
    log "kept $WORK"
  else
    rm -rf "$WORK"
  fi
  log "screenshots in $SHOTS"
  exit "$status"
}
trap cleanup EXIT
trap 'log "stopped by a signal"; exit 130' INT TERM

# The whole run is bounded: after $BUDGET s the watchdog signals the group, which ends whatever
# runs in the foreground, and the trap above cleans up.
(sleep "$BUDGET" && log "over the ${BUDGET}s budget; stopping" && kill -TERM -- "-$PGID") &

# --- system packages -------------------------------------------------------------------
need_apt=()
command -v chromium >/dev/null || need_apt+=(chromium)
command -v rg >/dev/null || need_apt+=(ripgrep)
command -v g++ >/dev/null || need_apt+=(g++ make)
command -v python3 >/dev/null || need_apt+=(python3)
command -v curl >/dev/null || need_apt+=(curl)
command -v unzip >/dev/null || need_apt+=(unzip)
command -v pkg-config >/dev/null || need_apt+=(pkg-config)
[[ -f /usr/include/node/node.h ]] || need_apt+=(libnode-dev)
for pc in krb5-gssapi:libkrb5-dev x11:libx11-dev xkbfile:libxkbfile-dev libsecret-1:libsecret-1-dev; do
  pkg-config --exists "${pc%%:*}" 2>/dev/null || need_apt+=("${pc#*:}")
done
if ((${#need_apt[@]})); then
  log "installing Debian packages: ${need_apt[*]}"
  apt-get -o DPkg::Lock::Timeout=300 update -qq
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends \
    "${need_apt[@]}" >"$WORK/apt.log" 2>&1 || { tail -20 "$WORK/apt.log" >&2; exit 1; }
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
[[ "$node_major" == 20 ]] || log "warning: code-server $VERSION expects Node 20, this is Node $node_major"

# --- code-server -----------------------------------------------------------------------
NODE_GYP=$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js
[[ -f "$NODE_GYP" ]] || NODE_GYP=$(npm root -g)/npm/node_modules/node-gyp/bin/node-gyp.js
NPM_INSTALL=(npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error)

build_native() { # build_native DIR [GYP ARGS...]: compile a node-gyp module against the local Node headers
  local dir=$1 logfile
  shift
  logfile="$WORK/node-gyp-$(basename "$dir").log"
  log "  node-gyp rebuild in ${dir##*/node_modules/}"
  (cd "$dir" && node "$NODE_GYP" rebuild --nodedir=/usr --jobs=2 "$@" >"$logfile" 2>&1) \
    || { log "  build failed:"; tail -20 "$logfile" >&2; return 1; }
}

install_code_server() {
  local tmp pkg mod
  tmp=$(mktemp -d "$WORK/cs-install.XXXXXX")
  log "downloading code-server@$VERSION from npm"
  (cd "$tmp" && npm pack "code-server@$VERSION" --silent >/dev/null && tar xzf code-server-*.tgz)
  pkg=$tmp/package
  log "installing code-server's dependencies"
  (cd "$pkg" && "${NPM_INSTALL[@]}")
  build_native "$pkg/node_modules/argon2" --module_name=argon2 \
    --module_path="$pkg/node_modules/argon2/lib/binding/napi-v3" --napi_build_version=3
  log "installing VS Code's dependencies (lib/vscode)"
  (cd "$pkg/lib/vscode" && "${NPM_INSTALL[@]}")
  for mod in @vscode/spdlog node-pty native-watchdog kerberos @vscode/deviceid; do
    if [[ -f "$pkg/lib/vscode/node_modules/$mod/binding.gyp" ]]; then
      build_native "$pkg/lib/vscode/node_modules/$mod"
    fi
  done
  mkdir -p "$pkg/lib/vscode/node_modules/@vscode/ripgrep/bin"
  ln -sf "$(command -v rg)" "$pkg/lib/vscode/node_modules/@vscode/ripgrep/bin/rg"
  # What code-server's own postinstall does besides the installs:
  ln -sfn node_modules "$pkg/lib/vscode/node_modules.asar"
  ln -sf code-server-linux.sh "$pkg/lib/vscode/bin/remote-cli/code-server"
  ln -sf browser-linux.sh "$pkg/lib/vscode/bin/helpers/browser.sh"
  log "installing the built-in extensions' dependencies"
  (cd "$pkg/lib/vscode/extensions" && "${NPM_INSTALL[@]}" && node ./postinstall.mjs >/dev/null)
  mkdir -p "$(dirname "$CODE_SERVER_DIR")"
  rm -rf "$CODE_SERVER_DIR"
  mv "$pkg" "$CODE_SERVER_DIR"
  rm -rf "$tmp"
}

if [[ -f "$CODE_SERVER_DIR/out/node/entry.js" && -f "$CODE_SERVER_DIR/.bklint-e2e-complete" ]]; then
  log "code-server $VERSION cached in $CODE_SERVER_DIR"
else
  install_code_server
  touch "$CODE_SERVER_DIR/.bklint-e2e-complete"
fi
if [[ ! -f "$DRIVER_DIR/node_modules/playwright-core/package.json" ]]; then
  log "installing playwright-core (the driver only; the browser is Debian's chromium)"
  mkdir -p "$DRIVER_DIR"
  (cd "$DRIVER_DIR" && { [[ -f package.json ]] || echo '{"private":true}' >package.json; } \
    && npm install --ignore-scripts --no-audit --no-fund --loglevel=error playwright-core@1.55)
fi

if [[ "${1:-}" == --install-only ]]; then
  log "installed; not running the test (--install-only)"
  exit 0
fi

# --- the extension ---------------------------------------------------------------------
VSIX=${VSIX:-}
if [[ -z "$VSIX" ]]; then
  log "packaging the extension"
  (cd "$REPO/editors/vscode" && { [[ -d node_modules ]] || npm ci --ignore-scripts --no-audit --no-fund --loglevel=error; } \
    && npm run --silent package >"$WORK/package.log" 2>&1) || { tail -30 "$WORK/package.log" >&2; exit 1; }
  VSIX=$(ls -t "$REPO"/editors/vscode/bklint-*.vsix | head -1)
fi
mkdir -p "$WORK/extensions" "$WORK/data/User" "$WORK/bin"

# The PATH code-server sees: a Python and node, and no bklint anywhere on it.
PYTHON=$(python3 -c 'import sys; print(sys.executable)')
if [[ -x /usr/bin/python3 ]]; then PYTHON=/usr/bin/python3; fi
ln -s "$PYTHON" "$WORK/bin/python3"
ln -s "$(readlink -f "$(command -v node)")" "$WORK/bin/node"
E2E_PATH="$WORK/bin:/usr/bin:/bin"
# VS Code's server also takes the login shell's environment (/etc/profile), so look there too.
mkdir -p "$WORK/home"
if PATH=$E2E_PATH command -v bklint >/dev/null || env -i "HOME=$WORK/home" "PATH=$E2E_PATH" bash -lc 'command -v bklint' >/dev/null; then
  log "bklint is on the PATH code-server sees; the bundled server would not be tested"
  exit 1
fi
cs_env=(env -i "HOME=$WORK/home" "PATH=$E2E_PATH" "BKLINT_E2E_RUN=$BKLINT_E2E_RUN" "LANG=C.UTF-8" "TMPDIR=$WORK")
mkdir -p "$WORK/home"
code_server() { "${cs_env[@]}" node "$CODE_SERVER_DIR/out/node/entry.js" "$@"; }

log "installing $(basename "$VSIX") ($(du -h "$VSIX" | cut -f1))"
code_server --extensions-dir "$WORK/extensions" --user-data-dir "$WORK/data" --install-extension "$VSIX" >"$WORK/install.log" 2>&1 \
  || { cat "$WORK/install.log" >&2; exit 1; }

# --- workspaces and settings -------------------------------------------------------------
mkdir -p "$WORK/cargo" "$WORK/ws"
cat >"$WORK/cargo/Cargo.toml" <<'EOF'
[package]
name = "not-buildkit"
version = "0.1.0"
edition = "2021"

[dependencies]
EOF
cat >"$WORK/ws/buildkitd.toml" <<'EOF'
# Deliberately wrong: a misspelt key (quick fix), a value of the wrong type and a deprecated
# key (automatic fix).
debug = "yes"

[worker.oci]
max_parallelism = 4
gckeepstorage = 1000
EOF
cat >"$WORK/data/User/settings.json" <<'EOF'
{
  "bklint.trace.server": "messages",
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "workbench.enableExperiments": false,
  "security.workspace.trust.enabled": false,
  "telemetry.telemetryLevel": "off",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "extensions.ignoreRecommendations": true,
  "update.mode": "none",
  "editor.hover.delay": 100,
  "editor.quickSuggestions": { "other": false, "comments": false, "strings": false },
  "workbench.colorTheme": "Default Light Modern"
}
EOF

# --- start code-server -------------------------------------------------------------------
PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
log "starting code-server on 127.0.0.1:$PORT"
code_server --auth none --bind-addr "127.0.0.1:$PORT" --disable-telemetry --disable-update-check \
  --disable-workspace-trust --disable-getting-started-override \
  --extensions-dir "$WORK/extensions" --user-data-dir "$WORK/data" >"$WORK/code-server.log" 2>&1 &
CS_PID=$!
for _ in $(seq 1 240); do
  if curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; then break; fi
  kill -0 "$CS_PID" 2>/dev/null || { log "code-server exited"; cat "$WORK/code-server.log" >&2; exit 1; }
  sleep 0.5
done
curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null || { log "code-server did not come up"; exit 1; }

status=0
NODE_PATH="$DRIVER_DIR/node_modules" node "$REPO/tests/e2e/vscode_e2e.cjs" \
  --base "http://127.0.0.1:$PORT/" --cargo "$WORK/cargo" --workspace "$WORK/ws" \
  --browser "$(command -v chromium)" --profile "$WORK/chromium-profile" --shots "$SHOTS" \
  --marker "$BKLINT_E2E_RUN" --logs "$WORK/data/logs" --timeout 240000 || status=$?

if ((status != 0)); then
  log "FAILED; code-server log tail:"
  tail -30 "$WORK/code-server.log" >&2
  find "$WORK/data/logs" -name '*bklint*' -exec sh -c 'echo "--- $1"; tail -60 "$1"' _ {} \; >&2 2>/dev/null || true
elif [[ "${E2E_UPDATE_DOCS:-0}" == 1 ]]; then
  cp "$SHOTS/problems.png" "$REPO/docs/vscode-problems.png"
  log "refreshed docs/vscode-problems.png"
fi
exit "$status"
