// The "Show security posture" view: one row per connection to a system of record.
import * as vscode from "vscode";
import { PostureRow, renderPosture } from "./render";

export type { PostureRow } from "./render";

let panel: vscode.WebviewPanel | undefined;
let current: PostureRow[] = [];

export function showPosture(context: vscode.ExtensionContext, rows: PostureRow[], focus?: string): void {
  current = rows;
  if (!panel) {
    panel = vscode.window.createWebviewPanel("zcsecPosture", "zcsec: security posture", vscode.ViewColumn.Active, { enableScripts: true });
    panel.onDidDispose(() => (panel = undefined), undefined, context.subscriptions);
    panel.webview.onDidReceiveMessage(
      async (msg: { open?: number }) => {
        const row = typeof msg.open === "number" ? current[msg.open] : undefined;
        if (!row) {
          return;
        }
        const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(row.uri));
        const r = row.range;
        await vscode.window.showTextDocument(doc, {
          viewColumn: vscode.ViewColumn.Beside,
          selection: new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character),
        });
      },
      undefined,
      context.subscriptions,
    );
  }
  const nonce = Math.random().toString(36).slice(2) + Date.now().toString(36);
  panel.webview.html = renderPosture(rows, nonce, focus);
  panel.reveal();
}
