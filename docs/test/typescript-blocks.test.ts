/**
 * Every TypeScript block in README.md and docs/ type-checks against the built packages, as a
 * module of its own (top-level await allowed). `ts no-check` marks a fragment not meant to.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { type CodeBlock, codeBlocks, DOCS, documentationFiles } from "./markdown.js";

const blocks = documentationFiles()
  .flatMap(codeBlocks)
  .filter((b) => (b.lang === "ts" || b.lang === "typescript") && !b.flags.includes("no-check"));

/** Inside docs/, so the blocks resolve `@cairn/client` and the rest from docs/node_modules. */
const OUT = join(DOCS, ".blocks");

function fileFor(block: CodeBlock): string {
  return join(OUT, `${block.file.replace(/[/.]/g, "_")}_${block.line}.ts`);
}

describe("TypeScript blocks", () => {
  it("there are some to check", () => {
    expect(blocks.length).toBeGreaterThanOrEqual(3);
  });

  it("type-check against the packages", () => {
    rmSync(OUT, { recursive: true, force: true });
    mkdirSync(OUT, { recursive: true });
    for (const block of blocks) writeFileSync(fileFor(block), `${block.code}\nexport {};\n`);
    const program = ts.createProgram(blocks.map(fileFor), {
      target: ts.ScriptTarget.ES2022,
      lib: ["lib.es2023.d.ts", "lib.dom.d.ts"],
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true,
      noUncheckedIndexedAccess: true,
      skipLibCheck: true,
      noEmit: true,
      types: ["node"],
    });
    const errors = ts.getPreEmitDiagnostics(program).map((d) => {
      const block = blocks.find((b) => d.file && fileFor(b) === d.file.fileName);
      const line =
        d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line : 0;
      const where = block ? `${block.file}:${block.line + 1 + line}` : (d.file?.fileName ?? "?");
      return `${where}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
    });
    expect(errors).toEqual([]);
  });
});
