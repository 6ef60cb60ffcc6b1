import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../errors.js";
import { bytes } from "../test-support.js";
import { readLines } from "./read.js";

const FIVE = bytes("one\ntwo\nthree\nfour\nfive\n");

describe("readLines: ranges", () => {
  it("returns the whole file by default", () => {
    expect(readLines(FIVE)).toEqual({
      binary: false,
      text: "one\ntwo\nthree\nfour\nfive\n",
      startLine: 1,
      endLine: 5,
      totalLines: 5,
      truncated: false,
    });
  });

  it("returns an inclusive 1-based range", () => {
    expect(readLines(FIVE, { startLine: 2, endLine: 3 })).toMatchObject({
      text: "two\nthree\n",
      startLine: 2,
      endLine: 3,
      totalLines: 5,
      truncated: false,
    });
  });

  it("returns one line when startLine equals endLine", () => {
    expect(readLines(FIVE, { startLine: 4, endLine: 4 }).text).toBe("four\n");
  });

  it("reads from startLine to the end without endLine", () => {
    expect(readLines(FIVE, { startLine: 4 })).toMatchObject({ text: "four\nfive\n", endLine: 5 });
  });

  it("clamps endLine past the end", () => {
    expect(readLines(FIVE, { startLine: 5, endLine: 99 })).toMatchObject({
      text: "five\n",
      startLine: 5,
      endLine: 5,
    });
  });

  it("returns empty text for startLine past the end, without throwing", () => {
    expect(readLines(FIVE, { startLine: 6 })).toEqual({
      binary: false,
      text: "",
      startLine: 6,
      endLine: 5,
      totalLines: 5,
      truncated: false,
    });
    expect(readLines(FIVE, { startLine: 100, endLine: 200 })).toMatchObject({
      text: "",
      startLine: 100,
      endLine: 99,
    });
  });

  it("handles an empty file", () => {
    expect(readLines(new Uint8Array(0))).toEqual({
      binary: false,
      text: "",
      startLine: 1,
      endLine: 0,
      totalLines: 0,
      truncated: false,
    });
  });

  it.each([
    [{ startLine: 0 }],
    [{ startLine: -1 }],
    [{ startLine: 3, endLine: 2 }],
    [{ startLine: 1.5 }],
    [{ endLine: 2.5 }],
    [{ maxBytes: 0 }],
  ])("rejects %j with InvalidArgumentError", (options) => {
    expect(() => readLines(FIVE, options)).toThrow(InvalidArgumentError);
  });
});

describe("readLines: terminators", () => {
  it("ends the text with \\n only when the last returned line had a terminator", () => {
    const noFinal = bytes("a\nb");
    expect(readLines(noFinal).text).toBe("a\nb");
    expect(readLines(noFinal, { endLine: 1 }).text).toBe("a\n");
  });

  it("normalizes \\r\\n and lone \\r to \\n", () => {
    const mixed = bytes("a\r\nb\rc\n");
    expect(readLines(mixed)).toMatchObject({ text: "a\nb\nc\n", totalLines: 3 });
  });

  it("counts a final terminator as ending the last line, not starting another", () => {
    expect(readLines(bytes("a\n")).totalLines).toBe(1);
    expect(readLines(bytes("a\n\n")).totalLines).toBe(2);
  });

  it("drops a UTF-8 byte order mark", () => {
    expect(readLines(Uint8Array.of(0xef, 0xbb, 0xbf, 0x61)).text).toBe("a");
  });
});

describe("readLines: maxBytes", () => {
  it("cuts at a line boundary and reports the last full line", () => {
    // "one\n" 4 + "two\n" 4 + "three\n" 6
    expect(readLines(FIVE, { maxBytes: 12 })).toMatchObject({
      text: "one\ntwo\n",
      startLine: 1,
      endLine: 2,
      totalLines: 5,
      truncated: true,
    });
  });

  it("is not truncated when the range fits exactly", () => {
    expect(readLines(FIVE, { endLine: 3, maxBytes: 14 })).toMatchObject({
      text: "one\ntwo\nthree\n",
      endLine: 3,
      truncated: false,
    });
  });

  it("counts bytes of UTF-8, not characters", () => {
    const text = bytes("éé\nx\n"); // "éé\n" is 5 bytes
    expect(readLines(text, { maxBytes: 5 })).toMatchObject({ text: "éé\n", endLine: 1 });
    expect(readLines(text, { maxBytes: 6 })).toMatchObject({ text: "éé\n", truncated: true });
  });

  it("returns the part of the first line that fits when no whole line does", () => {
    const long = bytes(`${"é".repeat(10)}\nnext\n`);
    expect(readLines(long, { maxBytes: 5 })).toEqual({
      binary: false,
      text: "éé",
      startLine: 1,
      endLine: 0,
      totalLines: 2,
      truncated: true,
    });
    expect(readLines(long, { startLine: 2, maxBytes: 5 })).toMatchObject({
      text: "next\n",
      endLine: 2,
      truncated: false,
    });
  });

  it("applies a 256 KiB default", () => {
    const line = `${"x".repeat(1023)}\n`;
    const big = bytes(line.repeat(300));
    const result = readLines(big);
    expect(result).toMatchObject({ endLine: 256, totalLines: 300, truncated: true });
    expect(result.text.length).toBe(256 * 1024);
  });
});

describe("readLines: binary", () => {
  it("reports NUL-containing content as binary with no text", () => {
    expect(readLines(bytes("a\0b\n"))).toEqual({
      binary: true,
      text: "",
      startLine: 1,
      endLine: 0,
      totalLines: 0,
      truncated: false,
    });
  });

  it("reports invalid UTF-8 as binary", () => {
    expect(readLines(Uint8Array.of(0xff, 0x0a)).binary).toBe(true);
  });
});
