/** Cases for writeFile's HTTP preconditions: If-Match and If-None-Match: * (compare-and-set). */
import { defineCases } from "../../case.js";
import { assert, expectProblem, expectStatus } from "../../harness/assert.js";

export default defineCases("files", "write-file", {
  "if-match-current-succeeds": [
    "If-Match with the file's current ETag replaces it (200).",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const { etag } = await sb.write("/a.txt", "v1");
      const res = await sb.writeRaw("/a.txt", "v2", { headers: { "if-match": etag ?? "" } });
      expectStatus(res, 200);
      assert.equal(await sb.readText("/a.txt"), "v2");
    },
  ],
  "if-match-stale-412": [
    "If-Match with a stale ETag is 412 precondition_failed.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const { etag: stale } = await sb.write("/a.txt", "v1");
      await sb.write("/a.txt", "v2");
      const res = await sb.writeRaw("/a.txt", "v3", { headers: { "if-match": stale ?? "" } });
      expectProblem(res, 412, "precondition_failed");
    },
  ],
  "if-match-stale-keeps-content": [
    "A write refused for a stale If-Match leaves the content and version unchanged.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const { etag: stale } = await sb.write("/a.txt", "v1");
      const { version } = await sb.write("/a.txt", "v2");
      await sb.writeRaw("/a.txt", "v3", { headers: { "if-match": stale ?? "" } });
      assert.equal(await sb.readText("/a.txt"), "v2");
      assert.equal(await sb.version(), version);
    },
  ],
  "if-match-missing-file-412": [
    "If-Match on a path with no file is 412 and creates nothing.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const { etag } = await sb.write("/other.txt", "x");
      const res = await sb.writeRaw("/new.txt", "x", { headers: { "if-match": etag ?? "" } });
      expectProblem(res, 412, "precondition_failed");
      assert.equal(await sb.exists("/new.txt"), false);
    },
  ],
  "if-none-match-star-new-201": [
    "If-None-Match: * on a path with nothing there creates the file (201).",
    async (ctx) => {
      const sb = await ctx.sandbox();
      expectStatus(await sb.writeRaw("/n.txt", "x", { headers: { "if-none-match": "*" } }), 201);
      assert.equal(await sb.readText("/n.txt"), "x");
    },
  ],
  "if-none-match-star-existing-412": [
    "If-None-Match: * on an existing file is 412 precondition_failed.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/n.txt", "first");
      const res = await sb.writeRaw("/n.txt", "second", { headers: { "if-none-match": "*" } });
      expectProblem(res, 412, "precondition_failed");
    },
  ],
  "if-none-match-star-existing-keeps-content": [
    "A write refused by If-None-Match: * leaves the existing content.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/n.txt", "first");
      await sb.writeRaw("/n.txt", "second", { headers: { "if-none-match": "*" } });
      assert.equal(await sb.readText("/n.txt"), "first");
    },
  ],
  "if-none-match-star-directory-412": [
    "If-None-Match: * on a path holding a directory is 412 (something exists there).",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.mkdir("/d");
      const res = await sb.writeRaw("/d", "x", { headers: { "if-none-match": "*" } });
      expectProblem(res, 412, "precondition_failed");
    },
  ],
  "concurrent-if-match-one-wins": [
    "Of five concurrent writes with the same If-Match, exactly one succeeds; the rest are 412.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const { etag } = await sb.write("/race.txt", "base");
      const bodies = ["w0", "w1", "w2", "w3", "w4"];
      const results = await Promise.all(
        bodies.map((b) => sb.writeRaw("/race.txt", b, { headers: { "if-match": etag ?? "" } })),
      );
      const winners = results.flatMap((r, i) => (r.status === 200 ? [bodies[i]] : []));
      assert.equal(winners.length, 1, `statuses: ${results.map((r) => r.status).join(", ")}`);
      for (const r of results) if (r.status !== 200) expectProblem(r, 412, "precondition_failed");
      assert.equal(await sb.readText("/race.txt"), winners[0]);
    },
  ],
});
