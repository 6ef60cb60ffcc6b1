import { describe, expect, it, vi } from "vitest";
import { InvalidArgumentError } from "../errors.js";
import { bytes, errorCode, scratchVfs } from "../test-support.js";
import type { Vfs } from "../vfs.js";
import { compileGlob, glob } from "./glob.js";

const matches = (pattern: string, path: string) => compileGlob(pattern)(path);

function tree(paths: string[]): Vfs {
  const vfs = scratchVfs();
  for (const p of paths) {
    if (p.endsWith("/")) vfs.mkdir(p.slice(0, -1), { recursive: true });
    else vfs.writeFile(p, bytes(p));
  }
  return vfs;
}

describe("compileGlob: *, ? and literals", () => {
  it("matches a literal path exactly", () => {
    expect(matches("src/a.ts", "src/a.ts")).toBe(true);
    expect(matches("src/a.ts", "src/a.tsx")).toBe(false);
    expect(matches("src/a.ts", "x/src/a.ts")).toBe(false);
  });

  it("* matches within one segment, including nothing", () => {
    expect(matches("*.ts", "a.ts")).toBe(true);
    expect(matches("*.ts", ".ts")).toBe(true);
    expect(matches("*.ts", "dir/a.ts")).toBe(false);
    expect(matches("src/*", "src/a")).toBe(true);
    expect(matches("src/*", "src/a/b")).toBe(false);
    expect(matches("a*b*c", "abc")).toBe(true);
    expect(matches("a*b*c", "axxbyyc")).toBe(true);
    expect(matches("a*b*c", "axxbyy")).toBe(false);
  });

  it("? matches exactly one character, never a slash", () => {
    expect(matches("a?c", "abc")).toBe(true);
    expect(matches("a?c", "ac")).toBe(false);
    expect(matches("a?c", "a/c")).toBe(false);
  });

  it("? takes a whole astral character", () => {
    expect(matches("a?c", "a😀c")).toBe(true);
    expect(matches("a??c", "a😀c")).toBe(false);
  });

  it("is case-sensitive", () => {
    expect(matches("*.TS", "a.ts")).toBe(false);
  });

  it("treats regex metacharacters literally", () => {
    expect(matches("a.b+(c)|d$^", "a.b+(c)|d$^")).toBe(true);
    expect(matches("a.b", "axb")).toBe(false);
  });

  it("\\ escapes a special character", () => {
    expect(matches("\\*.ts", "*.ts")).toBe(true);
    expect(matches("\\*.ts", "a.ts")).toBe(false);
    expect(matches("\\[id\\].tsx", "[id].tsx")).toBe(true);
    expect(matches("\\{a,b\\}", "{a,b}")).toBe(true);
  });

  it("treats ** inside a segment like *", () => {
    expect(matches("a**b", "axxb")).toBe(true);
    expect(matches("a**b", "ax/xb")).toBe(false);
  });

  it("does not backtrack exponentially on many stars", () => {
    const pattern = `${"*a".repeat(200)}b`;
    const start = performance.now();
    expect(matches(pattern, "a".repeat(250))).toBe(false);
    expect(performance.now() - start).toBeLessThan(1000);
  });
});

describe("compileGlob: **", () => {
  it("matches zero or more segments between others", () => {
    expect(matches("src/**/*.ts", "src/a.ts")).toBe(true);
    expect(matches("src/**/*.ts", "src/x/a.ts")).toBe(true);
    expect(matches("src/**/*.ts", "src/x/y/z/a.ts")).toBe(true);
    expect(matches("src/**/*.ts", "lib/a.ts")).toBe(false);
    expect(matches("src/**/*.ts", "src/x/a.js")).toBe(false);
  });

  it("leading **/ matches at any depth, including the top", () => {
    expect(matches("**/*.ts", "a.ts")).toBe(true);
    expect(matches("**/*.ts", "x/y/a.ts")).toBe(true);
    expect(matches("**/test/*.ts", "test/a.ts")).toBe(true);
    expect(matches("**/test/*.ts", "p/test/a.ts")).toBe(true);
  });

  it("trailing /** matches the directory itself and everything below", () => {
    expect(matches("src/**", "src")).toBe(true);
    expect(matches("src/**", "src/a")).toBe(true);
    expect(matches("src/**", "src/a/b/c")).toBe(true);
    expect(matches("src/**", "srcx")).toBe(false);
  });

  it("** alone matches everything", () => {
    expect(matches("**", "a")).toBe(true);
    expect(matches("**", "a/b/.c")).toBe(true);
  });

  it("several ** in one pattern", () => {
    expect(matches("**/a/**/b", "a/b")).toBe(true);
    expect(matches("**/a/**/b", "x/a/y/z/b")).toBe(true);
    expect(matches("**/a/**/b", "x/a/y/z/c")).toBe(false);
  });
});

