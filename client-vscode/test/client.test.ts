// Unit tests of the parts of the client that do not need VS Code.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { candidates, planLaunch, probe } from "../src/python";
import { PostureRow, renderPosture } from "../src/render";
import { documentSelector, readDirectory, readFile } from "../src/remote";

const row: PostureRow = {
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
  counterpart: "TCPIPSERVICE ZCIPIC SSL(NO)",
};

test("the posture view escapes every value it shows", () => {
  const html = renderPosture([row], "abc");
  assert.ok(!html.includes("<script>alert(1)</script>"));
  assert.ok(html.includes("&lt;script&gt;alert(1)&lt;/script&gt;"));
  assert.ok(html.includes("TCPIPSERVICE ZCIPIC SSL(NO)"));
  assert.match(html, /<td class="bad"[^>]*><span class="badge">none<\/span>/);
  assert.match(html, /<td class="good"[^>]*><span class="badge">asserted-caller<\/span>/);
});

test("the posture view shows who the caller is, anonymous callers as bad", () => {
  const anonymous = renderPosture([{ ...row, caller: { kind: "anonymous", summary: "anyone", detail: "requireAuth=\"false\"" } }], "n");
  assert.match(anonymous, /<th>Caller<\/th>/);
  assert.match(anonymous, /<td class="bad"[^>]*><span class="badge">anonymous<\/span>/);
  const saf = renderPosture([{ ...row, caller: { kind: "authenticated", summary: "SAF", detail: "SAF user IDs" } }], "n");
  assert.match(saf, /<td class="good"[^>]*><span class="badge">authenticated<\/span>/);
});

test("a CodeLens opens the view at its connection, which is highlighted and scrolled to", () => {
  const other = { ...row, id: "other" };
  const html = renderPosture([other, row], "n", row.id ?? undefined);
  assert.equal((html.match(/id="focus"/g) ?? []).length, 1);
  assert.ok(html.indexOf('id="focus"') > html.indexOf(">other<"));
  assert.ok(html.includes('getElementById("focus")?.scrollIntoView'));
  assert.ok(!renderPosture([other, row], "n").includes('id="focus"'));
});

test("the transport cell names the TLS floor", () => {
  const html = renderPosture([{ ...row, transport: "tls", tlsFloor: "z/OS Connect: TLSv1.2 (strong)" }], "n");
  assert.ok(html.includes("floor: z/OS Connect: TLSv1.2 (strong)"));
});

test("the picture draws each connection as an edge coloured by strength, with why it is weak", () => {
  const weak = { ...row, id: "w", summary: "plain TCP · no credentials", strength: "weak" as const, weaknesses: ["plain text on the network"] };
  const sound = { ...row, id: "s", summary: "TLS + client cert", strength: "sound" as const, weaknesses: [] };
  const html = renderPosture([weak, sound], "n");
  assert.match(html, /<div id="map" class="map"><div class="server">z\/OS Connect<\/div>/);
  assert.match(html, /<div class="edge weak">\s*<a href="#" data-row="0">w<\/a>/);
  assert.ok(html.includes('<div class="why">weak: plain text on the network</div>'));
  assert.match(html, /<div class="edge sound">\s*<a href="#" data-row="1">s<\/a>/);
  assert.ok(!renderPosture([], "n").includes('id="map"'));
});

test("an empty workspace says so", () => {
  assert.match(renderPosture([], "n"), /No connections to systems of record/);
});

test("the interpreter setting is tried before python3 and python", () => {
  assert.deepEqual(candidates(" /opt/py/bin/python3 "), ["/opt/py/bin/python3", "python3", "python"]);
  assert.deepEqual(candidates(""), ["python3", "python"]);
});

test("a missing interpreter is not usable", async () => {
  assert.equal(await probe("/nonexistent/python-for-zcsec"), undefined);
});

test("python3 on this machine is usable", async () => {
  const found = await probe("python3");
  assert.ok(found, "python3 3.10+ is expected on the build machine");
  assert.match(found.version, /^3\.\d+\.\d+$/);
});

