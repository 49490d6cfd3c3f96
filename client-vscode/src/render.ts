// HTML for the posture view; free of the vscode API so it can be unit tested.

export interface PostureRow {
  provider: string;
  providerName: string;
  element: string;
  id: string | null;
  uri: string;
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  target: string;
  transport: string;
  transportDetail: string;
  tlsFloor?: string | null;
  bind: string;
  linkUser: string | null;
  identity: string;
  identityDetail: string;
  unknowns: string[];
  caller?: { kind: string; summary: string; detail: string } | null;
  counterpart: string | null;
  summary?: string;
  strength?: "weak" | "unknown" | "sound";
  weaknesses?: string[];
}


const GOOD: Record<string, string[]> = {
  transport: ["tls", "at-tls", "local"],
  bind: ["client-certificate"],
  caller: ["authenticated", "zos-program"],
  identity: ["asserted-caller", "passticket", "fixed-credentials"],
};

function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function cell(kind: string, value: string, detail: string): string {
  const good = (GOOD[kind] ?? []).includes(value);
  const bad = (value === "none" && kind !== "bind") || value === "anonymous";
  const cls = good ? "good" : bad ? "bad" : value === "unknown" ? "unknown" : "neutral";
  return `<td class="${cls}" title="${escape(detail)}"><span class="badge">${escape(value)}</span><div class="detail">${escape(detail)}</div></td>`;
}

/** The posture view; ``focus`` is the id of a connection to scroll to and highlight (from a CodeLens). */
/** The picture: z/OS Connect on the left, one edge per connection, coloured by strength. */
function renderMap(rows: PostureRow[], focus?: string): string {
  if (!rows.length) {
    return "";
  }
  const edges = rows
    .map((r, i) => {
      const why = (r.weaknesses ?? []).join("; ");
      const focused = focus !== undefined && r.id === focus ? " focus" : "";
      return `<div class="edge ${escape(r.strength ?? "unknown")}${focused}">
  <a href="#" data-row="${i}">${escape(r.id ?? r.element)}</a> → ${escape(r.providerName)} ${escape(r.target)}
  <div class="detail">${escape(r.summary ?? r.transport)}</div>${why ? `<div class="why">weak: ${escape(why)}</div>` : ""}
</div>`;
    })
    .join("\n");
  return `<div id="map" class="map"><div class="server">z/OS Connect</div>\n<div class="edges">\n${edges}\n</div></div>`;
}

export function renderPosture(rows: PostureRow[], nonce: string, focus?: string): string {
  const body = rows.length
    ? rows
        .map(
          (r, i) => `<tr${focus !== undefined && r.id === focus ? ' id="focus" class="focus"' : ""}>
  <td>${escape(r.providerName)}</td>
  <td><a href="#" data-row="${i}">${escape(r.id ?? r.element)}</a><div class="detail">${escape(r.element)}</div></td>
  <td>${escape(r.target)}</td>
  ${r.caller ? cell("caller", r.caller.kind, r.caller.detail) : "<td>-</td>"}
  ${cell("transport", r.transport, r.tlsFloor ? `${r.transportDetail}; floor: ${r.tlsFloor}` : r.transportDetail)}
  ${cell("bind", r.bind, r.bind === "client-certificate" ? "TLS client certificate" : "no client certificate")}
  <td>${escape(r.linkUser ?? "-")}</td>
  ${cell("identity", r.identity, r.identityDetail)}
  <td>${escape(r.counterpart ?? "-")}</td>
  <td class="detail">${escape(r.unknowns.join("; ") || "-")}</td>
</tr>`,
        )
        .join("\n")
    : `<tr><td colspan="10">No connections to systems of record were found in the workspace.</td></tr>`;
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
  tr.focus, .edge.focus { outline: 2px solid var(--vscode-focusBorder, #007fd4); }
  .map { display: flex; gap: 1.5em; align-items: center; margin: 1em 0 1.5em; }
  .server { flex: 0 0 10em; border: 2px solid var(--vscode-foreground); border-radius: 6px; padding: 1em; text-align: center; font-weight: bold; }
  .edges { flex: 1; display: flex; flex-direction: column; gap: 0.4em; }
  .edge { border-left: 6px solid; padding: 0.3em 0.7em; background: var(--vscode-editor-inactiveSelectionBackground); border-radius: 4px; }
  .edge.weak { border-color: var(--vscode-errorForeground, #f85149); }
  .edge.unknown { border-color: var(--vscode-editorWarning-foreground, #d29922); }
  .edge.sound { border-color: var(--vscode-testing-iconPassed, #3fb950); }
  .why { color: var(--vscode-errorForeground, #f85149); font-size: 90%; }
</style></head>
<body>
<h2>Security posture of every connection</h2>
${renderMap(rows, focus)}
<table id="posture">
<thead><tr><th>Provider</th><th>Connection</th><th>Target</th><th>Caller</th><th>Transport</th><th>Bind</th><th>Link user</th><th>Identity sent</th><th>Other side</th><th>Not established</th></tr></thead>
<tbody>
${body}
</tbody></table>
<script nonce="${nonce}">
  const vscode = acquireVsCodeApi();
  for (const a of document.querySelectorAll("a[data-row]")) {
    a.addEventListener("click", (e) => { e.preventDefault(); vscode.postMessage({ open: Number(a.dataset.row) }); });
  }
  document.getElementById("focus")?.scrollIntoView({ block: "center" });
</script>
</body></html>`;
}