describe("compileGlob: dotfiles", () => {
  it("matches dotfiles and dot-directories like any name", () => {
    expect(matches("**/*.env", ".env")).toBe(true);
    expect(matches("**/*.env", "config/.env")).toBe(true);
    expect(matches("*", ".git")).toBe(true);
    expect(matches("**/config", ".git/config")).toBe(true);
  });
});

describe("compileGlob: character classes", () => {
  it("matches a set and a range", () => {
    expect(matches("[abc].ts", "b.ts")).toBe(true);
    expect(matches("[abc].ts", "d.ts")).toBe(false);
    expect(matches("file[0-9].txt", "file7.txt")).toBe(true);
    expect(matches("file[0-9].txt", "filex.txt")).toBe(false);
    expect(matches("[a-cx-z]", "y")).toBe(true);
  });

  it("negates with ! or ^, never matching a slash", () => {
    expect(matches("[!x].ts", "a.ts")).toBe(true);
    expect(matches("[!x].ts", "x.ts")).toBe(false);
    expect(matches("[^x].ts", "x.ts")).toBe(false);
    expect(matches("a[!x]b", "a/b")).toBe(false);
  });

  it("takes ] first in the set and - at either end literally", () => {
    expect(matches("[]a]", "]")).toBe(true);
    expect(matches("[!]]", "]")).toBe(false);
    expect(matches("[-a]", "-")).toBe(true);
    expect(matches("[a-]", "-")).toBe(true);
  });

  it("takes braces inside a class literally", () => {
    expect(matches("[{]x", "{x")).toBe(true);
  });

  it("matches astral characters in a class", () => {
    expect(matches("[😀x]", "😀")).toBe(true);
  });
});

describe("compileGlob: brace sets", () => {
  it("matches any alternative", () => {
    expect(matches("*.{ts,tsx}", "a.ts")).toBe(true);
    expect(matches("*.{ts,tsx}", "a.tsx")).toBe(true);
    expect(matches("*.{ts,tsx}", "a.js")).toBe(false);
  });

  it("allows nesting", () => {
    const m = compileGlob("{src/{a,b},lib}/*.ts");
    expect(m("src/a/x.ts")).toBe(true);
    expect(m("src/b/x.ts")).toBe(true);
    expect(m("lib/x.ts")).toBe(true);
    expect(m("src/c/x.ts")).toBe(false);
  });

  it("allows ** inside alternatives", () => {
    const m = compileGlob("{src/**/*.ts,*.md}");
    expect(m("src/a/b.ts")).toBe(true);
    expect(m("README.md")).toBe(true);
    expect(m("docs/README.md")).toBe(false);
  });

  it("allows empty alternatives", () => {
    expect(matches("a{,.bak}", "a")).toBe(true);
    expect(matches("a{,.bak}", "a.bak")).toBe(true);
  });

  it("treats a stray } and commas outside braces literally", () => {
    expect(matches("a}b", "a}b")).toBe(true);
    expect(matches("a,b", "a,b")).toBe(true);
  });
});

describe("compileGlob: absolute patterns and slashes", () => {
  it("matches absolute patterns against absolute paths only", () => {
    expect(matches("/src/*.ts", "/src/a.ts")).toBe(true);
    expect(matches("/src/*.ts", "src/a.ts")).toBe(false);
    expect(matches("src/*.ts", "/src/a.ts")).toBe(false);
  });

  it("ignores repeated and trailing slashes", () => {
    expect(matches("src//*.ts/", "src/a.ts")).toBe(true);
  });
});

describe("compileGlob: invalid patterns", () => {
  it.each([
    ["", "empty"],
    ["src/[abc", "unclosed ["],
    ["src/{a,b", "unclosed {"],
    ["{a,{b}", "unclosed nested {"],
    ["[z-a]", "reversed range"],
    ["abc\\", "trailing escape"],
    ["x".repeat(1025), "too long"],
    ["{a,b}".repeat(9), "too many alternatives"],
  ])("rejects %j (%s) with InvalidArgumentError", (pattern) => {
    expect(() => compileGlob(pattern)).toThrow(InvalidArgumentError);
  });

  it("accepts a pattern of exactly 1024 characters", () => {
    expect(() => compileGlob("x".repeat(1024))).not.toThrow();
  });
});

