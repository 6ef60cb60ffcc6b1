/** Tests of case selection: patterns, `only` and skip validation. */
import { describe, expect, it } from "vitest";
import type { ConformanceCase } from "./case.js";
import { matchesPattern, selectCases } from "./selection.js";

const make = (id: string): ConformanceCase => ({
  id,
  feature: "files",
  title: id,
  run: async () => {},
});
const cases = [
  "files/write-file/empty-file",
  "files/write-file/binary-round-trip",
  "files/read-file/range-suffix",
].map(make);

describe("matchesPattern", () => {
  it.each([
    ["files/write-file/empty-file", "files/write-file/empty-file", true],
    ["files/write-file/empty-file", "files/write-file", true],
    ["files/write-file/empty-file", "files", true],
    ["files/write-file/empty-file", "files/write", false],
    ["files/write-file/empty-file", "files/*/empty-*", true],
    ["files/write-file/empty-file", "*range*", false],
  ])("%s ~ %s is %s", (id, pattern, want) => {
    expect(matchesPattern(id, pattern)).toBe(want);
  });

  it("accepts a RegExp", () => {
    expect(matchesPattern("files/read-file/range-suffix", /range/)).toBe(true);
  });
});

describe("selectCases", () => {
  it("filters with only", () => {
    expect(selectCases(cases, "files/write-file").map((s) => s.testCase.id)).toHaveLength(2);
  });

  it("marks skipped cases with their reason", () => {
    const selected = selectCases(cases, undefined, [
      { reason: "no ranges", cases: ["files/read-file"] },
    ]);
    expect(selected.map((s) => s.skipReason)).toEqual([undefined, undefined, "no ranges"]);
  });

  it("refuses a skip without a reason", () => {
    expect(() => selectCases(cases, undefined, [{ reason: " ", cases: ["files"] }])).toThrow(
      /needs a reason/,
    );
  });

  it("refuses a skip pattern that matches no case", () => {
    expect(() => selectCases(cases, undefined, [{ reason: "x", cases: ["files/typo"] }])).toThrow(
      /matches no case/,
    );
  });
});
