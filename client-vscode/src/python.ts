// Finding a Python interpreter that can run the zcsec server.
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";

export interface PythonChoice {
  command: string;
  version: string;
}

export interface LaunchPlan {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  python: PythonChoice;
  strategy: "bundled" | "environment";
}

function run(command: string, args: string[], env?: NodeJS.ProcessEnv): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: 15000, env: env ?? process.env }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, out: String(stdout), err: String(stderr) });
    });
  });
}

/** The interpreter's version if it is Python 3.10 or newer, else undefined. */
export async function probe(command: string): Promise<PythonChoice | undefined> {
  const res = await run(command, ["-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"]);
  if (res.code !== 0) {
    return undefined;
  }
  const version = res.out.trim();
  const [major, minor] = version.split(".").map((n) => parseInt(n, 10));
  if (major > 3 || (major === 3 && minor >= 10)) {
    return { command, version };
  }
  return undefined;
}

/** Candidates in order: the setting, then python3 and python on the PATH. */
export function candidates(setting: string): string[] {
  const out: string[] = [];
  if (setting.trim()) {
    out.push(setting.trim());
  }
  out.push("python3", "python");
  return out;
}

export async function planLaunch(extensionPath: string, setting: string, strategy: "bundled" | "environment", log: (m: string) => void): Promise<LaunchPlan | string> {
  let python: PythonChoice | undefined;
  for (const candidate of candidates(setting)) {
    python = await probe(candidate);
    log(`Python candidate ${candidate}: ${python ? "Python " + python.version : "not usable (missing, or older than 3.10)"}`);
    if (python) {
      break;
    }
  }
  if (!python) {
    return setting.trim()
      ? `The Python set in zcsec.server.python (${setting}) cannot be run or is older than 3.10. Point it at a Python 3.10 or newer interpreter.`
      : "zcsec needs Python 3.10 or newer, and none was found on the PATH (python3, python). Install Python 3.10+ or set zcsec.server.python to its path.";
  }
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONUNBUFFERED: "1", PYTHONNOUSERSITE: "1" };
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
