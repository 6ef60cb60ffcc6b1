import { describe, expect, it } from "vitest";
import { FsError } from "./errors.js";
import { compareNames, normalizePath, resolvePath } from "./paths.js";

describe("normalizePath", () => {
  const valid: Array<[string, string]> = [
    ["/", "/"],
    ["//a///b/", "/a/b"],
    ["/a/./b/.", "/a/b"],
    ["/dir with space/héllo 世界.txt", "/dir with space/héllo 世界.txt"],
  ];
  it.each(valid)("%j → %j", (given, want) => {
    expect(normalizePath(given)).toBe(want);
  });

  const invalid: Array<[string, string, string]> = [
    ["relative", "a/b", "EINVAL"],
    ["empty", "", "EINVAL"],
    ["dot-dot", "/a/../b", "EINVAL"],
    ["NUL", "/a\0b", "EINVAL"],
    ["256-byte name", `/${"x".repeat(256)}`, "ENAMETOOLONG"],
    ["multi-byte name over 255 bytes", `/${"é".repeat(128)}`, "ENAMETOOLONG"],
    ["path over 4096 bytes", "/a".repeat(2049), "ENAMETOOLONG"],
  ];
  it.each(invalid)("rejects %s", (_name, given, code) => {
    expect(() => normalizePath(given)).toThrow(FsError);
    expect(() => normalizePath(given)).toThrow(new RegExp(`^${code}:`));
  });

  it("accepts a 255-byte name", () => {
    expect(normalizePath(`/${"x".repeat(255)}`)).toHaveLength(256);
  });
});

describe("resolvePath", () => {
  it("resolves relative paths and cannot climb above the root", () => {
    expect(resolvePath("/a/b", "../c")).toBe("/a/c");
    expect(resolvePath("/a", "../../../x")).toBe("/x");
    expect(resolvePath("/a", "/abs")).toBe("/abs");
  });
});

describe("compareNames", () => {
  it("orders by code point, not UTF-16 unit", () => {
    const names = ["\u{1F600}", "\uFF21", "b", "a", "B"];
    expect([...names].sort(compareNames)).toEqual(["B", "a", "b", "\uFF21", "\u{1F600}"]);
  });
  it("puts a prefix first", () => {
    expect(compareNames("ab", "abc")).toBeLessThan(0);
    expect(compareNames("abc", "abc")).toBe(0);
  });
});

describe("resolvePath on already-normal paths", () => {
  it.each(["/", "/a", "/a/b.c", "/a/.hidden", "/a/..b"])("%j is returned as is", (p) => {
    expect(resolvePath("/x", p)).toBe(p);
  });
  it.each([
    ["/a/", "/a"],
    ["//a", "/a"],
    ["/a/./b", "/a/b"],
    ["/a/../b", "/b"],
    ["/a/.", "/a"],
    ["/a/..", "/"],
  ])("%j still normalizes to %j", (given, want) => {
    expect(resolvePath("/x", given)).toBe(want);
  });
});
