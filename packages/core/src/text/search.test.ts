import { describe, expect, it } from "vitest";
import type { FileMeta } from "../backend.js";
import { FsError, InvalidArgumentError } from "../errors.js";
import { bytes, commitInto, scratchVfs, seededRandom } from "../test-support.js";
import type { Vfs } from "../vfs.js";
import type { ContentCandidates } from "./contents.js";
import { normalizeFileMeta } from "./meta.js";
import { type SearchOptions, search, searchCandidateQuery } from "./search.js";
import { termsOf } from "./terms.js";

type Files = Record<string, string | Uint8Array | { text: string; meta: Partial<FileMeta> }>;

function committed(files: Files): Vfs {
  const vfs = scratchVfs();
  for (const [path, content] of Object.entries(files)) {
    if (typeof content === "string" || content instanceof Uint8Array) {
      vfs.writeFile(path, typeof content === "string" ? bytes(content) : content);
    } else {
      vfs.writeFile(path, bytes(content.text));
      vfs.setMeta(path, normalizeFileMeta(content.meta));
    }
  }
  const blobs = new Map<string, Uint8Array>();
  return scratchVfs(commitInto(vfs, blobs), blobs);
}

const paths = (result: { hits: Array<{ path: string }> }) => result.hits.map((h) => h.path);

describe("termsOf", () => {
  it.each([
    ["Hello, World!", ["hello", "world"]],
    ["parseConfig(x)", ["parseconfig", "parse", "config", "x"]],
    ["HTTPServer", ["httpserver", "http", "server"]],
    ["max_retries kebab-case", ["max", "retrie", "kebab", "case"]],
    ["utf8 v2", ["utf8", "utf", "8", "v2", "v", "2"]],
    ["tests files class status is bus", ["test", "file", "class", "status", "is", "bus"]],
    ["Ünïcödé ÉCOLE", ["ünïcödé", "école"]],
  ])("%j → %j", (text, terms) => {
    expect(termsOf(text)).toEqual(terms);
  });

  it("skips runs longer than 64 characters (minified code, base64)", () => {
    expect(termsOf(`${"a".repeat(65)} ok`)).toEqual(["ok"]);
  });

  it("gives terms that are prefixes of a lowercased piece of the text", () => {
    const text = "getUserNames HTTPSProxies x_y9z";
    for (const term of termsOf(text)) expect(text.toLowerCase()).toContain(term);
  });
});

describe("normalizeFileMeta", () => {
  it("keeps tags in order without duplicates and trims the summary", () => {
    expect(normalizeFileMeta({ tags: ["b", "a", "b"], summary: "  Parses config.  " })).toEqual({
      tags: ["b", "a"],
      summary: "Parses config.",
    });
  });

  it("reads an empty summary as none", () => {
    expect(normalizeFileMeta({ summary: "   " })).toEqual({ tags: [], summary: null });
  });

  it.each([
    [{ tags: "auth" }],
    [{ tags: [""] }],
    [{ tags: ["two words"] }],
    [{ tags: ["tab\there"] }],
    [{ tags: ["x".repeat(65)] }],
    [{ tags: Array.from({ length: 33 }, (_, i) => `t${i}`) }],
    [{ tags: [1] }],
    [{ summary: "line one\nline two" }],
    [{ summary: "a\rb" }],
    [{ summary: "x".repeat(501) }],
    [{ summary: 5 }],
  ])("rejects %j", (input) => {
    expect(() => normalizeFileMeta(input)).toThrow(InvalidArgumentError);
  });
});

describe("Vfs.setMeta", () => {
  it("follows the inode through renames, hard links and copies, and survives writes", () => {
    const vfs = committed({ "/a.ts": "x" });
    const meta = { tags: ["entry"], summary: "The entry point." };
    vfs.setMeta("/a.ts", meta);
    vfs.rename("/a.ts", "/b.ts");
    vfs.link("/b.ts", "/c.ts");
    vfs.copy("/b.ts", "/d.ts");
    vfs.writeFile("/b.ts", bytes("changed"));
    for (const path of ["/b.ts", "/c.ts", "/d.ts"]) expect(vfs.stat(path).meta).toEqual(meta);
  });

  it("removes the meta when given none or an empty one, keeping mtime", () => {
    const vfs = committed({ "/a": "x" });
    const mtime = vfs.stat("/a").mtimeMs;
    vfs.setMeta("/a", { tags: ["t"], summary: null });
    vfs.setMeta("/a", { tags: [], summary: null });
    expect(vfs.stat("/a").meta).toBeNull();
    expect(vfs.stat("/a").mtimeMs).toBe(mtime);
  });

  it("fails with EISDIR on a directory and ENOENT on a missing path", () => {
    const vfs = committed({ "/d/f": "x" });
    expect(() => vfs.setMeta("/d", null)).toThrow(expect.objectContaining({ code: "EISDIR" }));
    expect(() => vfs.setMeta("/nope", null)).toThrow(FsError);
  });
});