describe("glob", () => {
  const files = [
    "/README.md",
    "/.env",
    "/src/a.ts",
    "/src/a.test.ts",
    "/src/lib/b.ts",
    "/src/lib/c.js",
    "/src/.hidden/d.ts",
    "/node_modules/x/index.ts",
    "/empty/",
  ];

  it("matches paths relative to the root and returns them absolute", () => {
    const vfs = tree(files);
    expect(glob(vfs, "src/**/*.ts")).toEqual({
      paths: ["/src/.hidden/d.ts", "/src/a.test.ts", "/src/a.ts", "/src/lib/b.ts"],
      truncated: null,
    });
  });

  it("matches relative to options.path", () => {
    const vfs = tree(files);
    expect(glob(vfs, "*.ts", { path: "/src" }).paths).toEqual(["/src/a.test.ts", "/src/a.ts"]);
    expect(glob(vfs, "**/*.ts", { path: "/src/lib" }).paths).toEqual(["/src/lib/b.ts"]);
  });

  it("matches an absolute pattern against the absolute path", () => {
    const vfs = tree(files);
    expect(glob(vfs, "/src/lib/*", { path: "/src" }).paths).toEqual([
      "/src/lib/b.ts",
      "/src/lib/c.js",
    ]);
    expect(glob(vfs, "/src/*.ts", { path: "/node_modules" }).paths).toEqual([]);
  });

  it("finds dotfiles", () => {
    expect(glob(tree(files), "**/*.env").paths).toEqual(["/.env"]);
  });

  it("counts directories as entries", () => {
    const vfs = tree(files);
    expect(glob(vfs, "*").paths).toEqual([
      "/.env",
      "/README.md",
      "/empty",
      "/node_modules",
      "/src",
    ]);
  });

  it("lists symlinks without following symlinked directories", () => {
    const vfs = tree(["/real/inner.ts"]);
    vfs.symlink("/real", "/link");
    vfs.symlink("/real/inner.ts", "/file-link.ts");
    expect(glob(vfs, "**").paths).toEqual(["/file-link.ts", "/link", "/real", "/real/inner.ts"]);
  });

  it("walks a root given through a symlink, reporting paths under it", () => {
    const vfs = tree(["/real/inner.ts"]);
    vfs.symlink("/real", "/link");
    expect(glob(vfs, "*.ts", { path: "/link" }).paths).toEqual(["/link/inner.ts"]);
  });

  it("sorts by code unit across directory levels", () => {
    const vfs = tree(["/a/x", "/a.txt", "/a0", "/b", "/A", "/é", "/😀", "/\uffff"]);
    const { paths } = glob(vfs, "**");
    expect(paths).toEqual([...paths].sort());
    expect(paths).toEqual(["/A", "/a", "/a.txt", "/a/x", "/a0", "/b", "/é", "/😀", "/\uffff"]);
  });

  it("cuts at limit and says so, keeping the first paths in sorted order", () => {
    const vfs = tree(["/d/1", "/d/2", "/d/3", "/d/4", "/d/5"]);
    expect(glob(vfs, "d/*", { limit: 3 })).toEqual({
      paths: ["/d/1", "/d/2", "/d/3"],
      truncated: { reason: "limit", limit: 3 },
    });
  });

  it("does not report truncation when the matches exactly fill the limit", () => {
    const vfs = tree(["/d/1", "/d/2", "/d/3"]);
    expect(glob(vfs, "d/*", { limit: 3 }).truncated).toBeNull();
  });

  it("stops walking at maxEntries and says so", () => {
    const vfs = tree(["/d/1", "/d/2", "/d/3", "/e/4"]);
    // Walk order: /d, /d/1, /d/2, /d/3, /e, /e/4
    expect(glob(vfs, "**/*", { maxEntries: 3 })).toEqual({
      paths: ["/d", "/d/1", "/d/2"],
      truncated: { reason: "entries", limit: 3 },
    });
    expect(glob(vfs, "**/*", { maxEntries: 6 }).truncated).toBeNull();
  });

  it("does not list directories that cannot hold a match", () => {
    const vfs = tree(files);
    const readdir = vi.spyOn(vfs, "readdir");
    glob(vfs, "src/lib/*.ts");
    expect(readdir.mock.calls.map((c) => c[0])).toEqual(["/", "/src", "/src/lib"]);
  });

  it("propagates ENOENT and ENOTDIR for the root", () => {
    const vfs = tree(files);
    expect(errorCode(() => glob(vfs, "*", { path: "/missing" }))).toBe("ENOENT");
    expect(errorCode(() => glob(vfs, "*", { path: "/README.md" }))).toBe("ENOTDIR");
  });

  it("rejects out-of-range bounds", () => {
    const vfs = tree(files);
    expect(() => glob(vfs, "*", { limit: 0 })).toThrow(InvalidArgumentError);
    expect(() => glob(vfs, "*", { limit: 10_001 })).toThrow(InvalidArgumentError);
    expect(() => glob(vfs, "*", { limit: 1.5 })).toThrow(InvalidArgumentError);
    expect(() => glob(vfs, "*", { maxEntries: 0 })).toThrow(InvalidArgumentError);
    expect(glob(vfs, "*", { limit: 10_000 }).truncated).toBeNull();
  });

  it("rejects an invalid pattern before walking", () => {
    const vfs = tree(files);
    const readdir = vi.spyOn(vfs, "readdir");
    expect(() => glob(vfs, "[")).toThrow(InvalidArgumentError);
    expect(readdir).not.toHaveBeenCalled();
  });

  it("returns nothing for an empty tree", () => {
    expect(glob(scratchVfs(), "**")).toEqual({ paths: [], truncated: null });
  });
});
