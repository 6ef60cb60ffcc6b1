/**
 * Cases for searchFiles' `mode`: text by default, and semantic or hybrid ranking on a server with
 * an embeddings provider (those cases skip, saying why, on a server that answers 400
 * semantic_search_unavailable).
 */

import { defineCases } from "../../case.js";
import type { CaseContext } from "../../context.js";
import { assert, expectProblem, expectStatus } from "../../harness/assert.js";
import type { SandboxHandle } from "../../harness/sandbox.js";
import { sleep } from "../support.js";
import {
  binaryFile,
  type SearchQuery,
  type SearchResult,
  searchRaw,
  searchSettled,
  setMeta,
  textFiles,
} from "../text-support.js";

const FILES = textFiles({
  "/net/retry.ts":
    "// Retry a failed request with exponential backoff and jitter.\nexport function retryRequest() {}\n",
  "/net/backoff.md": "Backoff: wait longer after each failed request before retrying.\n",
  "/kitchen/bread.md": "Bake the bread in a hot oven for forty minutes, then cool it.\n",
  "/kitchen/soup.md": "Simmer onions and carrots slowly; season the soup at the end.\n",
});

/** Semantic search, or a skip that says why this server has none. */
async function semanticOrSkip(ctx: CaseContext, sb: SandboxHandle): Promise<void> {
  const res = await searchRaw(sb, { q: "probe", mode: "semantic" });
  if (res.status === 400) {
    const problem = expectProblem(res, 400, "semantic_search_unavailable");
    ctx.skip(`no semantic search on this server: ${problem.detail}`);
  }
  expectStatus(res, 200);
}

/**
 * Searches until every file in scope has its embedding (they are computed in the background
 * after the commit), then returns that answer. Fails after ~20 s.
 */
async function searchEmbedded(sb: SandboxHandle, query: SearchQuery): Promise<SearchResult> {
  for (let i = 0; ; i++) {
    const res = await searchRaw(sb, query);
    expectStatus(res, 200);
    const result = res.json<SearchResult>();
    if (result.missingEmbeddings === 0) return result;
    assert.ok(i < 200, `files still without embeddings after 20 s: ${result.missingEmbeddings}`);
    await sleep(100);
  }
}

const paths = (res: SearchResult) => res.hits.map((h) => h.path);