describe("search: ranking", () => {
  it("finds files holding any of the words, best first", async () => {
    const vfs = committed({
      "/both.md": "retry with backoff\n",
      "/retry.md": "retry once\n",
      "/none.md": "nothing here\n",
    });
    const result = await search(vfs, { query: "retry backoff" });
    expect(paths(result)).toEqual(["/both.md", "/retry.md"]);
    expect(result.hits[0]!.terms).toEqual(["retry", "backoff"]);
    expect(result.totalHits).toBe(2);
    expect(result.truncated).toBeNull();
  });

  it("ranks more occurrences higher, with diminishing returns", async () => {
    const vfs = committed({
      "/a": "cache\n".repeat(1) + "x\n".repeat(9),
      "/b": "cache\n".repeat(5) + "x\n".repeat(5),
    });
    const result = await search(vfs, { query: "cache" });
    expect(paths(result)).toEqual(["/b", "/a"]);
    expect(result.hits[0]!.score).toBeLessThan(result.hits[1]!.score * 5);
  });

  it("weighs a rare word over a common one", async () => {
    const files: Files = { "/rare": "lease token\n", "/common": "token token\n" };
    for (let i = 0; i < 8; i++) files[`/other${i}`] = "token\n";
    const result = await search(committed(files), { query: "lease token" });
    expect(paths(result)[0]).toBe("/rare");
  });

  it("ranks a word in the tags over the summary over the path over the content", async () => {
    const vfs = committed({
      "/a/content.txt": "auth\n",
      "/a/auth.txt": "x\n",
      "/a/summary.txt": { text: "x\n", meta: { summary: "Handles auth for the API." } },
      "/a/tags.txt": { text: "x\n", meta: { tags: ["auth"] } },
    });
    const result = await search(vfs, { query: "auth" });
    expect(paths(result)).toEqual([
      "/a/tags.txt",
      "/a/summary.txt",
      "/a/auth.txt",
      "/a/content.txt",
    ]);
  });

  it("orders equal scores by path and is deterministic", async () => {
    const vfs = committed({ "/b": "same\n", "/a": "same\n", "/c": "same\n" });
    const first = await search(vfs, { query: "same" });
    expect(paths(first)).toEqual(["/a", "/b", "/c"]);
    expect(await search(vfs, { query: "same" })).toEqual(first);
  });

  it("matches parts of identifiers and plurals", async () => {
    const vfs = committed({ "/a.ts": "export function parseConfigFiles() {}\n" });
    for (const query of ["config", "parse", "file", "files", "parseConfigFiles", "CONFIG"]) {
      expect(paths(await search(vfs, { query })), query).toEqual(["/a.ts"]);
    }
    expect(paths(await search(vfs, { query: "conf" }))).toEqual([]);
  });
});

