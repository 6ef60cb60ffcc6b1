import { describe, expect, it } from "vitest";
import { parseRange } from "./files.js";

describe("parseRange", () => {
  const cases: Array<[string, { given: string | undefined; size: number; want: unknown }]> = [
    ["no header", { given: undefined, size: 10, want: undefined }],
    ["first bytes", { given: "bytes=0-3", size: 10, want: { start: 0, end: 3 } }],
    ["open end", { given: "bytes=4-", size: 10, want: { start: 4, end: 9 } }],
    ["suffix", { given: "bytes=-2", size: 10, want: { start: 8, end: 9 } }],
    ["suffix longer than file", { given: "bytes=-50", size: 10, want: { start: 0, end: 9 } }],
    ["end clamped", { given: "bytes=5-100", size: 10, want: { start: 5, end: 9 } }],
    ["start past end", { given: "bytes=10-", size: 10, want: "unsatisfiable" }],
    ["empty file", { given: "bytes=-1", size: 0, want: "unsatisfiable" }],
    ["inverted is ignored", { given: "bytes=5-3", size: 10, want: undefined }],
    ["several ranges are ignored", { given: "bytes=0-1,4-5", size: 10, want: undefined }],
    ["other unit is ignored", { given: "items=0-1", size: 10, want: undefined }],
  ];
  it.each(cases)("%s", (_name, { given, size, want }) => {
    expect(parseRange(given, size)).toEqual(want);
  });
});
