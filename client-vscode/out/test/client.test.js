"use strict";
var __create = Object.create;
var __defProp = Object.defineProperty;
var __getOwnPropDesc = Object.getOwnPropertyDescriptor;
var __getOwnPropNames = Object.getOwnPropertyNames;
var __getProtoOf = Object.getPrototypeOf;
var __hasOwnProp = Object.prototype.hasOwnProperty;
var __copyProps = (to, from, except, desc) => {
  if (from && typeof from === "object" || typeof from === "function") {
    for (let key of __getOwnPropNames(from))
      if (!__hasOwnProp.call(to, key) && key !== except)
        __defProp(to, key, { get: () => from[key], enumerable: !(desc = __getOwnPropDesc(from, key)) || desc.enumerable });
  }
  return to;
};
var __toESM = (mod, isNodeMode, target) => (target = mod != null ? __create(__getProtoOf(mod)) : {}, __copyProps(
  // If the importer is in node compatibility mode or this is not an ESM
  // file that has been converted to a CommonJS file using a Babel-
  // compatible transform (i.e. "__esModule" has not been set), then set
  // "default" to the CommonJS "module.exports" for node compatibility.
  isNodeMode || !mod || !mod.__esModule ? __defProp(target, "default", { value: mod, enumerable: true }) : target,
  mod
));

// test/client.test.ts
var import_node_test = require("node:test");
var assert = __toESM(require("node:assert/strict"));
var fs2 = __toESM(require("node:fs"));
var os = __toESM(require("node:os"));
var path2 = __toESM(require("node:path"));

// src/python.ts
var import_child_process = require("child_process");
var fs = __toESM(require("fs"));
var path = __toESM(require("path"));
function run(command, args, env) {
  return new Promise((resolve) => {
    (0, import_child_process.execFile)(command, args, { timeout: 15e3, env: env ?? process.env }, (error, stdout, stderr) => {
      const code = error ? typeof error.code === "number" ? error.code : 1 : 0;
      resolve({ code, out: String(stdout), err: String(stderr) });
    });
  });
}
async function probe(command) {
  const res = await run(command, ["-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"]);
  if (res.code !== 0) {
    return void 0;
  }
  const version = res.out.trim();
  const [major, minor] = version.split(".").map((n) => parseInt(n, 10));
  if (major > 3 || major === 3 && minor >= 10) {
    return { command, version };
  }
  return void 0;
}
function candidates(setting) {
  const out = [];
  if (setting.trim()) {
    out.push(setting.trim());
  }
  out.push("python3", "python");
  return out;
}
async function planLaunch(extensionPath, setting, strategy, log) {
  let python;
  for (const candidate of candidates(setting)) {
    python = await probe(candidate);
    log(`Python candidate ${candidate}: ${python ? "Python " + python.version : "not usable (missing, or older than 3.10)"}`);
    if (python) {
      break;
    }
  }
  if (!python) {
    return setting.trim() ? `The Python set in zcsec.server.python (${setting}) cannot be run or is older than 3.10. Point it at a Python 3.10 or newer interpreter.` : "zcsec needs Python 3.10 or newer, and none was found on the PATH (python3, python). Install Python 3.10+ or set zcsec.server.python to its path.";
  }
  const env = { ...process.env, PYTHONUNBUFFERED: "1", PYTHONNOUSERSITE: "1" };
  if (strategy === "bundled") {
    const libs = path.join(extensionPath, "bundled", "libs");
    if (!fs.existsSync(path.join(libs, "zcsec"))) {
      return `The extension's bundled server is missing (${libs}). Reinstall the VSIX, or set zcsec.server.importStrategy to "environment" and install zcsec into ${python.command}.`;
    }
    env.PYTHONPATH = libs;
  } else {
    const check = await run(python.command, ["-c", "import zcsec"]);
    if (check.code !== 0) {
      return `zcsec.server.importStrategy is "environment", but zcsec is not installed for ${python.command}. Run "${python.command} -m pip install zcsec" or switch the setting back to "bundled".`;
    }
  }
  return { command: python.command, args: ["-m", "zcsec", "serve"], env, python, strategy };
}

