// Drives code-server with the zcsec extension installed, through Chromium.
// Checks what a user sees: documents of a file system that is not the local
// disk, the Problems panel, completion of a *Ref id, hover with the posture of
// a connection, a quick fix, CSD highlighting, the posture view, CodeLens and
// inlay hints, and the HTML report.  Screenshots go to E2E_ARTIFACTS.
import { createRequire } from "node:module";
import * as fs from "node:fs";
import * as path from "node:path";

const require = createRequire(path.join(process.env.NODE_PATH ?? ".", "x.js"));
const { chromium } = require("playwright-core");

const URL = process.env.E2E_URL;
const OUT = process.env.E2E_ARTIFACTS;
const results = [];
let failed = 0;

async function check(name, fn) {
  const started = Date.now();
  try {
    await fn();
    results.push(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (err) {
    failed += 1;
    results.push(`FAIL ${name}: ${err && err.message ? err.message.split("\n")[0] : err}`);
    await shot(page, `fail-${failed}.png`).catch(() => undefined);
    await page.keyboard.press("Escape").catch(() => undefined);
  }
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(OUT, name), fullPage: false });
}

async function until(fn, what, timeout = 60000) {
  const end = Date.now() + timeout;
  let last;
  while (Date.now() < end) {
    try {
      last = await fn();
      if (last) {
        return last;
      }
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}${last instanceof Error ? ": " + last.message : ""}`);
}

async function command(page, title, timeout = 15000) {
  await page.keyboard.press("F1");
  await page.waitForSelector(".quick-input-widget input", { state: "visible" });
  await page.keyboard.type(title.replace(/^>/, "")); // F1 writes the ">" itself
  await until(async () => (await page.locator(".quick-input-list .monaco-list-row").first().textContent())?.includes(title.replace(/^>/, "").trim().split(": ").pop()), `command ${title}`, timeout);
  await page.keyboard.press("Enter");
}

async function openFile(page, relative) {
  await page.keyboard.press("Control+P");
  await page.waitForSelector(".quick-input-widget input", { state: "visible" });
  await page.keyboard.type(relative);
  const name = path.basename(relative);
  await until(async () => (await page.locator(".quick-input-list .monaco-list-row").first().textContent())?.includes(name), `quick open ${relative}`, 15000);
  await page.keyboard.press("Enter");
  await until(async () => (await page.locator(".editor-group-container.active .tab.active").first().textContent())?.includes(name), `editor tab ${name}`, 15000);
  await page.locator(".editor-instance .monaco-editor .view-lines").first().click();
}

async function goTo(page, line, column) {
  await page.keyboard.press("Control+G");
  await page.waitForSelector(".quick-input-widget input", { state: "visible" });
  await page.keyboard.type(`${line}:${column}`);
  await page.keyboard.press("Enter");
  await page.waitForTimeout(300);
}

async function editorText(page) {
  return page.evaluate(() => {
    const lines = [...document.querySelectorAll(".editor-instance .view-line")];
    // Blanks are drawn as no-break spaces; inlay hints are part of the line's text.
    return lines.map((l) => l.textContent.replace(/\u00a0/g, " ")).join("\n");
  });
}

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
});
const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
page.setDefaultTimeout(30000);
try {
  await page.goto(URL, { waitUntil: "domcontentloaded" });
  await page.waitForSelector(".monaco-workbench", { timeout: 180000 });
  await page.waitForTimeout(2000);

  // First, while no local file is open: documents of a file system that is
  // not the local disk (the test extension's zcsec-e2e:, as Zowe Explorer's
  // zowe-uss: and zowe-ds:).  zcsec reads their include, .zcsec.toml and CSD
  // member through the editor.
  await check("documents of another file system get zcsec's findings, and a quick fix is saved through it", async () => {
    try {
      await remoteDocuments();
    } finally {
      // Leave no remote editor or history behind for the checks of local files.
      await page.keyboard.press("Escape");
      await command(page, ">View: Revert and Close Editor").catch(() => undefined);
      await command(page, ">View: Close All Editors");
      await command(page, ">Clear Editor History");
      const confirm = page.locator(".monaco-dialog-box .monaco-button").filter({ hasText: /^Clear$/ }).first();
      await confirm.click({ timeout: 5000 }).catch(() => undefined);
      await page.waitForTimeout(500);
    }
  });

  async function remoteDocuments() {
    // The first command after start-up: on a busy machine the workbench may not take keys yet.
    for (let attempt = 1; ; attempt++) {
      try {
        await command(page, ">zcsec e2e: Open the remote files", 30000);
        break;
      } catch (err) {
        if (attempt >= 3) {
          throw err;
        }
        await page.keyboard.press("Escape");
        await page.waitForTimeout(3000);
      }
    }
    await until(async () => {
      const tabs = await page.locator(".tabs-container .tab").allTextContents();
      return ["server.xml", "auth.xml", "ZCEEIPIC"].every((n) => tabs.some((t) => t.includes(n)));
    }, "tabs of the three remote documents", 60000);
    await page.keyboard.press("Control+Shift+M");
    // One finding in each document: server.xml's needs the CSD member (read through
    // the editor), auth.xml's is in the include, the member's is its own.
    const expected = ["cics-verify-without-credentials", "password-clear-text", "cics-certuser-needs-clientauth", "ZCEEIPIC", "auth.xml"];
    await until(async () => {
      const text = await page.locator(".markers-panel").textContent();
      return expected.every((code) => text.includes(code));
    }, `Problems panel rows for ${expected.join(", ")}`, 120000);
    const panel = await page.locator(".markers-panel").textContent();
    if (panel.includes("e2eClear1")) {
      throw new Error("the Problems panel shows a password");
    }
    await shot(page, "09-remote-problems.png");
    await page.keyboard.press("Control+Shift+M");

    // The port's CICS listener, as an inlay hint, from the CSD member.
    await page.locator(".tabs-container .tab").filter({ hasText: "server.xml" }).first().click();
    await until(async () => (await editorText(page)).includes("TCPIPSERVICE ZCIPIC1"), "an inlay hint naming TCPIPSERVICE ZCIPIC1", 60000);

    await goTo(page, 9, 12); // zosConnectApplid without zosConnectNetworkid
    await page.keyboard.press("Control+.");
    const item = page.locator(".action-widget .monaco-list-row, .context-view .monaco-list-row").filter({ hasText: "Add zosConnectNetworkid" }).first();
    await item.waitFor({ state: "visible", timeout: 60000 });
    await item.click();
    await until(async () => (await editorText(page)).includes("zosConnectNetworkid="), "the edit in the editor", 15000);
    await page.keyboard.press("Control+S");
    const saved = path.join(process.env.E2E_FS_ROOT, "u/zcee/servers/zc1/server.xml");
    await until(async () => fs.readFileSync(saved, "utf-8").includes("zosConnectNetworkid="), "the fix written through the file system provider", 30000);
    await shot(page, "10-remote-quickfix-saved.png");
  }

  await check("the Problems panel lists zcsec diagnostics of server.xml and the CSD files", async () => {
    await openFile(page, "server.xml");
    await until(async () => {
      const text = await page.locator("#status\\.problems").textContent().catch(() => "");
      return text && /[1-9]/.test(text);
    }, "problem counts in the status bar", 120000);
    await page.keyboard.press("Control+Shift+M");
    const expected = ["cics-verify-without-credentials", "cics-credentials-in-clear", "ref-unresolved", "cics-idprop-incomplete"];
    await until(async () => {
      const text = await page.locator(".markers-panel").textContent();
      return expected.every((code) => text.includes(code));
    }, `Problems panel rows for ${expected.join(", ")}`, 120000);
    await shot(page, "01-problems.png");
    await page.keyboard.press("Control+Shift+M");
  });

  await check("completion offers the id of an <ssl> element from an include file", async () => {
    await openFile(page, "server.xml");
    await goTo(page, 51, 22); // inside sslCertsRef="batchTls"
    await page.keyboard.press("Shift+End");
    await page.keyboard.press("Shift+ArrowLeft");
    await page.keyboard.press("Shift+ArrowLeft");
    await page.keyboard.press("Shift+ArrowLeft");
    await page.keyboard.press("Delete");
    await page.keyboard.press("Control+Space");
    await until(async () => {
      const rows = await page.locator(".suggest-widget .monaco-list-row").allTextContents();
      return rows.some((r) => r.includes("ipicTls")) && rows.some((r) => r.includes("DefaultSSLSettings"));
    }, "suggestions ipicTls and DefaultSSLSettings", 60000);
    await shot(page, "02-completion.png");
    await page.keyboard.press("Escape");
    await page.keyboard.press("Control+Z");
  });

  await check("element completion after '<' offers the elements VS Code filters with it", async () => {
    await openFile(page, "server.xml");
    await goTo(page, 52, 1); // the blank line before </server>
    await page.keyboard.type("    <zosconnect_ci");
    await page.keyboard.press("Control+Space");
    await until(async () => {
      const rows = await page.locator(".suggest-widget .monaco-list-row").allTextContents();
      return rows.some((r) => r.includes("zosconnect_cicsIpicConnection"));
    }, "suggestion zosconnect_cicsIpicConnection", 60000);
    await page.keyboard.press("Escape");
    await page.keyboard.press("Home");
    await page.keyboard.press("Shift+End");
    await page.keyboard.press("Delete");
  });

  await check("hover on a connection shows its effective posture and the CICS side", async () => {
    await goTo(page, 38, 10); // <zosconnect_cicsIpicConnection id="cicsPlain"
    await page.keyboard.press("Control+K");
    await page.keyboard.press("Control+I");
    await until(async () => {
      const text = await page.locator(".monaco-hover").allTextContents();
      const all = text.join(" ");
      return all.includes("Transport") && all.includes("ZCIPIC2");
    }, "hover with Transport and TCPIPSERVICE ZCIPIC2", 60000);
    const hover = (await page.locator(".monaco-hover").allTextContents()).join(" ");
    if (hover.includes("Summer2024")) {
      throw new Error("the hover shows a password");
    }
    await shot(page, "03-hover.png");
    await page.keyboard.press("Escape");
  });

  await check("a quick fix applies and its diagnostic goes away", async () => {
    await goTo(page, 33, 12); // zosConnectApplid without zosConnectNetworkid
    await page.keyboard.press("Control+.");
    const item = page.locator(".action-widget .monaco-list-row, .context-view .monaco-list-row").filter({ hasText: "Add zosConnectNetworkid" }).first();
    await item.waitFor({ state: "visible", timeout: 60000 });
    await shot(page, "04-quickfix-menu.png");
    await item.click();
    await until(async () => (await editorText(page)).includes("zosConnectNetworkid="), "the edit in the editor", 15000);
    await page.keyboard.press("Control+Shift+M");
    await until(async () => !(await page.locator(".markers-panel").textContent()).includes("cics-idprop-incomplete"), "cics-idprop-incomplete to disappear", 60000);
    await shot(page, "04-quickfix-applied.png");
    await page.keyboard.press("Control+Shift+M");
  });

  await check("a CSD file is highlighted by the cics-csd grammar", async () => {
    await openFile(page, "csd/zcipic.csd");
    const mode = await page.locator("#status\\.editor\\.mode").textContent();
    if (!mode.includes("CICS CSD")) {
      throw new Error(`language mode is ${mode}`);
    }
    const classes = await until(async () => {
      const found = await page.evaluate(() => {
        const out = {};
        for (const span of document.querySelectorAll(".editor-instance .view-line span span")) {
          const word = span.textContent.trim();
          if (["DEFINE", "TCPIPSERVICE", "PORTNUMBER"].includes(word) || word.startsWith("*")) {
            out[word.startsWith("*") ? "comment" : word] = span.className;
          }
        }
        return out;
      });
      return found.DEFINE && found.comment && found.PORTNUMBER ? found : null;
    }, "tokens in the CSD editor", 30000);
    const distinct = new Set(Object.values(classes));
    if (distinct.size < 3) {
      throw new Error(`expected distinct colours for comment, command and keyword, got ${JSON.stringify(classes)}`);
    }
    await shot(page, "05-csd-highlighting.png");
  });

  await check("Show security posture opens a view of every connection", async () => {
    await command(page, ">zcsec: Show security posture");
    const frame = await until(async () => {
      for (const f of page.frames()) {
        const has = await f.locator("#posture").count().catch(() => 0);
        if (has) {
          return f;
        }
      }
      return null;
    }, "the posture view", 60000);
    const rows = await frame.locator("#posture tbody tr").allTextContents();
    if (!rows.some((r) => r.includes("cicsPlain")) || !rows.some((r) => r.includes("cicsConn"))) {
      throw new Error(`posture rows: ${rows.join(" | ")}`);
    }
    // The picture: an edge per connection, the weak ones red with the reason.
    const weak = await frame.locator("#map .edge.weak").allTextContents();
    if (!weak.some((t) => t.includes("cicsPlain") && t.includes("weak: plain text on the network"))) {
      throw new Error(`weak edges: ${weak.join(" | ")}`);
    }
    await page.waitForTimeout(500);
    await shot(page, "06-posture-view.png");
  });
  await check("a CodeLens above each connection tells its security in one line", async () => {
    await openFile(page, "server.xml");
    await goTo(page, 38, 1); // <zosconnect_cicsIpicConnection id="cicsPlain"
    await until(async () => {
      const lenses = await page.locator(".editor-instance .codelens-decoration").allTextContents();
      return lenses.some((t) => t.includes("plain TCP")) ? lenses : null;
    }, "a CodeLens saying plain TCP", 60000);
    // Inlay hints: the listener and IPCONN a port reaches, a variable's value.
    await until(async () => {
      const text = await editorText(page);
      return text.includes("TCPIPSERVICE ZCIPIC2") && text.includes("cicsb.zplex.example.com");
    }, "inlay hints with TCPIPSERVICE ZCIPIC2 and the value of ${CICS_HOST}", 60000);
    await shot(page, "07-codelens.png");
  });

  await check("the HTML posture report opens without network access", async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, offline: true });
    const report = await context.newPage();
    const fetched = [];
    report.on("request", (r) => { if (!r.url().startsWith("file://")) fetched.push(r.url()); });
    await report.goto(`file://${process.env.E2E_REPORT}`);
    const text = await report.locator("body").textContent();
    if (!text.includes("cicsPlain") || !text.includes("weak:")) {
      throw new Error(`report text: ${text.slice(0, 300)}`);
    }
    if (fetched.length) {
      throw new Error(`the report fetched ${fetched.join(", ")}`);
    }
    await report.screenshot({ path: path.join(OUT, "08-posture-report.png"), fullPage: true });
    await context.close();
  });
} finally {
  fs.writeFileSync(path.join(OUT, "e2e-results.txt"), results.join("\n") + "\n");
  await shot(page, "99-final.png").catch(() => undefined);
  await browser.close();
}
console.log(results.join("\n"));
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
