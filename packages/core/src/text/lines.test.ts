import { describe, expect, it } from "vitest";
import { bytes, seededRandom } from "../test-support.js";
import {
  cutUtf8,
  decodeText,
  isBinary,
  splitLineRecords,
  splitLines,
  utf8Length,
} from "./lines.js";

describe("splitLines", () => {
  it("returns no lines for empty text", () => {
    expect(splitLines("")).toEqual([]);
  });

  it("ends lines at \\n, \\r\\n and a lone \\r", () => {
    expect(splitLines("a\nb\r\nc\rd")).toEqual(["a", "b", "c", "d"]);
  });

  it("does not add an empty last line for a final terminator", () => {
    expect(splitLines("a\n")).toEqual(["a"]);
    expect(splitLines("a\r\n")).toEqual(["a"]);
    expect(splitLines("a\r")).toEqual(["a"]);
  });

  it("keeps a last line without a terminator", () => {
    expect(splitLines("a\nb")).toEqual(["a", "b"]);
  });

  it("keeps empty lines in the middle and a lone terminator as one empty line", () => {
    expect(splitLines("\n")).toEqual([""]);
    expect(splitLines("a\n\n\nb\n")).toEqual(["a", "", "", "b"]);
    expect(splitLines("\r\n\r\n")).toEqual(["", ""]);
  });

  it("treats \\r\\r\\n as an empty line ended by \\r then one ended by \\r\\n", () => {
    expect(splitLines("a\r\r\nb")).toEqual(["a", "", "b"]);
  });

  it("treats \\n\\r as two terminators", () => {
    expect(splitLines("a\n\rb")).toEqual(["a", "", "b"]);
  });

  it("does not split on Unicode line separators", () => {
    expect(splitLines("a\u2028b\u2029c\u0085d")).toEqual(["a\u2028b\u2029c\u0085d"]);
  });
});

describe("splitLineRecords", () => {
  it("keeps each line's terminator", () => {
    expect(splitLineRecords("a\nb\r\nc\rd")).toEqual([
      { text: "a", eol: "\n" },
      { text: "b", eol: "\r\n" },
      { text: "c", eol: "\r" },
      { text: "d", eol: "" },
    ]);
  });

  it("agrees with splitLines on the line texts", () => {
    for (const t of ["", "\n", "a", "a\n", "a\r\n\r\nb\r", "\r\r\n\n"]) {
      expect(splitLineRecords(t).map((r) => r.text)).toEqual(splitLines(t));
    }
  });

  it("rebuilds the original text from texts and terminators", () => {
    const t = "x\r\ny\rz\n\nw";
    expect(
      splitLineRecords(t)
        .map((r) => r.text + r.eol)
        .join(""),
    ).toBe(t);
  });
});

describe("isBinary", () => {
  it("is false for UTF-8 text, including empty content", () => {
    expect(isBinary(bytes("héllo 😀\n"))).toBe(false);
    expect(isBinary(new Uint8Array(0))).toBe(false);
  });

  it("is true when the bytes contain NUL", () => {
    expect(isBinary(bytes("a\0b"))).toBe(true);
  });

  it("is true for invalid UTF-8", () => {
    expect(isBinary(Uint8Array.of(0x61, 0xff, 0x62))).toBe(true);
    expect(isBinary(Uint8Array.of(0xc3))).toBe(true); // truncated sequence
    expect(isBinary(Uint8Array.of(0xed, 0xa0, 0x80))).toBe(true); // encoded surrogate
  });
});

describe("decodeText", () => {
  it("decodes UTF-8 and drops a byte order mark", () => {
    expect(decodeText(Uint8Array.of(0xef, 0xbb, 0xbf, 0x61))).toBe("a");
  });

  it("returns undefined for binary content", () => {
    expect(decodeText(Uint8Array.of(0))).toBeUndefined();
  });
});

describe("cutUtf8", () => {
  it("leaves text within the limit alone", () => {
    expect(cutUtf8("abc", 3)).toEqual({ text: "abc", cut: false });
    expect(cutUtf8("é", 2)).toEqual({ text: "é", cut: false });
  });

  it("cuts ASCII at the byte limit", () => {
    expect(cutUtf8("abcdef", 4)).toEqual({ text: "abcd", cut: true });
  });

  it("never splits a multi-byte character", () => {
    expect(cutUtf8("aé", 2)).toEqual({ text: "a", cut: true });
    expect(cutUtf8("a€b", 3)).toEqual({ text: "a", cut: true });
    expect(cutUtf8("a😀b", 4)).toEqual({ text: "a", cut: true });
    expect(cutUtf8("a😀b", 5)).toEqual({ text: "a😀", cut: true });
  });

  it("produces at most maxBytes of UTF-8 for any cut point", () => {
    const s = "aé€😀".repeat(5);
    for (let max = 1; max < 60; max++) {
      const { text } = cutUtf8(s, max);
      expect(new TextEncoder().encode(text).length).toBeLessThanOrEqual(max);
      expect(s.startsWith(text)).toBe(true);
      expect(/\p{Cs}/u.test(text)).toBe(false); // no lone surrogate
    }
  });
});

describe("utf8Length", () => {
  it("matches TextEncoder, lone surrogates included", () => {
    for (const s of ["", "abc", "é€😀", "\ud800x", "x\udc00", "😀\ud83d"]) {
      expect(utf8Length(s)).toBe(new TextEncoder().encode(s).length);
    }
  });
});

describe("splitLines on generated texts", () => {
  /** The definition: split at `\r\n`, `\r` or `\n`; a terminator at the very end starts no line. */
  const reference = (text: string) => {
    if (text === "") return [];
    const lines = text.split(/\r\n|\r|\n/);
    if (/[\r\n]$/.test(text)) lines.pop();
    return lines;
  };

  it("agrees with splitting at the terminators", () => {
    const random = seededRandom(17);
    const pieces = ["a", "bc", "\n", "\r", "\r\n", "\n\r", " ", "é", "\u{1f600}", ""];
    for (let round = 0; round < 2000; round++) {
      let text = "";
      const n = Math.floor(random() * 12);
      for (let i = 0; i < n; i++) text += pieces[Math.floor(random() * pieces.length)];
      expect(splitLines(text), JSON.stringify(text)).toEqual(reference(text));
    }
  });
});