test("a bad setting gives one plain sentence on what to do", async () => {
  const logs: string[] = [];
  const plan = await planLaunch(os.tmpdir(), "/nonexistent/python-for-zcsec", "bundled", (m) => logs.push(m));
  // python3 on the PATH is still found, but the bundled server is missing in a temporary folder.
  assert.equal(typeof plan, "string");
  assert.match(plan as string, /bundled server is missing/);
  assert.ok(logs.some((l) => l.includes("/nonexistent/python-for-zcsec")));
});

test("the bundled strategy puts the bundled libraries on PYTHONPATH", async () => {
  const ext = fs.mkdtempSync(path.join(os.tmpdir(), "zcsec-ext-"));
  fs.mkdirSync(path.join(ext, "bundled", "libs", "zcsec"), { recursive: true });
  const plan = await planLaunch(ext, "", "bundled", () => undefined);
  assert.notEqual(typeof plan, "string");
  if (typeof plan !== "string") {
    assert.equal(plan.env.PYTHONPATH, path.join(ext, "bundled", "libs"));
    assert.deepEqual(plan.args, ["-m", "zcsec", "serve"]);
  }
});

// -- documents that are not local files ---------------------------------------


test("the selector covers Zowe Explorer, untitled buffers and the schemes a user adds", () => {
  const selector = documentSelector(["zcsec-e2e", "bad scheme!", 3]);
  const schemes = new Set(selector.map((f) => f.scheme));
  assert.deepEqual([...schemes], ["file", "untitled", "zowe-ds", "zowe-uss", "zcsec-e2e"]);
  // A member without an extension is plain text: offered for remote file systems only.
  assert.ok(selector.some((f) => f.scheme === "zowe-ds" && f.language === "plaintext"));
  assert.ok(selector.some((f) => f.scheme === "zcsec-e2e" && f.language === "plaintext"));
  assert.ok(!selector.some((f) => f.scheme === "file" && f.language === "plaintext"));
});

const encoder = new TextEncoder();
const fakeFs = {
  files: new Map<string, Uint8Array>([["zowe-ds:/lpar1/USER.CICS.CSDIN/ZCEEIPIC", encoder.encode(" DEFINE IPCONN(ZCEECONN) GROUP(G)\n")]]),
  readFile(uri: string) {
    const data = this.files.get(uri);
    return data ? Promise.resolve(data) : Promise.reject(new Error(`${uri} not found`));
  },
  readDirectory(uri: string) {
    if (uri === "zowe-ds:/lpar1/USER.CICS.CSDIN") {
      return Promise.resolve([["ZCEEIPIC", 1], ["SUBDIR", 2]] as [string, number][]);
    }
    return new Promise<[string, number][]>(() => undefined); // never answers
  },
};

test("readFile answers with the text, or says why not", async () => {
  assert.deepEqual(await readFile(fakeFs, { uri: "zowe-ds:/lpar1/USER.CICS.CSDIN/ZCEEIPIC" }), { text: " DEFINE IPCONN(ZCEECONN) GROUP(G)\n" });
  assert.deepEqual(await readFile(fakeFs, { uri: "zowe-ds:/lpar1/X/Y" }), { error: "zowe-ds:/lpar1/X/Y not found" });
  assert.deepEqual(await readFile(fakeFs, {}), { error: "no URI given" });
  const small = { maxBytes: 10, timeoutMs: 1000, maxEntries: 10 };
  assert.match((await readFile(fakeFs, { uri: "zowe-ds:/lpar1/USER.CICS.CSDIN/ZCEEIPIC" }, small)).error ?? "", /larger than/);
});

test("readDirectory names files and folders, and gives up after the timeout", async () => {
  assert.deepEqual(await readDirectory(fakeFs, { uri: "zowe-ds:/lpar1/USER.CICS.CSDIN" }), { entries: [["ZCEEIPIC", "file"], ["SUBDIR", "directory"]] });
  const quick = { maxBytes: 10, timeoutMs: 50, maxEntries: 1 };
  assert.deepEqual(await readDirectory(fakeFs, { uri: "zowe-uss:/lpar1/u" }, quick), { error: "no answer within 0.05 s" });
  assert.deepEqual(await readDirectory(fakeFs, { uri: "zowe-ds:/lpar1/USER.CICS.CSDIN" }, quick), { entries: [["ZCEEIPIC", "file"]] });
});
