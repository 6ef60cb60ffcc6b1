/** Cases for listSandboxes (GET /v1/sandboxes). */
import type { Sandbox, Schemas } from "@cairn/spec";
import { defineCases } from "../../case.js";
import type { CaseContext } from "../../context.js";
import { assert, expectProblem, expectStatus } from "../../harness/assert.js";
import { sleep } from "../support.js";

type SandboxPage = Schemas["SandboxPage"];

/** Walks every page with the given limit; returns ids in order (stops after `maxPages`). */
async function walk(ctx: CaseContext, limit: number, maxPages = 2000): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const res = await ctx.request("GET", "/v1/sandboxes", { query: { limit, cursor } });
    expectStatus(res, 200);
    const body = res.json<SandboxPage>();
    assert.ok(body.items.length <= limit, `page ${page} has ${body.items.length} > ${limit} items`);
    ids.push(...body.items.map((s: Sandbox) => s.id));
    if (body.nextCursor === null) return ids;
    cursor = body.nextCursor;
  }
  return ids;
}

export default defineCases("sandboxes", "list-sandboxes", {
  "includes-created": [
    "A new sandbox appears in the listing.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      assert.ok((await walk(ctx, 200)).includes(sb.id), `${sb.id} not listed`);
    },
  ],
  "cursor-visits-each-once": [
    "With limit=1, following nextCursor visits each sandbox exactly once.",
    async (ctx) => {
      const mine = [await ctx.sandbox(), await ctx.sandbox(), await ctx.sandbox()].map((s) => s.id);
      const ids = await walk(ctx, 1);
      const dupes = ids.filter((id, i) => ids.indexOf(id) !== i);
      assert.deepEqual(dupes, [], "no sandbox may appear twice");
      for (const id of mine) assert.ok(ids.includes(id), `${id} was never visited`);
    },
  ],
  "limit-respected": [
    "limit=1 gives one item and a nextCursor when there are more sandboxes.",
    async (ctx) => {
      await ctx.sandbox();
      await ctx.sandbox();
      const res = await ctx.request("GET", "/v1/sandboxes", { query: { limit: 1 } });
      expectStatus(res, 200);
      const page = res.json<SandboxPage>();
      assert.equal(page.items.length, 1);
      assert.notEqual(page.nextCursor, null);
    },
  ],
  "newest-first": [
    "Sandboxes are listed newest first.",
    async (ctx) => {
      const a = await ctx.sandbox();
      await sleep(5);
      const b = await ctx.sandbox();
      await sleep(5);
      const c = await ctx.sandbox();
      const ids = await walk(ctx, 200);
      const order = [c.id, b.id, a.id].map((id) => ids.indexOf(id));
      assert.ok(
        order.every((i) => i >= 0),
        "all three must be listed",
      );
      assert.deepEqual(
        [...order].sort((x, y) => x - y),
        order,
        "expected c, b, a in that order",
      );
    },
  ],
  "excludes-deleted": [
    "A deleted sandbox is not listed.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      expectStatus(await ctx.request("DELETE", `/v1/sandboxes/${sb.id}`), 204);
      assert.ok(!(await walk(ctx, 200)).includes(sb.id), `${sb.id} still listed`);
    },
  ],
  "limit-zero-400": [
    "limit=0 (minimum 1) is 400 invalid_request.",
    async (ctx) => {
      const res = await ctx.request("GET", "/v1/sandboxes", { query: { limit: 0 } });
      expectProblem(res, 400, "invalid_request");
    },
  ],
  "limit-over-maximum-400": [
    "limit=201 (maximum 200) is 400 invalid_request.",
    async (ctx) => {
      const res = await ctx.request("GET", "/v1/sandboxes", { query: { limit: 201 } });
      expectProblem(res, 400, "invalid_request");
    },
  ],
  "limit-not-integer-400": [
    "limit=abc is 400 invalid_request.",
    async (ctx) => {
      const res = await ctx.request("GET", "/v1/sandboxes", { query: { limit: "abc" } });
      expectProblem(res, 400, "invalid_request");
    },
  ],
  "invalid-cursor-400": [
    "A cursor the server never issued is 400 invalid_request.",
    async (ctx) => {
      const res = await ctx.request("GET", "/v1/sandboxes", { query: { cursor: "not-a-cursor!" } });
      expectProblem(res, 400, "invalid_request");
    },
  ],
});