// src/render.ts
var GOOD = {
  transport: ["tls", "at-tls", "local"],
  bind: ["client-certificate"],
  identity: ["asserted-caller", "passticket", "fixed-credentials"]
};
function escape(text) {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
function cell(kind, value, detail) {
  const good = (GOOD[kind] ?? []).includes(value);
  const bad = value === "none" && kind !== "bind";
  const cls = good ? "good" : bad ? "bad" : value === "unknown" ? "unknown" : "neutral";
  return `<td class="${cls}" title="${escape(detail)}"><span class="badge">${escape(value)}</span><div class="detail">${escape(detail)}</div></td>`;
}
function renderPosture(rows, nonce) {
  const body = rows.length ? rows.map(
    (r, i) => `<tr>
  <td>${escape(r.providerName)}</td>
  <td><a href="#" data-row="${i}">${escape(r.id ?? r.element)}</a><div class="detail">${escape(r.element)}</div></td>
  <td>${escape(r.target)}</td>
  ${cell("transport", r.transport, r.transportDetail)}
  ${cell("bind", r.bind, r.bind === "client-certificate" ? "TLS client certificate" : "no client certificate")}
  <td>${escape(r.linkUser ?? "-")}</td>
  ${cell("identity", r.identity, r.identityDetail)}
  <td>${escape(r.counterpart ?? "-")}</td>
  <td class="detail">${escape(r.unknowns.join("; ") || "-")}</td>
</tr>`
  ).join("\n") : `<tr><td colspan="9">No connections to systems of record were found in the workspace.</td></tr>`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-${nonce}';">
<title>zcsec: security posture</title>
<style>
  body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); }
  table { border-collapse: collapse; width: 100%; }
  th, td { border: 1px solid var(--vscode-panel-border); padding: 4px 6px; vertical-align: top; text-align: left; }
  th { background: var(--vscode-editor-inactiveSelectionBackground); }
  .badge { font-weight: bold; }
  .good .badge { color: var(--vscode-testing-iconPassed, #3fb950); }
  .bad .badge { color: var(--vscode-errorForeground, #f85149); }
  .unknown .badge { color: var(--vscode-editorWarning-foreground, #d29922); }
  .detail { font-size: 90%; opacity: 0.8; }
</style></head>
<body>
<h2>Security posture of every connection</h2>
<table id="posture">
<thead><tr><th>Provider</th><th>Connection</th><th>Target</th><th>Transport</th><th>Bind</th><th>Link user</th><th>Identity sent</th><th>Other side</th><th>Not established</th></tr></thead>
<tbody>
${body}
</tbody></table>
<script nonce="${nonce}">
  const vscode = acquireVsCodeApi();
  for (const a of document.querySelectorAll("a[data-row]")) {
    a.addEventListener("click", (e) => { e.preventDefault(); vscode.postMessage({ open: Number(a.dataset.row) }); });
  }
</script>
</body></html>`;
}

// test/client.test.ts
var row = {
  provider: "cics",
  providerName: "CICS (IPIC)",
  element: "zosconnect_cicsIpicConnection",
  id: "<script>alert(1)</script>",
  uri: "file:///tmp/server.xml",
  range: { start: { line: 3, character: 5 }, end: { line: 3, character: 34 } },
  target: "cics1:1491",
  transport: "none",
  transportDetail: "plain TCP",
  bind: "none",
  linkUser: "the CICS region's default user",
  identity: "asserted-caller",
  identityDetail: "the caller's user ID",
  unknowns: [],
  counterpart: "TCPIPSERVICE ZCIPIC SSL(NO)"
};
(0, import_node_test.test)("the posture view escapes every value it shows", () => {
  const html = renderPosture([row], "abc");
  assert.ok(!html.includes("<script>alert(1)</script>"));
  assert.ok(html.includes("&lt;script&gt;alert(1)&lt;/script&gt;"));
  assert.ok(html.includes("TCPIPSERVICE ZCIPIC SSL(NO)"));
  assert.match(html, /<td class="bad"[^>]*><span class="badge">none<\/span>/);
  assert.match(html, /<td class="good"[^>]*><span class="badge">asserted-caller<\/span>/);
});
(0, import_node_test.test)("an empty workspace says so", () => {
  assert.match(renderPosture([], "n"), /No connections to systems of record/);
});
(0, import_node_test.test)("the interpreter setting is tried before python3 and python", () => {
  assert.deepEqual(candidates(" /opt/py/bin/python3 "), ["/opt/py/bin/python3", "python3", "python"]);
  assert.deepEqual(candidates(""), ["python3", "python"]);
});
(0, import_node_test.test)("a missing interpreter is not usable", async () => {
  assert.equal(await probe("/nonexistent/python-for-zcsec"), void 0);
});
(0, import_node_test.test)("python3 on this machine is usable", async () => {
  const found = await probe("python3");
  assert.ok(found, "python3 3.10+ is expected on the build machine");
  assert.match(found.version, /^3\.\d+\.\d+$/);
});
(0, import_node_test.test)("a bad setting gives one plain sentence on what to do", async () => {
  const logs = [];
  const plan = await planLaunch(os.tmpdir(), "/nonexistent/python-for-zcsec", "bundled", (m) => logs.push(m));
  assert.equal(typeof plan, "string");
  assert.match(plan, /bundled server is missing/);
  assert.ok(logs.some((l) => l.includes("/nonexistent/python-for-zcsec")));
});
(0, import_node_test.test)("the bundled strategy puts the bundled libraries on PYTHONPATH", async () => {
  const ext = fs2.mkdtempSync(path2.join(os.tmpdir(), "zcsec-ext-"));
  fs2.mkdirSync(path2.join(ext, "bundled", "libs", "zcsec"), { recursive: true });
  const plan = await planLaunch(ext, "", "bundled", () => void 0);
  assert.notEqual(typeof plan, "string");
  if (typeof plan !== "string") {
    assert.equal(plan.env.PYTHONPATH, path2.join(ext, "bundled", "libs"));
    assert.deepEqual(plan.args, ["-m", "zcsec", "serve"]);
  }
});
