/**
 * Cases for searchFiles (GET /v1/sandboxes/{id}/fs/search): ranked by words over content, tags,
 * summary and path; the same ranking on every backend whether or not the content is indexed yet.
 */
import { defineCases } from "../../case.js";
import { assert, expectProblem } from "../../harness/assert.js";
import {
  binaryFile,
  type SearchResult,
  searchRaw,
  searchSettled,
  setMeta,
  textFiles,
} from "../text-support.js";

const paths = (res: SearchResult) => res.hits.map((h) => h.path);

export default defineCases("search", "search-files", {
  "any-word-best-first": [
    "Files holding any of the words come back, the one holding both first, with the words each holds.",
    async (ctx) => {
      const sb = await ctx.sandbox({
        files: textFiles({
          "/both.md": "retry with backoff\n",
          "/one.md": "retry once\n",
          "/none.md": "nothing here\n",
        }),
      });
      const res = await searchSettled(sb, { q: "retry backoff" });
      assert.deepEqual(paths(res), ["/both.md", "/one.md"]);
      assert.deepEqual(res.terms, ["retry", "backoff"]);
      assert.deepEqual(
        res.hits.map((h) => h.terms),
        [["retry", "backoff"], ["retry"]],
      );
      assert.ok(res.hits[0]!.score > res.hits[1]!.score);
      assert.deepEqual([res.totalHits, res.filesSearched, res.truncated], [2, 3, null]);
    },
  ],
  "more-occurrences-rank-higher": [
    "Of two files of the same size, the one that says the word five times ranks above the one that says it once.",
    async (ctx) => {
      const sb = await ctx.sandbox({
        files: textFiles({
          "/once.txt": `cache\n${"x\n".repeat(9)}`,
          "/often.txt": `${"cache\n".repeat(5)}${"x\n".repeat(5)}`,
        }),
      });
      assert.deepEqual(paths(await searchSettled(sb, { q: "cache" })), ["/often.txt", "/once.txt"]);
    },
  ],
  "rare-word-outweighs-common": [
    "A file with the rare word ranks above files that only repeat a word most files hold.",
    async (ctx) => {
      const files: Record<string, string> = {
        "/rare.txt": "lease token\n",
        "/common.txt": "token token\n",
      };
      for (let i = 0; i < 8; i++) files[`/other${i}.txt`] = "token\n";
      const sb = await ctx.sandbox({ files: textFiles(files) });
      assert.equal(paths(await searchSettled(sb, { q: "lease token" }))[0], "/rare.txt");
    },
  ],
  "tags-summary-path-outrank-content": [
    "A word in the tags ranks above one in the summary, above one in the path, above one in the content only.",
    async (ctx) => {
      const sb = await ctx.sandbox({
        files: textFiles({
          "/a/content.txt": "auth\n",
          "/a/auth.txt": "x\n",
          "/a/summary.txt": "x\n",
          "/a/tags.txt": "x\n",
        }),
      });
      await setMeta(sb, "/a/summary.txt", { summary: "Handles auth for the API." });
      await setMeta(sb, "/a/tags.txt", { tags: ["auth"] });
      const res = await searchSettled(sb, { q: "auth" });
      assert.deepEqual(paths(res), [
        "/a/tags.txt",
        "/a/summary.txt",
        "/a/auth.txt",
        "/a/content.txt",
      ]);
      assert.deepEqual(
        res.hits.map((h) => [h.tags, h.summary]),
        [
          [["auth"], null],
          [[], "Handles auth for the API."],
          [[], null],
          [[], null],
        ],
      );
    },
  ],
  "identifier-parts-case-and-plurals": [
    "`parseConfigFiles` is found by config, CONFIG, parse, file, files and itself; not by the fragment `conf`.",
    async (ctx) => {
      const sb = await ctx.sandbox({
        files: textFiles({ "/a.ts": "export function parseConfigFiles() {}\n" }),
      });
      for (const q of ["config", "CONFIG", "parse", "file", "files", "parseConfigFiles"]) {
        assert.deepEqual(paths(await searchSettled(sb, { q })), ["/a.ts"], q);
      }
      assert.deepEqual(paths(await searchSettled(sb, { q: "conf" })), []);
    },
  ],
  "lines-with-most-words-by-line-number": [
    "Each hit shows up to 3 lines with the most query words, in line order, numbered across CRLF and lone CR.",
    async (ctx) => {
      const sb = await ctx.sandbox({
        files: textFiles({
          "/f.txt": "alpha\r\nbeta\ralpha beta\ngamma\r\nnone\nalpha beta gamma\n",
        }),
      });
      const [hit] = (await searchSettled(sb, { q: "alpha beta gamma" })).hits;
      assert.deepEqual(hit!.lines, [
        { line: 1, text: "alpha" },
        { line: 3, text: "alpha beta" },
        { line: 6, text: "alpha beta gamma" },
      ]);
    },
  ],
  "long-line-cut-in-snippet": [
    "A matching line over 200 bytes is shown cut to its first 200 bytes, on a character boundary.",
    async (ctx) => {
      const line = `needle ${"é".repeat(200)}`;
      const sb = await ctx.sandbox({ files: textFiles({ "/long.txt": `${line}\n` }) });
      const [hit] = (await searchSettled(sb, { q: "needle" })).hits;
      const shown = hit!.lines[0]!.text;
      assert.ok(line.startsWith(shown));
      assert.ok(Buffer.byteLength(shown) <= 200 && Buffer.byteLength(shown) >= 199);
    },
  ],
  "unicode-words-any-case": [
    "Non-ASCII words match in any case: `ÉCOLE` finds `école`, and `straße` finds itself.",
    async (ctx) => {
      const sb = await ctx.sandbox({
        files: textFiles({
          "/fr.txt": "une école\n",
          "/de.txt": "die straße\n",
          "/en.txt": "school\n",
        }),
      });
      assert.deepEqual(paths(await searchSettled(sb, { q: "ÉCOLE" })), ["/fr.txt"]);
      assert.deepEqual(paths(await searchSettled(sb, { q: "straße" })), ["/de.txt"]);
    },
  ],
  "ten-megabyte-file": [
    "A 10 MB file with the word on its last line is found; under a smaller maxFileBytes it is skipped, counted, and still ranked by its name.",
    async (ctx) => {
      const filler = "lorem ipsum dolor sit amet\n".repeat(Math.ceil(10_000_000 / 27));
      const sb = await ctx.sandbox({
        files: textFiles({
          "/big-needle.log": `${filler}needle at the end\n`,
          "/small.txt": "hay\n",
        }),
      });
      const found = await searchSettled(sb, { q: "end" });
      assert.deepEqual(paths(found), ["/big-needle.log"]);
      assert.equal(found.hits[0]!.lines[0]!.text, "needle at the end");
      const skipped = await searchSettled(sb, { q: "needle end", maxFileBytes: 1_000_000 });
      assert.deepEqual(skipped.skipped, { tooLarge: 1 });
      assert.deepEqual(paths(skipped), ["/big-needle.log"]);
      assert.deepEqual(skipped.hits[0]!.terms, ["needle"]);
      assert.deepEqual(skipped.hits[0]!.lines, []);
    },
  ],
  "binary-file-ranked-by-name-only": [
    "A binary file holding the word's bytes is not matched on content, but its name still matches.",
    async (ctx) => {
      const bytes = new Uint8Array([0, 1, ...new TextEncoder().encode(" token "), 0]);
      const sb = await ctx.sandbox({
        files: [binaryFile("/data.bin", bytes), binaryFile("/token.png", bytes)],
      });
      assert.deepEqual(paths(await searchSettled(sb, { q: "token" })), ["/token.png"]);
    },
  ],
  "limit-cuts-and-says-so": [
    "With limit 2 and five matching files, two come back, totalHits says 5 and truncated says results.",
    async (ctx) => {
      const files: Record<string, string> = {};
      for (let i = 0; i < 5; i++) files[`/f${i}.txt`] = "word\n";
      const sb = await ctx.sandbox({ files: textFiles(files) });
      const res = await searchSettled(sb, { q: "word", limit: 2 });
      assert.deepEqual(paths(res), ["/f0.txt", "/f1.txt"]);
      assert.equal(res.totalHits, 5);
      assert.deepEqual(res.truncated, { reason: "results", limit: 2 });
    },
  ],
  "path-and-glob-scope": [
    "`path` limits the search to a directory or one file, and `glob` filters relative to it.",
    async (ctx) => {
      const sb = await ctx.sandbox({
        files: textFiles({
          "/src/a.ts": "token\n",
          "/src/b.md": "token\n",
          "/docs/c.md": "token\n",
        }),
      });
      assert.deepEqual(paths(await searchSettled(sb, { q: "token", path: "/src" })), [
        "/src/a.ts",
        "/src/b.md",
      ]);
      assert.deepEqual(paths(await searchSettled(sb, { q: "token", path: "/docs/c.md" })), [
        "/docs/c.md",
      ]);
      assert.deepEqual(paths(await searchSettled(sb, { q: "token", glob: "**/*.md" })), [
        "/docs/c.md",
        "/src/b.md",
      ]);
    },
  ],
  "tag-filter-needs-every-tag": [
    "Repeated `tag` keeps only files with all of them; tags without `q` list the tagged files by path.",
    async (ctx) => {
      const sb = await ctx.sandbox({
        files: textFiles({ "/a.ts": "token\n", "/b.ts": "token\n", "/c.ts": "token\n" }),
      });
      await setMeta(sb, "/a.ts", { tags: ["api", "auth"] });
      await setMeta(sb, "/b.ts", { tags: ["api"] });
      assert.deepEqual(paths(await searchSettled(sb, { q: "token", tag: ["api", "auth"] })), [
        "/a.ts",
      ]);
      const tagged = await searchSettled(sb, { tag: ["api"] });
      assert.deepEqual(paths(tagged), ["/a.ts", "/b.ts"]);
      assert.deepEqual(tagged.terms, []);
    },
  ],
  "meta-follows-a-move": [
    "Tags set on a file are found under its new name after a move (the API's and the shell's).",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: textFiles({ "/old.txt": "x\n" }) });
      await setMeta(sb, "/old.txt", { tags: ["keep"] });
      await sb.request("POST", "/fs/move", { body: { from: "/old.txt", to: "/mid.txt" } });
      await sb.exec("mv /mid.txt /new.txt");
      const res = await searchSettled(sb, { q: "keep" });
      assert.deepEqual(paths(res), ["/new.txt"]);
      assert.deepEqual(res.hits[0]!.tags, ["keep"]);
    },
  ],
  "finds-just-written-content": [
    "Content written by a script is found by the very next search, and the answer stays the same after indexing.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.exec(
        'mkdir -p /w && for i in 1 2 3; do echo "plain $i" > /w/f$i.txt; done; echo zebra > /w/f2.txt',
      );
      assert.deepEqual(paths(await searchSettled(sb, { q: "zebra" })), ["/w/f2.txt"]);
    },
  ],
  "query-without-words-400": [
    "A missing or empty `q`, or one with no letters or digits, without a tag, is 400 invalid_request.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: textFiles({ "/f.txt": "x\n" }) });
      for (const q of [undefined, "", " ... "]) {
        expectProblem(await searchRaw(sb, { q }), 400, "invalid_request");
      }
    },
  ],
  "bad-parameters-400": [
    "33 distinct words, limit 0 or 201, an empty tag, or an invalid glob is 400 invalid_request.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: textFiles({ "/f.txt": "x\n" }) });
      const many = Array.from({ length: 33 }, (_, i) => `w${i}`).join(" ");
      for (const query of [
        { q: many },
        { q: "x", limit: 0 },
        { q: "x", limit: 201 },
        { q: "x", glob: "[" },
      ]) {
        expectProblem(await searchRaw(sb, query), 400, "invalid_request");
      }
      const res = await sb.request("GET", "/fs/search", { query: { q: "x", tag: "" } });
      expectProblem(res, 400, "invalid_request");
    },
  ],
  "missing-path-404": [
    "Searching under a path that does not exist is 404 ENOENT.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      expectProblem(await searchRaw(sb, { q: "x", path: "/nope" }), 404, "ENOENT");
    },
  ],
});
