import { describe, expect, it, vi } from "vitest";
import type { GrepQuery } from "../backend.js";
import { InvalidArgumentError } from "../errors.js";
import { Journal } from "../journal.js";
import { bytes, commitInto, scratchVfs } from "../test-support.js";
import { Vfs } from "../vfs.js";
import type { ContentCandidates } from "./contents.js";
import { compileGrep, type GrepOptions, grep } from "./grep.js";

function tree(files: Record<string, string | Uint8Array>): Vfs {
  const vfs = scratchVfs();
  for (const [path, content] of Object.entries(files)) {
    vfs.writeFile(path, typeof content === "string" ? bytes(content) : content);
  }
  return vfs;
}

/** The same tree, committed: content comes from the loader, as in production. */
function committed(files: Record<string, string | Uint8Array>): Vfs {
  const blobs = new Map<string, Uint8Array>();
  return scratchVfs(commitInto(tree(files), blobs), blobs);
}

/** Committed, with a record of every storage read: the hashes each one asked for. */
function committedWithLoads(files: Record<string, string>): { vfs: Vfs; loads: string[][] } {
  const blobs = new Map<string, Uint8Array>();
  const base = commitInto(tree(files), blobs);
  const loads: string[][] = [];
  const vfs = new Vfs(new Journal(base), async (hashes, prefetch) => {
    loads.push([...hashes, ...(prefetch?.().map((c) => c.hash) ?? [])]);
    return new Map(hashes.map((h) => [h, blobs.get(h)!]));
  });
  return { vfs, loads };
}

const test = (options: Partial<GrepOptions> & { pattern: string }, line: string) =>
  compileGrep(options)(line);

const where = (result: { matches: Array<{ path: string; line: number }> }) =>
  result.matches.map((m) => `${m.path}:${m.line}`);

describe("compileGrep: regular expressions", () => {
  it.each([
    ["foo.*bar", "a foo x bar", true],
    ["foo.*bar", "bar foo", false],
    ["\\s+$", "trailing  ", true],
    ["\\s+$", "none", false],
    ["[^x]", "xxx", false],
    ["[^x]", "xxy", true],
    ["^import", "import x from 'y'", true],
    ["^import", "  import x", false],
    ["\\bword\\b", "a word here", true],
    ["\\bword\\b", "swordfish", false],
    ["a|b", "xbx", true],
    ["(ab)+c", "ababc", true],
    ["\\d{3}-\\d{4}", "call 555-1234", true],
    ["\\p{Lu}", "abcÉ", true],
    ["colou?r", "color", true],
    ["x$", "ax", true],
  ])("%s on %j is %s", (pattern, line, expected) => {
    expect(test({ pattern }, line)).toBe(expected);
  });

  it("accepts escapes that only non-unicode mode allows", () => {
    expect(test({ pattern: "a\\:b" }, "a:b")).toBe(true);
    expect(test({ pattern: 'say \\"hi\\"' }, 'say "hi"')).toBe(true);
  });

  it("treats . and [^x] as whole code points when the pattern allows unicode mode", () => {
    expect(test({ pattern: "^a.b$" }, "a😀b")).toBe(true);
  });

  it("ignores case on request, and for a leading (?i)", () => {
    expect(test({ pattern: "hello" }, "HeLLo")).toBe(false);
    expect(test({ pattern: "hello", ignoreCase: true }, "HeLLo")).toBe(true);
    expect(test({ pattern: "(?i)hello" }, "HeLLo")).toBe(true);
  });

  it("matches whole words only with wholeWord", () => {
    expect(test({ pattern: "log", wholeWord: true }, "console.log(x)")).toBe(true);
    expect(test({ pattern: "log", wholeWord: true }, "logger")).toBe(false);
    expect(test({ pattern: "a|b", wholeWord: true }, "xa b")).toBe(true);
    expect(test({ pattern: "a|b", wholeWord: true }, "xa")).toBe(false);
  });

  it("keeps no state between calls (no /g lastIndex)", () => {
    const t = compileGrep({ pattern: "a" });
    expect([t("a"), t("a"), t("a")]).toEqual([true, true, true]);
  });
});

