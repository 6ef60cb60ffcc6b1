import { describe, expect, it } from "vitest";
import { highlightLines, languageOf } from "./highlight.js";

const joined = (lines: ReturnType<typeof highlightLines>) =>
  lines.map((tokens) => tokens.map((t) => t.text).join("")).join("\n");

describe("highlightLines", () => {
  it.each([
    ["/a.ts", "c"],
    ["/x/y.PY", "python"],
    ["/run.sh", "shell"],
    ["/Dockerfile", "shell"],
    ["/data.json", "json"],
    ["/notes", undefined],
    ["/README.md", undefined],
  ])("%s is %s", (path, language) => {
    expect(languageOf(path)).toBe(language);
  });

  it("keeps every character, line by line, in every language", () => {
    const text = 'const s = "a\\"b"; // note\n/* multi\nline */ let n = 0x1f;\r\n\nend';
    for (const language of [
      undefined,
      "c",
      "python",
      "shell",
      "json",
      "yaml",
      "markup",
      "css",
      "sql",
    ]) {
      expect(joined(highlightLines(text, language))).toBe(text.replace(/\r\n/g, "\n"));
    }
  });

  it("marks keywords, strings, comments and numbers", () => {
    const [line] = highlightLines("const x = 'y'; // z 42", "c");
    expect(line).toEqual([
      { kind: "keyword", text: "const" },
      { kind: "plain", text: " x = " },
      { kind: "string", text: "'y'" },
      { kind: "plain", text: "; " },
      { kind: "comment", text: "// z 42" },
    ]);
  });

  it("carries a block comment across lines", () => {
    const lines = highlightLines("a /* one\ntwo */ b", "c");
    expect(lines[1]?.[0]).toEqual({ kind: "comment", text: "two */" });
  });

  it("leaves markup as text tokens (the viewer renders them as text nodes)", () => {
    const [line] = highlightLines("<img src=x onerror=alert(1)>", "markup");
    expect(line?.map((t) => t.text).join("")).toBe("<img src=x onerror=alert(1)>");
    expect(line?.[0]).toEqual({ kind: "tag", text: "<img" });
  });
});
