import { describe, expect, it } from "vitest";
import { toPostgresRegex } from "./grep-pushdown.js";

const q = (pattern: string, extra: Partial<{ fixedString: boolean; ignoreCase: boolean }> = {}) =>
  toPostgresRegex({ pattern, fixedString: false, ignoreCase: false, ...extra });

describe("toPostgresRegex", () => {
  it("keeps ordinary agent regexes as regexes, not literals", () => {
    expect(q("foo.*bar")).toBe("(?n)foo.*bar");
    expect(q("\\d+x[^y]")).toBe("(?n)\\d+x[^y]");
    expect(q("a{2,3}")).toBe("(?n)a{2,3}");
  });

  it("steps aside for a pattern holding NUL (Postgres text cannot)", () => {
    expect(toPostgresRegex({ pattern: "a\u0000b", fixedString: false, ignoreCase: false })).toBe(
      undefined,
    );
    expect(toPostgresRegex({ pattern: "\u0000", fixedString: true, ignoreCase: true })).toBe(
      undefined,
    );
  });

  it("anchors at a lone \\r as well as at newlines", () => {
    expect(q("^import")).toBe("(?n)(?:^|(?<=\\r))import");
    expect(q("end$")).toBe("(?n)end(?:$|(?=\\r))");
  });

  it("drops word boundaries (a superset) and steps aside where no superset exists", () => {
    expect(q("\\bword\\b")).toBe("(?n)word");
    for (const unsafe of [
      "\\W",
      "\\D",
      "\\S",
      "(a)\\1",
      "(?=x)",
      "(?<n>x)",
      "\\x41",
      "\\u0041",
      "[[:alpha:]]",
      "[]a]",
    ]) {
      expect(q(unsafe), unsafe).toBeUndefined();
    }
    expect(q("é", { ignoreCase: true })).toBeUndefined();
    expect(q("foo", { ignoreCase: true })).toBe("(?ni)foo");
  });

  it("widens what Postgres reads narrower: Unicode spaces, negated \\w and \\d, k and s folding", () => {
    expect(q("a\\sb")).toMatch(/^\(\?n\)a\[\\s\\u00a0.*\\ufeff\]b$/);
    expect(q("[^\\w\\d]")).toBe("(?n)[^a-zA-Z0-9_0-9]");
    expect(q("ks", { ignoreCase: true })).toBe("(?ni)[kK\\u212a][sS\\u017f]");
    expect(q("[a-z]", { ignoreCase: true })).toBe("(?ni)[a-z\\u212a\\u017f]");
  });

  it("escapes fixed strings character by character", () => {
    expect(q("a.b*(c)", { fixedString: true })).toBe("(?n)a\\.b\\*\\(c\\)");
  });

  it("turns braces that are not quantifiers into literals", () => {
    expect(q("f{x}")).toBe("(?n)f\\{x\\}");
  });
});