describe("search: what comes back", () => {
  it("shows up to 3 lines with the most words, in line order, cut at 200 bytes", async () => {
    const long = `alpha ${"z".repeat(300)}`;
    const vfs = committed({
      "/f": ["alpha", "beta", "alpha beta", "gamma", long, "alpha beta gamma"].join("\r\n"),
    });
    const [hit] = (await search(vfs, { query: "alpha beta gamma" })).hits;
    expect(hit!.lines.map((l) => l.line)).toEqual([1, 3, 6]);
    expect(hit!.lines[2]!.text).toBe("alpha beta gamma");
    const cut = (await search(committed({ "/g": long }), { query: "alpha" })).hits[0]!.lines[0]!;
    expect(cut.text).toBe(long.slice(0, 200));
  });

  it("splits lines at \\n, \\r\\n and a lone \\r", async () => {
    const vfs = committed({ "/f": "a\rneedle\r\nb\nneedle" });
    const [hit] = (await search(vfs, { query: "needle" })).hits;
    expect(hit!.lines).toEqual([
      { line: 2, text: "needle" },
      { line: 4, text: "needle" },
    ]);
  });

  it("returns the file's tags and summary", async () => {
    const vfs = committed({ "/f": { text: "needle\n", meta: { tags: ["x"], summary: "S." } } });
    expect((await search(vfs, { query: "needle" })).hits[0]).toMatchObject({
      tags: ["x"],
      summary: "S.",
    });
  });

  it("cuts at limit and says so", async () => {
    const files: Files = {};
    for (let i = 0; i < 5; i++) files[`/f${i}`] = "word\n";
    const result = await search(committed(files), { query: "word", limit: 2 });
    expect(paths(result)).toEqual(["/f0", "/f1"]);
    expect(result).toMatchObject({ totalHits: 5, truncated: { reason: "results", limit: 2 } });
  });
});

describe("search: the indexOf shortcut for ASCII words", () => {
  it("finds the same lines as splitting every line (seeded texts, every line ending)", async () => {
    const random = seededRandom(5);
    const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
    const words = ["Needle", "needles", "hay", "NEEDLEwork", "x", "", "café", "\u212aey"];
    for (let round = 0; round < 100; round++) {
      let text = "";
      for (let i = 0; i < 12; i++) {
        text += `${pick(words)} ${pick(words)}${pick(["\n", "\r\n", "\r", "\n\r", ""])}`;
      }
      const vfs = committed({ "/f": text });
      // "ü" is in no text: it changes nothing but forces the line-by-line path.
      const fast = await search(vfs, { query: "needle key" });
      const slow = await search(vfs, { query: "needle key ü" });
      expect(slow.hits, JSON.stringify(text)).toEqual(fast.hits);
    }
  });
});

describe("search: scope and filters", () => {
  const files: Files = {
    "/src/a.ts": { text: "token\n", meta: { tags: ["api", "auth"] } },
    "/src/b.ts": { text: "token\n", meta: { tags: ["api"] } },
    "/docs/c.md": "token\n",
  };

  it("searches under path only, and a single file", async () => {
    const vfs = committed(files);
    expect(paths(await search(vfs, { query: "token", path: "/src" }))).toEqual([
      "/src/a.ts",
      "/src/b.ts",
    ]);
    expect(paths(await search(vfs, { query: "token", path: "/docs/c.md" }))).toEqual([
      "/docs/c.md",
    ]);
  });

  it("filters with a glob relative to path", async () => {
    const vfs = committed(files);
    expect(paths(await search(vfs, { query: "token", glob: "**/*.md" }))).toEqual(["/docs/c.md"]);
  });

  it("keeps only files with every tag given; tags alone list them by path", async () => {
    const vfs = committed(files);
    const both = await search(vfs, { query: "token", tags: ["api", "auth"] });
    expect(paths(both)).toEqual(["/src/a.ts"]);
    const tagged = await search(vfs, { query: "", tags: ["api"] });
    expect(paths(tagged)).toEqual(["/src/a.ts", "/src/b.ts"]);
    expect(tagged.hits.map((h) => h.score)).toEqual([0, 0]);
  });

  it("ranks binary and too-large files on path and meta only, counting the large ones", async () => {
    const vfs = committed({
      "/logo-token.png": new Uint8Array([0, 1, 2, 0x74]),
      "/big": "token\n".repeat(100),
      "/small": "token\n",
    });
    const result = await search(vfs, { query: "token", maxFileBytes: 50 });
    expect(paths(result)).toEqual(["/small", "/logo-token.png"]);
    expect(result.skipped).toEqual({ tooLarge: 1 });
    expect(result.filesSearched).toBe(3);
  });

  it("propagates ENOENT for a missing path", async () => {
    await expect(search(committed({}), { query: "x", path: "/nope" })).rejects.toMatchObject({
      code: "ENOENT",
    });
  });
});

describe("search: invalid queries", () => {
  it.each([
    [{ query: "" }],
    [{ query: "  ...  " }],
    [{ query: "x".repeat(1001) }],
    [{ query: Array.from({ length: 33 }, (_, i) => `w${i}`).join(" ") }],
    [{ query: "x", limit: 0 }],
    [{ query: "x", limit: 201 }],
    [{ query: "x", glob: "[" }],
  ] as Array<[SearchOptions]>)("rejects %j with InvalidArgumentError", async (options) => {
    await expect(search(committed({ "/f": "x" }), options)).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
  });
});

