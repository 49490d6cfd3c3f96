// What the extension offers the server for documents that are not local
// files: the document selector for every URI scheme zcsec works with, and the
// answers to the server's zcsec/readFile and zcsec/readDirectory requests,
// read through VS Code's file systems (so that any file system provider
// serves them: Zowe Explorer's zowe-ds: and zowe-uss:, remote workspaces).
// Nothing here imports vscode: the file system is passed in, so tests can
// give a fake one.

/** Schemes zcsec always works with: local files, untitled buffers and
 * Zowe Explorer's data set members and z/OS UNIX files. */
export const BUILTIN_SCHEMES = ["file", "untitled", "zowe-ds", "zowe-uss"];

export interface DocumentFilter {
  scheme: string;
  language?: string;
  pattern?: string;
}

/** The documents the server is told about.  A data set member (or any file
 * of a remote file system) without an extension is plain text to VS Code; the
 * server keeps it only when its content is DFHCSDUP input. */
export function documentSelector(extraSchemes: readonly unknown[] = []): DocumentFilter[] {
  const extra = extraSchemes.filter((s): s is string => typeof s === "string" && /^[a-z][a-z0-9+.-]*$/i.test(s));
  const schemes = [...new Set([...BUILTIN_SCHEMES, ...extra])];
  return schemes.flatMap((scheme) => [
    { scheme, language: "xml" },
    { scheme, language: "cics-csd" },
    { scheme, pattern: "**/*.{jcl,JCL,cntl}" },
    ...(scheme === "file" || scheme === "untitled" ? [] : [{ scheme, language: "plaintext" }]),
  ]);
}

/** The part of vscode.workspace.fs used here. */
export interface FileSystem {
  readFile(uri: string): PromiseLike<Uint8Array>;
  readDirectory(uri: string): PromiseLike<[string, number][]>;
}

export interface Limits {
  maxBytes: number;
  timeoutMs: number;
  maxEntries: number;
}

export const LIMITS: Limits = { maxBytes: 20 * 1024 * 1024, timeoutMs: 4000, maxEntries: 5000 };
const DIRECTORY = 2; // vscode.FileType.Directory

function within<T>(work: PromiseLike<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([Promise.resolve(work), timeout]).finally(() => clearTimeout(timer));
}

function uriOf(params: unknown): string | undefined {
  const uri = (params as { uri?: unknown } | undefined)?.uri;
  return typeof uri === "string" ? uri : undefined;
}

function why(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The answer to zcsec/readFile: the text, or why there is none. */
export async function readFile(fs: FileSystem, params: unknown, limits: Limits = LIMITS): Promise<{ text?: string; error?: string }> {
  const uri = uriOf(params);
  if (uri === undefined) {
    return { error: "no URI given" };
  }
  try {
    const data = await within(fs.readFile(uri), limits.timeoutMs);
    if (data.byteLength > limits.maxBytes) {
      return { error: `it is larger than ${limits.maxBytes / 1048576} MB` };
    }
    return { text: new TextDecoder("utf-8").decode(data) };
  } catch (err) {
    return { error: why(err) };
  }
}

/** The answer to zcsec/readDirectory: [name, "file" | "directory"] of each
 * entry (at most limits.maxEntries), or why there is none. */
export async function readDirectory(fs: FileSystem, params: unknown, limits: Limits = LIMITS): Promise<{ entries?: [string, string][]; error?: string }> {
  const uri = uriOf(params);
  if (uri === undefined) {
    return { error: "no URI given" };
  }
  try {
    const entries = await within(fs.readDirectory(uri), limits.timeoutMs);
    return { entries: entries.slice(0, limits.maxEntries).map(([name, type]) => [name, type & DIRECTORY ? "directory" : "file"]) };
  } catch (err) {
    return { error: why(err) };
  }
}
