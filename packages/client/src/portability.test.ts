/** The client runs wherever fetch exists: nothing in it may need Node (or any one runtime). */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

const SRC = fileURLToPath(new URL(".", import.meta.url));

/** The shipped source files: everything under src/ but tests and test helpers. */
function shippedFiles(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return shippedFiles(path);
    const isTest = /\.test\.ts$/.test(entry.name) || entry.name.startsWith("test-");
    return entry.name.endsWith(".ts") && !isTest ? [path] : [];
  });
}

/** The code without comments (they may mention `process.stdout` in an example). */
function code(path: string): string {
  return readFileSync(path, "utf8")
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/(^|[^:"'`\\])\/\/.*$/gm, "$1");
}

/** What only some runtimes have, and how to spot it. */
const NODE_ONLY: [string, RegExp][] = [
  ["a node: import", /\bfrom\s*["']node:|\bimport\(\s*["']node:/],
  [
    "a Node built-in import",
    /\bfrom\s*["'](fs|path|os|crypto|stream|buffer|http|https|url|util|zlib|events|child_process)(\/[^"']*)?["']/,
  ],
  ["require()", /\brequire\s*\(/],
  ["Buffer", /\bBuffer\b/],
  ["process without a typeof guard", /(?<!typeof\s+)\bprocess\b/],
  ["global (Node's name for globalThis)", /(?<![.\w])global\b(?!This)/],
  ["__dirname / __filename", /\b__(dirname|filename)\b/],
  ["setImmediate", /\bsetImmediate\b/],
];

describe("portability", () => {
  const files = shippedFiles();

  it("finds the source files", () => {
    expect(files.map((f) => relative(SRC, f))).toEqual(
      expect.arrayContaining(["index.ts", "cairn.ts", join("core", "transport.ts")]),
    );
    expect(files.some((f) => f.endsWith(".test.ts"))).toBe(false);
  });

  it.each(NODE_ONLY)("no file uses %s", (_what, pattern) => {
    const offenders = files.filter((file) => pattern.test(code(file)));
    expect(offenders.map((f) => relative(SRC, f))).toEqual([]);
  });

  it("the scan itself catches each of them", () => {
    const samples = [
      'import { readFile } from "node:fs";',
      'import { join } from "path";',
      'const x = require("y");',
      "Buffer.from('a');",
      "process.env.X;",
      "global.fetch;",
      "__dirname;",
      "setImmediate(() => {});",
    ];
    NODE_ONLY.forEach(([what, pattern], i) => {
      expect(pattern.test(samples[i] ?? ""), what).toBe(true);
    });
    const allowed = [
      "typeof process === 'object'",
      "globalThis.fetch",
      "Symbol.for('nodejs.util.inspect.custom')",
    ];
    for (const line of allowed) {
      expect(NODE_ONLY.filter(([, pattern]) => pattern.test(line))).toEqual([]);
    }
  });

  it("bundles for the browser with its dependencies, with no Node built-ins", async () => {
    const result = await build({
      entryPoints: [join(SRC, "index.ts")],
      bundle: true,
      platform: "browser",
      format: "esm",
      write: false,
      logLevel: "silent",
    });
    expect(result.errors).toEqual([]);
    expect(result.outputFiles[0]?.text).toContain("Idempotency-Key");
  });
});
