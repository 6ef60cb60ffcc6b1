import { describe, expect, it } from "vitest";
import { formatBytes, type OutputLimits, truncateOutput } from "./truncate.js";

/** `n` lines `line 1\n` ... `line n\n`. */
function numbered(n: number): string {
  return Array.from({ length: n }, (_, i) => `line ${i + 1}\n`).join("");
}

const lines = (maxLines: number, keep: OutputLimits["keep"] = "both"): OutputLimits => ({
  maxLines,
  maxBytes: 1_000_000,
  keep,
});

describe("truncateOutput", () => {
  it("returns short text unchanged", () => {
    const text = numbered(10);
    expect(truncateOutput(text, lines(10), { label: "stdout" })).toEqual({ text, cut: null });
    expect(truncateOutput("", lines(1), { label: "stdout" })).toEqual({ text: "", cut: null });
  });

  it.each<[string, { keep: OutputLimits["keep"]; want: string }]>([
    [
      "keeps the start and the end, with the note where the middle was",
      {
        keep: "both",
        want:
          "line 1\nline 2\n" +
          "[stdout truncated: 10 lines, 71 bytes in all; showing lines 1-2 and lines 9-10; lines 3-8 (42 bytes) omitted here.]\n" +
          "line 9\nline 10\n",
      },
    ],
    [
      "keeps the start",
      {
        keep: "head",
        want:
          "line 1\nline 2\nline 3\nline 4\n" +
          "[stdout truncated: 10 lines, 71 bytes in all; showing lines 1-4; lines 5-10 (43 bytes) omitted.]\n",
      },
    ],
    [
      "keeps the end",
      {
        keep: "tail",
        want:
          "[stdout truncated: 10 lines, 71 bytes in all; showing lines 7-10; lines 1-6 (42 bytes) omitted.]\n" +
          "line 7\nline 8\nline 9\nline 10\n",
      },
    ],
  ])("cut by lines: %s", (_, { keep, want }) => {
    const { text, cut } = truncateOutput(numbered(10), lines(4, keep), { label: "stdout" });
    expect(text).toBe(want);
    expect(cut).toMatchObject({ totalLines: 10, totalBytes: 71 });
  });

  it("cuts by bytes on line boundaries and counts what it left out", () => {
    const text = numbered(12_000); // 12,000 lines, 120,894 bytes
    const { text: shown, cut } = truncateOutput(
      text,
      { maxLines: 1000, maxBytes: 2000, keep: "head" },
      { label: "stdout", hint: "Redirect it to a file." },
    );
    expect(cut).toEqual({ totalLines: 12_000, totalBytes: 120_894, omittedBytes: 120_894 - 1998 });
    expect(shown.startsWith(numbered(234))).toBe(true);
    expect(shown.slice(numbered(234).length)).toBe(
      "[stdout truncated: 12,000 lines, 121 KB in all; showing lines 1-234; lines 235-12000 (119 KB) omitted. Redirect it to a file.]\n",
    );
    expect(
      new TextEncoder().encode(shown.slice(0, numbered(234).length)).length,
    ).toBeLessThanOrEqual(2000);
  });

  it("cuts a line longer than the budget inside it, at a character boundary", () => {
    const long = `${"é".repeat(3000)}\n`; // 6001 bytes on one line
    const { text, cut } = truncateOutput(
      long,
      { maxLines: 100, maxBytes: 100, keep: "both" },
      { label: "stderr" },
    );
    // 50 bytes is 25 "é"; the tail's 50 bytes start mid-character, so it keeps 49: 24 "é" and "\n".
    expect(text).toBe(
      `${"é".repeat(25)}\n` +
        "[stderr truncated: 1 line, 6 KB in all; showing the first 50 bytes of line 1 and the last 49 bytes of line 1; 5.9 KB omitted here.]\n" +
        `${"é".repeat(24)}\n`,
    );
    expect(cut?.omittedBytes).toBe(6001 - 99);
    expect(text).not.toContain("\uFFFD");
  });

  it("shows only the start of output the server already cut, and says so", () => {
    const { text } = truncateOutput(numbered(10), lines(4, "both"), {
      label: "stdout",
      capturedBytes: 71,
    });
    expect(text).toBe(
      "line 1\nline 2\nline 3\nline 4\n" +
        "[stdout truncated: the command wrote more than 71 bytes, of which only the first 71 bytes (10 lines) were kept; showing lines 1-4; lines 5-10 (43 bytes) omitted.]\n",
    );
  });

  it("flags server-cut output even when it fits the budget", () => {
    const { text, cut } = truncateOutput("abc", lines(10), {
      label: "stdout",
      capturedBytes: 3,
    });
    expect(text).toBe(
      "abc\n[stdout truncated: the command wrote more than 3 bytes; only the first 3 bytes (1 line) were kept and are shown above.]\n",
    );
    expect(cut).toEqual({ totalLines: 1, totalBytes: 3, omittedBytes: 0 });
  });
});

describe("formatBytes", () => {
  it.each([
    [0, "0 bytes"],
    [1, "1 byte"],
    [999, "999 bytes"],
    [1000, "1 KB"],
    [12_345, "12.3 KB"],
    [104_893, "105 KB"],
    [3_141_592, "3.1 MB"],
    [250_000_000, "250 MB"],
  ])("%d → %s", (n, want) => {
    expect(formatBytes(n)).toBe(want);
  });
});
