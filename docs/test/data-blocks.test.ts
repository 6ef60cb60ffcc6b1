/** JSON and YAML blocks in README.md and docs/ parse (examples of bodies, configs, alert rules). */
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { codeBlocks, documentationFiles } from "./markdown.js";

const blocks = documentationFiles()
  .flatMap(codeBlocks)
  .filter((b) => ["json", "yaml", "yml"].includes(b.lang) && !b.flags.includes("no-check"));

describe("JSON and YAML blocks", () => {
  it.each(blocks.map((b) => [`${b.file}:${b.line}`, b] as const))("%s parses", (_, block) => {
    if (block.lang === "json") expect(() => JSON.parse(block.code)).not.toThrow();
    else expect(() => parse(block.code)).not.toThrow();
  });
});