export default defineCases("search", "search-files", {
  "text-mode-by-default": [
    "Without `mode` (or with mode=text) the answer says mode text, no missing embeddings and no note.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: FILES });
      for (const query of [{ q: "bread" }, { q: "bread", mode: "text" as const }]) {
        const res = await searchSettled(sb, query);
        assert.deepEqual([res.mode, res.missingEmbeddings, res.note], ["text", 0, null]);
        assert.deepEqual(paths(res), ["/kitchen/bread.md"]);
      }
    },
  ],
  "mode-invalid-400": [
    "An unknown mode is 400 invalid_request.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const res = await sb.request("GET", "/fs/search", { query: { q: "x", mode: "fuzzy" } });
      expectProblem(res, 400, "invalid_request");
    },
  ],
  "semantic-ranks-by-similarity": [
    "mode=semantic ranks by similarity of content to the query, once embeddings exist: the two files about retrying come first.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: FILES });
      await semanticOrSkip(ctx, sb);
      const res = await searchEmbedded(sb, { q: "retrying failed requests", mode: "semantic" });
      assert.deepEqual([res.mode, res.note, res.missingEmbeddings], ["semantic", null, 0]);
      assert.deepEqual(paths(res).slice(0, 2).sort(), ["/net/backoff.md", "/net/retry.ts"]);
      for (const hit of res.hits) assert.ok(hit.score > 0 && hit.score <= 1, `${hit.path} score`);
      assert.equal(res.filesSearched, 4);
    },
  ],
  "semantic-scope-filters-apply": [
    "path, glob, tag and limit narrow semantic answers as they do text ones.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: FILES });
      await semanticOrSkip(ctx, sb);
      await setMeta(sb, "/kitchen/soup.md", { tags: ["recipe"] });
      const scoped = await searchEmbedded(sb, {
        q: "failed request",
        mode: "semantic",
        path: "/kitchen",
      });
      assert.ok(paths(scoped).every((p) => p.startsWith("/kitchen/")));
      assert.equal(scoped.filesSearched, 2);
      const tagged = await searchEmbedded(sb, { q: "soup", mode: "semantic", tag: ["recipe"] });
      assert.deepEqual(paths(tagged), ["/kitchen/soup.md"]);
      const one = await searchEmbedded(sb, {
        q: "retry request backoff",
        mode: "semantic",
        limit: 1,
      });
      assert.equal(one.hits.length, 1);
      assert.deepEqual(one.truncated, { reason: "results", limit: 1 });
    },
  ],
  "semantic-binary-never-missing": [
    "A binary file never gets an embedding but is not counted as missing one.",
    async (ctx) => {
      const sb = await ctx.sandbox({
        files: [...FILES, binaryFile("/blob.bin", new Uint8Array([0, 1, 2, 0, 255]))],
      });
      await semanticOrSkip(ctx, sb);
      const res = await searchEmbedded(sb, { q: "bread", mode: "semantic" });
      assert.equal(res.filesSearched, 5);
      assert.ok(!paths(res).includes("/blob.bin"));
    },
  ],
  "semantic-in-script-ranks-as-the-api": [
    "`search --json --semantic` in a script answers what GET /fs/search?mode=semantic does (hits, scores, mode), and the text output lists the same paths.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: FILES });
      await semanticOrSkip(ctx, sb);
      const api = await searchEmbedded(sb, { q: "retrying failed requests", mode: "semantic" });
      const json = await sb.exec("search --json --semantic retrying failed requests");
      assert.equal(json.exitCode, 0, json.stderr);
      const inScript = JSON.parse(json.stdout) as SearchResult;
      assert.deepEqual(
        [inScript.mode, inScript.note, inScript.missingEmbeddings],
        ["semantic", null, 0],
      );
      assert.deepEqual(
        inScript.hits.map((h) => [h.path, h.score]),
        api.hits.map((h) => [h.path, h.score]),
      );
      const text = await sb.exec("search --semantic --limit 2 retrying failed requests");
      assert.deepEqual(
        text.stdout
          .split("\n")
          .filter((l) => l.startsWith("/"))
          .map((l) => l.split("  ")[0]),
        paths(api).slice(0, 2),
      );
    },
  ],
  "hybrid-in-script-ranks-as-the-api": [
    "`search --json --hybrid` in a script answers what mode=hybrid does, over the script's own uncommitted files too.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: FILES });
      await semanticOrSkip(ctx, sb);
      const api = await searchEmbedded(sb, { q: "oven bread", mode: "hybrid" });
      const json = await sb.exec("search --json --hybrid oven bread");
      assert.equal(json.exitCode, 0, json.stderr);
      const inScript = JSON.parse(json.stdout) as SearchResult;
      assert.equal(inScript.mode, "hybrid");
      assert.deepEqual(
        inScript.hits.map((h) => [h.path, h.score]),
        api.hits.map((h) => [h.path, h.score]),
      );
      // A file the script writes has no embedding yet: still found by its words, counted missing.
      const fresh = await sb.exec(
        "echo 'bread from the oven' > /kitchen/new.md && search --json --hybrid oven bread",
      );
      const withNew = JSON.parse(fresh.stdout) as SearchResult;
      assert.ok(paths(withNew).includes("/kitchen/new.md"));
      assert.equal(withNew.missingEmbeddings, 1);
    },
  ],
  "script-search-semantic-without-provider-says-so": [
    "On a server without semantic search, `search --semantic` in a script exits 2 and says why; `--semantic --hybrid` together is a usage error.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: FILES });
      const probe = await searchRaw(sb, { q: "probe", mode: "semantic" });
      const both = await sb.exec("search --semantic --hybrid retry");
      assert.equal(both.exitCode, 2);
      assert.match(both.stderr, /cannot be used together/);
      if (probe.status === 200) ctx.skip("this server has semantic search");
      const off = await sb.exec("search --semantic retry");
      assert.equal(off.exitCode, 2);
      assert.equal(off.stdout, "");
      assert.match(off.stderr, /^search: .*(semantic|embeddings)/);
    },
  ],
  "hybrid-blends-text-and-similarity": [
    "mode=hybrid keeps every file text ranking finds (a tag match included), scores within 0..1, best first.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: FILES });
      await semanticOrSkip(ctx, sb);
      await setMeta(sb, "/kitchen/bread.md", { tags: ["jitter"] });
      const text = await searchSettled(sb, { q: "jitter" });
      const hybrid = await searchEmbedded(sb, { q: "jitter", mode: "hybrid" });
      assert.equal(hybrid.mode, "hybrid");
      for (const path of paths(text)) assert.ok(paths(hybrid).includes(path), path);
      const scores = hybrid.hits.map((h) => h.score);
      assert.deepEqual(
        scores,
        [...scores].sort((a, b) => b - a),
      );
      for (const s of scores) assert.ok(s > 0 && s <= 1);
    },
  ],
  "semantic-needs-words": [
    "mode=semantic with tags but no words in q is 400 invalid_request.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: FILES });
      await semanticOrSkip(ctx, sb);
      const res = await searchRaw(sb, { tag: ["x"], mode: "semantic" });
      expectProblem(res, 400, "invalid_request");
    },
  ],
});