describe("search: candidates from an index", () => {
  it("asks with a case-insensitive alternation of the words", () => {
    expect(searchCandidateQuery(["a.b", "c"])).toEqual({
      pattern: "a\\.b|c",
      fixedString: false,
      ignoreCase: true,
    });
  });

  it("does not trust an index with a non-ASCII word", () => {
    expect(searchCandidateQuery(["école"])).toBeUndefined();
  });

  it("gives the same answer with any superset of the true candidates (seeded)", async () => {
    const random = seededRandom(11);
    const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
    const words = ["retry", "Retries", "parseConfig", "CONFIG", "token", "tokens", "KELVIN", "x_y"];
    for (let round = 0; round < 150; round++) {
      const files: Files = {};
      const count = 1 + Math.floor(random() * 8);
      for (let i = 0; i < count; i++) {
        const line = () => Array.from({ length: 1 + Math.floor(random() * 4) }, () => pick(words));
        const text = Array.from({ length: 1 + Math.floor(random() * 4) }, () =>
          line().join(" "),
        ).join(pick(["\n", "\r\n", "\r"]));
        files[`/d${i % 3}/f${i}.txt`] =
          random() < 0.3 ? { text, meta: { tags: [pick(words)], summary: pick(words) } } : text;
      }
      const vfs = committed(files);
      const query = Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(words)).join(
        " ",
      );
      const plain = await search(vfs, { query });
      // A sloppy index: every file that truly holds a word, plus random others.
      const sloppy: ContentCandidates = async (list, grepQuery) => {
        const re = new RegExp(grepQuery.pattern, "i");
        const keep = new Set<string>();
        for (const f of list) {
          const text = new TextDecoder().decode(await vfs.readFile(f.path));
          if (re.test(text) || random() < 0.3) keep.add(f.hash);
        }
        return keep;
      };
      expect(await search(vfs, { query }, sloppy), JSON.stringify({ round, query })).toEqual(plain);
    }
  });
});

describe("search: semantic mode", () => {
  it("shows the best `limit` files by similarity, equal scores by path, as a full sort would", async () => {
    const random = seededRandom(20);
    const files: Files = {};
    // 60 files, 12 distinct contents: files that share a content share a score.
    for (let i = 0; i < 60; i++) files[`/d${i % 4}/f${(i * 37) % 60}.txt`] = `text ${i % 12}\n`;
    const vfs = committed(files);
    const byHash = new Map<string, number>();
    for (let i = 0; i < 12; i++) {
      const hash = vfs.stat(`/d${i % 4}/f${(i * 37) % 60}.txt`).blob!;
      // Some at 0 or below (not hits), some rounding to the same 4 decimals.
      byHash.set(hash, i < 2 ? -i * 0.1 : Math.round(random() * 4) / 10 + random() * 1e-6);
    }
    const asked: string[][] = [];
    const ranking = {
      mode: "semantic" as const,
      similarities: async (hashes: string[]) => {
        asked.push(hashes);
        return { scores: byHash, missing: 0 };
      },
    };
    const expected = Object.keys(files)
      .map((path) => ({ path, score: Math.round(byHash.get(vfs.stat(path).blob!)! * 1e4) / 1e4 }))
      .filter((h) => h.score > 0)
      .sort((a, b) => b.score - a.score || (a.path < b.path ? -1 : 1));
    for (const limit of [1, 3, 7, 49, 60]) {
      const result = await search(vfs, { query: "text", limit }, undefined, ranking);
      expect(result.hits.map((h) => ({ path: h.path, score: h.score }))).toEqual(
        expected.slice(0, limit),
      );
      expect(result.totalHits).toBe(expected.length);
      expect(result.truncated).toEqual(
        expected.length > limit ? { reason: "results", limit } : null,
      );
      expect(result.hits[0]).toMatchObject({ terms: ["text"], lines: [{ line: 1 }] });
    }
    // Each distinct content is asked about once.
    expect(new Set(asked[0]).size).toBe(12);
    expect(asked[0]).toHaveLength(12);
  });
});