describe("compileGrep: fixed strings", () => {
  it("matches metacharacters literally", () => {
    expect(test({ pattern: "a.b(", fixedString: true }, "xa.b(y")).toBe(true);
    expect(test({ pattern: "a.b(", fixedString: true }, "axb(")).toBe(false);
    expect(test({ pattern: "[x]{2}|/\\", fixedString: true }, "[x]{2}|/\\")).toBe(true);
  });

  it("ignores case and matches whole words when asked", () => {
    expect(test({ pattern: "A.B", fixedString: true, ignoreCase: true }, "xa.by")).toBe(true);
    expect(test({ pattern: "a.b", fixedString: true, wholeWord: true }, "xa.b")).toBe(false);
    expect(test({ pattern: "a.b", fixedString: true, wholeWord: true }, "x a.b y")).toBe(true);
  });

  it("does not read (?i) as a flag", () => {
    expect(test({ pattern: "(?i)x", fixedString: true }, "(?i)x")).toBe(true);
    expect(test({ pattern: "(?i)x", fixedString: true }, "X")).toBe(false);
  });
});

describe("compileGrep: invalid patterns", () => {
  it("rejects an empty pattern", () => {
    expect(() => compileGrep({ pattern: "" })).toThrow(InvalidArgumentError);
  });

  it("rejects a pattern over 4096 characters", () => {
    expect(() => compileGrep({ pattern: "a".repeat(4097) })).toThrow(InvalidArgumentError);
    expect(() => compileGrep({ pattern: "a".repeat(4096) })).not.toThrow();
  });

  it("rejects an invalid regex, saying why", () => {
    expect(() => compileGrep({ pattern: "foo(" })).toThrow(/invalid regular expression.*foo\(/i);
    expect(() => compileGrep({ pattern: "[z-a]" })).toThrow(InvalidArgumentError);
    expect(() => compileGrep({ pattern: "(?i)" })).toThrow(InvalidArgumentError);
  });

  it("accepts an invalid regex as a fixed string", () => {
    expect(test({ pattern: "foo(", fixedString: true }, "foo()")).toBe(true);
  });
});

describe("grep: lines", () => {
  it("reports matching lines with 1-based numbers across line ending styles", async () => {
    const vfs = tree({ "/f": "zero\r\nfoo one\rtwo\nfoo three" });
    const result = await grep(vfs, { pattern: "foo" });
    expect(result.matches.map((m) => [m.line, m.text])).toEqual([
      [2, "foo one"],
      [4, "foo three"],
    ]);
  });

  it("never matches across a line break", async () => {
    const vfs = tree({ "/f": "a\nb\r\na\rb\n" });
    for (const pattern of ["a\\nb", "a.b", "a\\sb", "a[^x]b", "a\\r?\\n?b", "a$\\n^b"]) {
      expect((await grep(vfs, { pattern })).matches, pattern).toEqual([]);
    }
  });

  it("anchors ^ and $ at each line", async () => {
    const vfs = tree({ "/f": "x\r\nfoo\r\nxfoo\rfoox\n" });
    expect(where(await grep(vfs, { pattern: "^foo$" }))).toEqual(["/f:2"]);
  });

  it("matches empty lines with ^$", async () => {
    const vfs = tree({ "/f": "a\n\r\n\nb\n" });
    expect(where(await grep(vfs, { pattern: "^$" }))).toEqual(["/f:2", "/f:3"]);
  });

  it("applies lookarounds within the line only", async () => {
    const vfs = tree({ "/f": "a\nfoo\nfoob\n" });
    expect(where(await grep(vfs, { pattern: "(?<!a\\n)foo(?!b)" }))).toEqual(["/f:2"]);
    expect(where(await grep(vfs, { pattern: "(?<![a\\n])foo" }))).toEqual(["/f:2", "/f:3"]);
  });

  it("gives before/after context, clipped at the file's edges", async () => {
    const vfs = tree({ "/f": "1\n2\nhit\n4\n5\n6\nhit\n" });
    const result = await grep(vfs, { pattern: "hit", context: 2 });
    expect(result.matches).toEqual([
      {
        path: "/f",
        line: 3,
        text: "hit",
        cut: false,
        before: [
          { line: 1, text: "1" },
          { line: 2, text: "2" },
        ],
        after: [
          { line: 4, text: "4" },
          { line: 5, text: "5" },
        ],
      },
      {
        path: "/f",
        line: 7,
        text: "hit",
        cut: false,
        before: [
          { line: 5, text: "5" },
          { line: 6, text: "6" },
        ],
        after: [],
      },
    ]);
  });

  it("gives each match its own context even when matches are adjacent", async () => {
    const vfs = tree({ "/f": "hit\nhit\n" });
    const result = await grep(vfs, { pattern: "hit", context: 1 });
    expect(result.matches.map((m) => [m.before, m.after])).toEqual([
      [[], [{ line: 2, text: "hit" }]],
      [[{ line: 1, text: "hit" }], []],
    ]);
  });

  it("cuts long lines UTF-8 safely and flags the cut", async () => {
    const vfs = tree({ "/f": `${"é".repeat(10)}needle\nshort needle\n${"x".repeat(20)}\n` });
    const result = await grep(vfs, { pattern: "needle", maxLineBytes: 5, context: 1 });
    expect(result.matches[0]).toMatchObject({ line: 1, text: "éé", cut: true });
    expect(result.matches[1]).toMatchObject({
      line: 2,
      text: "short",
      cut: true,
      after: [{ line: 3, text: "xxxxx" }],
    });
    const whole = await grep(vfs, { pattern: "short" });
    expect(whole.matches[0]).toMatchObject({ text: "short needle", cut: false });
  });

  it("drops a UTF-8 byte order mark so ^ works on the first line", async () => {
    const vfs = tree({ "/f": Uint8Array.of(0xef, 0xbb, 0xbf, ...bytes("import x\n")) });
    expect(where(await grep(vfs, { pattern: "^import" }))).toEqual(["/f:1"]);
  });
});

describe("grep: files", () => {
  const files = {
    "/src/a.ts": "const needle = 1;\n",
    "/src/b.js": "needle();\n",
    "/src/deep/c.ts": "no match\nneedle\n",
    "/src/deep/d.ts": "nothing here\n",
    "/README.md": "the needle\n",
    "/a.txt": "needle\n",
    "/a/x": "needle\n",
    "/empty": "",
  };

  it("searches every file under the root, sorted by path then line", async () => {
    const result = await grep(tree(files), { pattern: "needle" });
    expect(where(result)).toEqual([
      "/README.md:1",
      "/a.txt:1",
      "/a/x:1",
      "/src/a.ts:1",
      "/src/b.js:1",
      "/src/deep/c.ts:2",
    ]);
    expect(result.filesSearched).toBe(8);
    expect(result.filesMatched).toBe(6);
    expect(result.skipped).toEqual({ tooLarge: 0, binary: 0 });
    expect(result.truncated).toBeNull();
  });

  it("searches under options.path only", async () => {
    const result = await grep(tree(files), { pattern: "needle", path: "/src/deep" });
    expect(where(result)).toEqual(["/src/deep/c.ts:2"]);
    expect(result.filesSearched).toBe(2);
  });

  it("searches a single file given as path", async () => {
    const result = await grep(tree(files), { pattern: "needle", path: "/src/b.js" });
    expect(where(result)).toEqual(["/src/b.js:1"]);
  });

  it("ignores the glob for a single file given as path", async () => {
    const result = await grep(tree(files), { pattern: "needle", path: "/src/b.js", glob: "*.ts" });
    expect(where(result)).toEqual(["/src/b.js:1"]);
  });

  it("filters on the path relative to the root with glob", async () => {
    const vfs = tree(files);
    expect(where(await grep(vfs, { pattern: "needle", glob: "**/*.ts" }))).toEqual([
      "/src/a.ts:1",
      "/src/deep/c.ts:2",
    ]);
    expect(where(await grep(vfs, { pattern: "needle", glob: "*.ts", path: "/src" }))).toEqual([
      "/src/a.ts:1",
    ]);
    const filtered = await grep(vfs, { pattern: "needle", glob: "*.{md,txt}" });
    expect(where(filtered)).toEqual(["/README.md:1", "/a.txt:1"]);
    expect(filtered.filesSearched).toBe(2);
  });

  it("does not follow symlinks while walking, but reads a symlink named as path", async () => {
    const vfs = tree({ "/real/f": "needle\n" });
    vfs.symlink("/real", "/dir-link");
    vfs.symlink("/real/f", "/file-link");
    expect(where(await grep(vfs, { pattern: "needle" }))).toEqual(["/real/f:1"]);
    expect(where(await grep(vfs, { pattern: "needle", path: "/file-link" }))).toEqual([
      "/file-link:1",
    ]);
    expect(where(await grep(vfs, { pattern: "needle", path: "/dir-link" }))).toEqual([
      "/dir-link/f:1",
    ]);
  });

  it("skips and counts binary files", async () => {
    const vfs = tree({
      "/bin/nul": bytes("needle\0"),
      "/bin/latin1": Uint8Array.of(0x6e, 0x65, 0x65, 0x64, 0x6c, 0x65, 0xe9),
      "/text": "needle\n",
    });
    const result = await grep(vfs, { pattern: "needle" });
    expect(where(result)).toEqual(["/text:1"]);
    expect(result.skipped).toEqual({ tooLarge: 0, binary: 2 });
    expect(result.filesSearched).toBe(1);
  });

  it("skips and counts files over maxFileBytes without reading them", async () => {
    const vfs = committed({ "/big": "needle needle\n", "/small": "needle\n" });
    const readFiles = vi.spyOn(vfs, "readFiles");
    const result = await grep(vfs, { pattern: "needle", maxFileBytes: 10 });
    expect(where(result)).toEqual(["/small:1"]);
    expect(result.skipped).toEqual({ tooLarge: 1, binary: 0 });
    expect(readFiles.mock.calls.flatMap((c) => c[0])).toEqual(["/small"]);
  });

  it("does not read empty files", async () => {
    const vfs = tree({ "/empty": "" });
    const readFiles = vi.spyOn(vfs, "readFiles");
    const result = await grep(vfs, { pattern: "^" });
    expect(result).toMatchObject({ matches: [], filesSearched: 1 });
    expect(readFiles).not.toHaveBeenCalled();
  });

  it("propagates ENOENT for a missing path", async () => {
    await expect(grep(tree(files), { pattern: "x", path: "/missing" })).rejects.toMatchObject({
      code: "ENOENT",
    });
  });

  it("reads files in batches of 64, one storage read each, no siblings along", async () => {
    const many: Record<string, string> = {};
    for (let i = 0; i < 150; i++) many[`/d/f${String(i).padStart(3, "0")}`] = `line ${i}\n`;
    const { vfs, loads } = committedWithLoads(many);
    const result = await grep(vfs, { pattern: "line" });
    expect(result.matches).toHaveLength(150);
    expect(loads.map((hashes) => hashes.length)).toEqual([64, 64, 22]);
  });
});

describe("grep: maxResults", () => {
  const files = {
    "/a": "hit\nhit\n",
    "/b": "hit\n",
    "/c": "miss\n",
    "/d": "hit\n",
  };

  it("stops at maxResults and reports truncation", async () => {
    const vfs = committed(files);
    const result = await grep(vfs, { pattern: "hit", maxResults: 2 });
    expect(where(result)).toEqual(["/a:1", "/a:2"]);
    expect(result.truncated).toEqual({ reason: "results", limit: 2 });
    expect(result.filesMatched).toBe(1);
  });

  it("counts only the files reached before stopping", async () => {
    const vfs = committed(files);
    const result = await grep(vfs, { pattern: "hit", maxResults: 3 });
    expect(where(result)).toEqual(["/a:1", "/a:2", "/b:1"]);
    expect(result).toMatchObject({ filesSearched: 4, filesMatched: 2 });
    expect(result.truncated).toEqual({ reason: "results", limit: 3 });
  });

  it("does not report truncation when the matches exactly fill the limit", async () => {
    const result = await grep(committed(files), { pattern: "hit", maxResults: 4 });
    expect(result.matches).toHaveLength(4);
    expect(result.truncated).toBeNull();
  });

  it("stops reading files once the limit is passed", async () => {
    const many: Record<string, string> = {};
    for (let i = 0; i < 300; i++) many[`/f${String(i).padStart(3, "0")}`] = "hit\n";
    const vfs = committed(many);
    const readFiles = vi.spyOn(vfs, "readFiles");
    const result = await grep(vfs, { pattern: "hit", maxResults: 5 });
    expect(result.matches).toHaveLength(5);
    expect(readFiles.mock.calls.flatMap((c) => c[0]).length).toBeLessThanOrEqual(64);
  });
});

describe("grep: time budget", () => {
  // Exponential backtracking: each extra "a" doubles the work (minutes at 40).
  const catastrophic = "(a+)+$";
  const evil = `${"a".repeat(40)}!`;

  it("stops a catastrophic regex mid-match and says so, keeping earlier matches", async () => {
    const vfs = committed({ "/a": "aaa\n", "/b": `${evil}\n`, "/c": "aaa\n" });
    const started = Date.now();
    const result = await grep(vfs, { pattern: catastrophic, timeBudgetMs: 200 });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result.truncated).toEqual({ reason: "time", limit: 200 });
    expect(where(result)).toEqual(["/a:1"]);
  });

  it("lets the same regex finish within a budget large enough", async () => {
    const slow = `${"a".repeat(18)}!\n`; // backtracks, but for milliseconds
    const vfs = committed({ "/a": slow, "/b": slow, "/c": "aaa\n" });
    const result = await grep(vfs, { pattern: catastrophic, timeBudgetMs: 60_000 });
    expect(result.truncated).toBeNull();
    expect(where(result)).toEqual(["/c:1"]);
  });

  it("leaves an ordinary search untouched", async () => {
    const result = await grep(committed({ "/a": "foo bar\n" }), { pattern: "foo.*bar" });
    expect(result.truncated).toBeNull();
    expect(where(result)).toEqual(["/a:1"]);
  });
});

