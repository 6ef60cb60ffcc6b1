import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../errors.js";
import { EditError, replaceExact } from "./edit.js";

function editError(fn: () => unknown): EditError {
  try {
    fn();
  } catch (error) {
    if (error instanceof EditError) return error;
    throw error;
  }
  throw new Error("expected an EditError");
}

describe("replaceExact", () => {
  it("replaces the single occurrence", () => {
    expect(replaceExact("const a = 1;\nconst b = 2;\n", "b = 2", "b = 3")).toEqual({
      text: "const a = 1;\nconst b = 3;\n",
      replacements: 1,
    });
  });

  it("replaces at the very start and end of the text", () => {
    expect(replaceExact("abc", "a", "X").text).toBe("Xbc");
    expect(replaceExact("abc", "c", "X").text).toBe("abX");
    expect(replaceExact("abc", "abc", "").text).toBe("");
  });

  it("deletes with an empty newString", () => {
    expect(replaceExact("a-b", "-", "")).toEqual({ text: "ab", replacements: 1 });
  });

  it("inserts newString literally ($& and $1 mean nothing)", () => {
    expect(replaceExact("x", "x", "$&$1$$").text).toBe("$&$1$$");
    expect(replaceExact("x x", "x", "$&", { replaceAll: true }).text).toBe("$& $&");
  });

  it("fails with edit_no_match when oldString is absent", () => {
    const error = editError(() => replaceExact("abc", "zzz", "y"));
    expect(error).toMatchObject({ code: "edit_no_match", count: 0, name: "EditError" });
    expect(error).toBeInstanceOf(Error);
  });

  it("fails with edit_ambiguous and the count when oldString occurs more than once", () => {
    const error = editError(() => replaceExact("x = 1; x = 1; x = 1;", "x = 1", "y"));
    expect(error).toMatchObject({ code: "edit_ambiguous", count: 3 });
    expect(error.message).toMatch(/3 times/);
  });

  it("counts non-overlapping occurrences", () => {
    expect(editError(() => replaceExact("aaaa", "aa", "b")).count).toBe(2);
    expect(replaceExact("aaaa", "aa", "b", { replaceAll: true })).toEqual({
      text: "bb",
      replacements: 2,
    });
    expect(replaceExact("aaa", "aa", "b", { replaceAll: true })).toEqual({
      text: "ba",
      replacements: 1,
    });
  });

  it("replaces every occurrence with replaceAll", () => {
    expect(replaceExact("a.b.c", ".", "::", { replaceAll: true })).toEqual({
      text: "a::b::c",
      replacements: 2,
    });
  });

  it("replaceAll with a single occurrence replaces it", () => {
    expect(replaceExact("abc", "b", "B", { replaceAll: true })).toEqual({
      text: "aBc",
      replacements: 1,
    });
  });

  it("replaceAll still fails with edit_no_match when there is none", () => {
    expect(editError(() => replaceExact("abc", "z", "y", { replaceAll: true })).code).toBe(
      "edit_no_match",
    );
  });

  it("does not rescan the replacement", () => {
    expect(replaceExact("a", "a", "aa", { replaceAll: true })).toEqual({
      text: "aa",
      replacements: 1,
    });
  });

  it("matches line endings exactly (no normalization)", () => {
    const crlf = "one\r\ntwo\r\n";
    const error = editError(() => replaceExact(crlf, "one\ntwo", "x"));
    expect(error.code).toBe("edit_no_match");
    expect(error.message).toMatch(/\\r\\n/);
    expect(replaceExact(crlf, "one\r\ntwo", "x").text).toBe("x\r\n");
  });

  it("matches whitespace exactly", () => {
    expect(editError(() => replaceExact("a  b", "a b", "x")).code).toBe("edit_no_match");
  });

  it("handles astral characters", () => {
    expect(replaceExact("a😀b", "😀", "🎉").text).toBe("a🎉b");
  });

  it("rejects an empty oldString with InvalidArgumentError", () => {
    expect(() => replaceExact("abc", "", "x")).toThrow(InvalidArgumentError);
  });

  it("allows newString equal to oldString", () => {
    expect(replaceExact("abc", "b", "b")).toEqual({ text: "abc", replacements: 1 });
  });
});
