// The zcsec VS Code extension: a thin client that starts `python -m zcsec serve`.
import * as vscode from "vscode";
import { LanguageClient, LanguageClientOptions, ServerOptions, State, TransportKind } from "vscode-languageclient/node";
import { planLaunch } from "./python";
import { PostureRow, showPosture } from "./posture";
import { FileSystem, documentSelector, readDirectory, readFile } from "./remote";

let client: LanguageClient | undefined;
let output: vscode.OutputChannel;
let status: vscode.StatusBarItem;
let warnedNoPython = false;

function log(message: string): void {
  output.appendLine(`[${new Date().toISOString()}] ${message}`);
}

function setStatus(text: string, tooltip: string, error = false): void {
  status.text = text;
  status.tooltip = tooltip;
  status.backgroundColor = error ? new vscode.ThemeColor("statusBarItem.errorBackground") : undefined;
  status.show();
}

/** Settings sent to the server: the same keys as .zcsec.toml, in camel case. */
function serverSettings(): Record<string, unknown> {
  const cfg = vscode.workspace.getConfiguration("zcsec");
  const out: Record<string, unknown> = {
    // This client answers zcsec/readFile and zcsec/readDirectory: the server
    // may ask it for what documents that are not local files need (their
    // includes, .zcsec.toml and CSD input), Zowe Explorer's for example.
    readFile: true,
    readDirectory: true,
    diagnosticsDelayMs: cfg.get<number>("diagnosticsDelayMs", 250),
    rules: cfg.get<Record<string, string>>("rules", {}),
    facts: cfg.get<Record<string, unknown>>("facts", {}),
    variables: cfg.get<Record<string, string>>("variables", {}),
    csdFiles: cfg.get<string[]>("csdFiles", []),
    maxFileSizeMb: cfg.get<number>("maxFileSizeMb", 20),
  };
  const productLine = cfg.get<string>("productLine", "");
  if (productLine) {
    out.productLine = productLine;
  }
  const release = cfg.get<string>("cicsRelease", "");
  if (release) {
    out.cicsRelease = release;
  }
  return out;
}

async function startClient(context: vscode.ExtensionContext): Promise<void> {
  const cfg = vscode.workspace.getConfiguration("zcsec");
  const strategy = cfg.get<"bundled" | "environment">("server.importStrategy", "bundled");
  setStatus("$(sync~spin) zcsec", "Starting the zcsec language server");
  const plan = await planLaunch(context.extensionPath, cfg.get<string>("server.python", ""), strategy, log);
  if (typeof plan === "string") {
    log(plan);
    setStatus("$(error) zcsec", plan, true);
    if (!warnedNoPython) {
      warnedNoPython = true;
      const choice = await vscode.window.showErrorMessage(plan, "Open Settings", "Show Log");
      if (choice === "Open Settings") {
        await vscode.commands.executeCommand("workbench.action.openSettings", "zcsec.server");
      } else if (choice === "Show Log") {
        output.show();
      }
    }
    return;
  }
  log(`Starting zcsec with ${plan.python.command} (Python ${plan.python.version}), import strategy ${plan.strategy}`);
  log(`Effective settings: ${JSON.stringify(serverSettings())}`);
  const serverOptions: ServerOptions = {
    command: plan.command,
    args: plan.args,
    options: { env: plan.env },
    transport: TransportKind.stdio,
  };
  const clientOptions: LanguageClientOptions = {
    // Local files, untitled buffers, z/OS files through Zowe Explorer
    // (zowe-ds: data set members, zowe-uss: z/OS UNIX files) and the schemes
    // of other file systems named in zcsec.documentSchemes.
    documentSelector: documentSelector(cfg.get<unknown[]>("documentSchemes", [])),
    outputChannel: output,
    initializationOptions: serverSettings(),
    synchronize: {
      configurationSection: "zcsec",
      fileEvents: vscode.workspace.createFileSystemWatcher("**/{*.xml,*.csd,*.jcl,.zcsec.toml,server.env,bootstrap.properties}"),
    },
  };
  client = new LanguageClient("zcsec", "zcsec", serverOptions, clientOptions);
  client.onRequest("zcsec/readFile", (params: unknown) => readFile(workspaceFs, params));
  client.onRequest("zcsec/readDirectory", (params: unknown) => readDirectory(workspaceFs, params));
  client.onDidChangeState((e) => {
    if (e.newState === State.Running) {
      setStatus("$(shield) zcsec", `zcsec is running (Python ${plan.python.version}, ${plan.strategy})`);
    } else if (e.newState === State.Stopped) {
      setStatus("$(circle-slash) zcsec", "The zcsec language server has stopped", true);
    } else {
      setStatus("$(sync~spin) zcsec", "Starting the zcsec language server");
    }
  });
  try {
    await client.start();
  } catch (err) {
    log(`The zcsec server failed to start: ${String(err)}`);
    setStatus("$(error) zcsec", "The zcsec server failed to start; see the output log", true);
  }
}

async function stopClient(): Promise<void> {
  if (client) {
    const old = client;
    client = undefined;
    try {
      await old.stop();
    } catch (err) {
      log(`Stopping the server: ${String(err)}`);
    }
  }
}

/** VS Code's file systems, any provider's included. */
const workspaceFs: FileSystem = {
  readFile: (uri) => vscode.workspace.fs.readFile(vscode.Uri.parse(uri, true)),
  readDirectory: (uri) => vscode.workspace.fs.readDirectory(vscode.Uri.parse(uri, true)),
};

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel("zcsec");
  status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 10);
  status.command = "zcsec.showOutput";
  context.subscriptions.push(output, status);

  context.subscriptions.push(
    vscode.commands.registerCommand("zcsec.restartServer", async () => {
      log("Restarting the zcsec server");
      await stopClient();
      warnedNoPython = false;
      await startClient(context);
    }),
    vscode.commands.registerCommand("zcsec.showOutput", () => output.show()),
    vscode.commands.registerCommand("zcsec.checkWorkspace", async () => {
      if (!client) {
        vscode.window.showWarningMessage("The zcsec server is not running; see the output log.");
        return;
      }
      const count = await client.sendRequest<number>("workspace/executeCommand", { command: "zcsec.server.checkWorkspace", arguments: [] });
      vscode.window.showInformationMessage(`zcsec checked the workspace: ${count} finding(s); see the Problems panel.`);
    }),
    // Also the command of the server's CodeLens, which passes the connection's id.
    vscode.commands.registerCommand("zcsec.showPosture", async (connection?: unknown) => {
      if (!client) {
        vscode.window.showWarningMessage("The zcsec server is not running; see the output log.");
        return;
      }
      const rows = await client.sendRequest<PostureRow[]>("zcsec/posture", {});
      showPosture(context, rows, typeof connection === "string" ? connection : undefined);
    }),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (e.affectsConfiguration("zcsec.server") || e.affectsConfiguration("zcsec.documentSchemes")) {
        log("Server settings changed; restarting");
        await stopClient();
        warnedNoPython = false;
        await startClient(context);
      }
    }),
  );
  await startClient(context);
}

export async function deactivate(): Promise<void> {
  await stopClient();
}