describe("grep: option validation", () => {
  it.each([
    [{ timeBudgetMs: 0 }],
    [{ context: -1 }],
    [{ context: 21 }],
    [{ context: 1.5 }],
    [{ maxResults: 0 }],
    [{ maxResults: 10_001 }],
    [{ maxLineBytes: 0 }],
    [{ maxFileBytes: -1 }],
    [{ glob: "[" }],
    [{ pattern: "" }],
    [{ pattern: "(" }],
  ])("rejects %j with InvalidArgumentError", async (bad) => {
    await expect(grep(tree({ "/f": "x" }), { pattern: "x", ...bad })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
  });

  it("accepts the bounds themselves", async () => {
    const result = await grep(tree({ "/f": "x" }), {
      pattern: "x",
      context: 20,
      maxResults: 10_000,
      maxLineBytes: 1,
      maxFileBytes: 0,
    });
    expect(result.skipped.tooLarge).toBe(1);
  });
});

describe("grep: candidates", () => {
  const files = { "/a": "needle\n", "/b": "needle\n", "/c": "hay\n" };

  it("asks once with the committed files' paths, hashes and sizes, and the query", async () => {
    const vfs = committed(files);
    const asked: Array<{ path: string; hash: string; size: number }> = [];
    const queries: GrepQuery[] = [];
    await grep(vfs, { pattern: "needle", ignoreCase: true }, async (list, query) => {
      asked.push(...list);
      queries.push(query);
      return undefined;
    });
    expect(queries).toEqual([{ pattern: "needle", fixedString: false, ignoreCase: true }]);
    expect(asked.map((f) => [f.path, f.size])).toEqual([
      ["/a", 7],
      ["/b", 7],
      ["/c", 4],
    ]);
    expect(asked[0]!.hash).toBe(vfs.stat("/a").blob);
  });

  it("does not read files the hook rules out (they count as searched)", async () => {
    const vfs = committed(files);
    const readFiles = vi.spyOn(vfs, "readFiles");
    const hashA = vfs.stat("/a").blob!;
    const result = await grep(vfs, { pattern: "needle" }, async () => new Set([hashA]));
    // /b shares /a's content, so its hash is a candidate too.
    expect(where(result)).toEqual(["/a:1", "/b:1"]);
    expect(readFiles.mock.calls.flatMap((c) => c[0])).toEqual(["/a", "/b"]);
    expect(result.filesSearched).toBe(3);
  });

  it("reads everything when the hook returns undefined", async () => {
    const vfs = committed(files);
    const readFiles = vi.spyOn(vfs, "readFiles");
    await grep(vfs, { pattern: "needle" }, async () => undefined);
    expect(readFiles.mock.calls.flatMap((c) => c[0])).toHaveLength(3);
  });

  it("trusts the hook: a file it rules out is not reported", async () => {
    const vfs = committed(files);
    const result = await grep(vfs, { pattern: "needle" }, async () => new Set<string>());
    expect(result.matches).toEqual([]);
  });

  it("always reads files written in this Vfs and not yet stored", async () => {
    const vfs = committed(files);
    vfs.writeFile("/new", bytes("new needle\n"));
    const hook = vi.fn<ContentCandidates>(async () => new Set<string>());
    const result = await grep(vfs, { pattern: "needle" }, hook);
    expect(where(result)).toEqual(["/new:1"]);
    expect(hook.mock.calls[0]![0].map((f) => f.path)).toEqual(["/a", "/b", "/c"]);
  });

  it("is not called when there is nothing to ask about", async () => {
    const hook = vi.fn<ContentCandidates>(async () => undefined);
    await grep(tree({ "/pending": "x" }), { pattern: "x" }, hook);
    await grep(committed({ "/empty": "" }), { pattern: "x" }, hook);
    expect(hook).not.toHaveBeenCalled();
  });

  it("is not asked about files over maxFileBytes", async () => {
    const hook = vi.fn<ContentCandidates>(async () => undefined);
    await grep(
      committed({ "/big": "x".repeat(100), "/s": "x" }),
      { pattern: "x", maxFileBytes: 10 },
      hook,
    );
    expect(hook.mock.calls[0]![0].map((f) => f.path)).toEqual(["/s"]);
  });
});
