/** The text the tools return, on cases the HTTP suite does not reach easily. */
import type { ExecResult, GrepResult, ReadLinesResult } from "@cairn/client";
import { describe, expect, it } from "vitest";
import { formatExec, formatGrep, numberLines, readPosition } from "./format.js";

const read = (overrides: Partial<ReadLinesResult>): ReadLinesResult => ({
  path: "/f.txt",
  etag: '"e"',
  binary: false,
  text: "",
  startLine: 1,
  endLine: 0,
  totalLines: 0,
  truncated: false,
  ...overrides,
});

describe("numberLines", () => {
  it.each([
    ["a trailing newline adds no empty line", { text: "a\nb\n", first: 9 }, "     9\ta\n    10\tb"],
    ["a last line without newline", { text: "a\nb", first: 1 }, "     1\ta\n     2\tb"],
    ["an empty line keeps its number", { text: "\n", first: 3 }, "     3\t"],
    ["wide numbers push the tab", { text: "x\n", first: 1234567 }, "1234567\tx"],
  ])("%s", (_, { text, first }, want) => {
    expect(numberLines(text, first)).toBe(want);
  });
});

describe("readPosition", () => {
  it.each([
    [
      "the last line of a long line is the last line",
      read({ text: "aaaa", startLine: 3, endLine: 2, totalLines: 3, truncated: true }),
      { nextStartLine: null, end: "; it is the last line." },
    ],
    [
      "a cut range continues after its last full line",
      read({ text: "1\n", startLine: 1, endLine: 1, totalLines: 2, truncated: true }),
      {
        nextStartLine: 2,
        end: "Lines 1-1 of 2 (cut at 4 bytes); 1 more: continue with startLine=2.",
      },
    ],
    [
      "a range that reaches the end says so",
      read({ text: "1\n2\n", startLine: 1, endLine: 2, totalLines: 2 }),
      { nextStartLine: null, end: "Lines 1-2 of 2 (end of file)." },
    ],
  ])("%s", (_, result, want) => {
    const position = readPosition(result, 4);
    expect(position.nextStartLine).toBe(want.nextStartLine);
    expect(position.note.endsWith(want.end)).toBe(true);
  });
});

describe("formatGrep", () => {
  const grep = (matches: GrepResult["matches"]): GrepResult => ({
    matches,
    filesSearched: 1,
    filesMatched: 1,
    skipped: { binary: 2, tooLarge: 1 },
    truncated: null,
  });

  it("marks a line that is both a match and another's context as a match, once", () => {
    const text = formatGrep(
      grep([
        {
          path: "/a",
          line: 2,
          text: "x2",
          cut: false,
          before: [{ line: 1, text: "c1" }],
          after: [{ line: 3, text: "x3" }],
        },
        {
          path: "/a",
          line: 3,
          text: "x3",
          cut: true,
          before: [{ line: 2, text: "x2" }],
          after: [{ line: 4, text: "c4" }],
        },
        { path: "/a", line: 9, text: "x9", cut: false, before: [], after: [] },
      ]),
      500,
    );
    expect(text).toBe(
      [
        "/a-1-c1",
        "/a:2:x2",
        "/a:3:x3 [line cut at 500 bytes]",
        "/a-4-c4",
        "--",
        "/a:9:x9",
        "",
        "[3 matching lines in 1 file (1 searched; skipped 2 binary, 1 too large)]",
      ].join("\n"),
    );
  });

  it("says when matching stopped at the time budget", () => {
    const result = { ...grep([]), truncated: { reason: "time" as const, limit: 2000 } };
    expect(formatGrep(result, 500)).toContain("stopped after 2000 ms of matching");
  });
});

describe("formatExec", () => {
  const exec = (overrides: Partial<ExecResult>): ExecResult => ({
    exitCode: 0,
    stdout: "",
    stderr: "",
    durationMs: 1.4,
    truncated: { stdout: false, stderr: false },
    commit: { status: "unchanged", version: 1 },
    ...overrides,
  });

  it.each([
    ["no output", exec({}), false, "exit code 0 · 1 ms · no file changes\n(no output)"],
    [
      "changes over the journal limit",
      exec({ exitCode: 1, commit: { status: "discarded", version: 1, reason: "journal_limit" } }),
      false,
      "exit code 1 · 1 ms · file changes discarded: they went over the sandbox's per-script limit (a write failed with ENOSPC); nothing was committed\n(no output)",
    ],
    [
      "a cut stderr",
      exec({ stderr: "ab", truncated: { stdout: false, stderr: true } }),
      true,
      "exit code 0 · 1 ms · read-only run, nothing changed\n--- stderr (cut: only the first 2 bytes are kept; the rest was dropped. Redirect to a file and read_file it, or pipe through head/tail/grep) ---\nab",
    ],
  ])("%s", (_, result, readOnly, want) => {
    expect(formatExec(result, 2, readOnly)).toBe(want);
  });
});
