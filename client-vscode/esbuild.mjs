// Bundles the extension (dist/extension.js) or, with --tests, the unit tests (out/test/).
import { build } from "esbuild";

const tests = process.argv.includes("--tests");

await build({
  entryPoints: tests ? ["test/client.test.ts"] : ["src/extension.ts"],
  bundle: true,
  outdir: tests ? "out/test" : "dist",
  external: ["vscode"],
  format: "cjs",
  platform: "node",
  target: "node18",
  sourcemap: false,
  logLevel: tests ? "warning" : "info",
});
