// A file system provider for zcsec's end-to-end test: the folder named by
// ZCSEC_E2E_FS_ROOT, served under the scheme zcsec-e2e.  The zcsec server only
// ever sees zcsec-e2e: URIs and must read everything through the editor.
"use strict";
/* eslint-disable @typescript-eslint/no-require-imports -- plain CommonJS, loaded by VS Code without a build step */
const vscode = require("vscode");
const fs = require("node:fs");
const path = require("node:path");

const SCHEME = "zcsec-e2e";
const ROOT = process.env.ZCSEC_E2E_FS_ROOT || "/nonexistent";
const OPEN = ["/u/zcee/servers/zc1/server.xml", "/u/zcee/servers/zc1/includes/auth.xml", "/u/zcee/cics/ZCEEIPIC"];

function local(uri) {
  const p = path.normalize(path.join(ROOT, uri.path));
  if (p !== ROOT && !p.startsWith(ROOT + path.sep)) {
    throw vscode.FileSystemError.NoPermissions(uri);
  }
  return p;
}

function wrap(uri, fn) {
  try {
    return fn();
  } catch (err) {
    if (err && err.code === "ENOENT") {
      throw vscode.FileSystemError.FileNotFound(uri);
    }
    throw err;
  }
}

class Provider {
  constructor() {
    this.emitter = new vscode.EventEmitter();
    this.onDidChangeFile = this.emitter.event;
  }
  watch() {
    return new vscode.Disposable(() => undefined);
  }
  stat(uri) {
    return wrap(uri, () => {
      const st = fs.statSync(local(uri));
      return { type: st.isDirectory() ? vscode.FileType.Directory : vscode.FileType.File, ctime: st.ctimeMs, mtime: st.mtimeMs, size: st.size };
    });
  }
  readDirectory(uri) {
    return wrap(uri, () => fs.readdirSync(local(uri), { withFileTypes: true }).map((d) => [d.name, d.isDirectory() ? vscode.FileType.Directory : vscode.FileType.File]));
  }
  readFile(uri) {
    return wrap(uri, () => fs.readFileSync(local(uri)));
  }
  writeFile(uri, content) {
    wrap(uri, () => fs.writeFileSync(local(uri), content));
    this.emitter.fire([{ type: vscode.FileChangeType.Changed, uri }]);
  }
  createDirectory(uri) {
    wrap(uri, () => fs.mkdirSync(local(uri)));
  }
  delete(uri) {
    wrap(uri, () => fs.rmSync(local(uri), { recursive: true }));
  }
  rename(from, to) {
    wrap(from, () => fs.renameSync(local(from), local(to)));
  }
}

function activate(context) {
  context.subscriptions.push(
    vscode.workspace.registerFileSystemProvider(SCHEME, new Provider(), { isCaseSensitive: true }),
    vscode.commands.registerCommand("zcsecE2e.open", async () => {
      for (const p of OPEN) {
        const doc = await vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: SCHEME, path: p }));
        await vscode.window.showTextDocument(doc, { preview: false });
      }
    }),
  );
}

module.exports = { activate };
