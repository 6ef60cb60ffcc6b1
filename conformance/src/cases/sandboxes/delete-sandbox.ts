/** Cases for deleteSandbox (DELETE /v1/sandboxes/{sandboxId}). */
import { defineCases } from "../../case.js";
import { assert, expectProblem, expectStatus } from "../../harness/assert.js";

export default defineCases("sandboxes", "delete-sandbox", {
  "returns-204": [
    "Deleting a sandbox is 204 with an empty body.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const res = await ctx.request("DELETE", `/v1/sandboxes/${sb.id}`);
      expectStatus(res, 204);
      assert.equal(res.bytes.byteLength, 0);
    },
  ],
  "get-after-delete-404": [
    "After delete, GET of the sandbox is 404 sandbox_not_found.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      expectStatus(await ctx.request("DELETE", `/v1/sandboxes/${sb.id}`), 204);
      expectProblem(await ctx.request("GET", `/v1/sandboxes/${sb.id}`), 404, "sandbox_not_found");
    },
  ],
  "files-after-delete-404": [
    "After delete, reading one of its files is 404 sandbox_not_found.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: [{ path: "/a.txt", content: "a" }] });
      expectStatus(await ctx.request("DELETE", `/v1/sandboxes/${sb.id}`), 204);
      expectProblem(await sb.readRaw("/a.txt"), 404, "sandbox_not_found");
    },
  ],
  "twice-404": [
    "Deleting an already deleted sandbox is 404 sandbox_not_found.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      expectStatus(await ctx.request("DELETE", `/v1/sandboxes/${sb.id}`), 204);
      const again = await ctx.request("DELETE", `/v1/sandboxes/${sb.id}`);
      expectProblem(again, 404, "sandbox_not_found");
    },
  ],
  "others-untouched": [
    "Deleting one sandbox leaves another sandbox's files alone.",
    async (ctx) => {
      const keep = await ctx.sandbox({ files: [{ path: "/keep.txt", content: "keep" }] });
      const drop = await ctx.sandbox({ files: [{ path: "/keep.txt", content: "drop" }] });
      expectStatus(await ctx.request("DELETE", `/v1/sandboxes/${drop.id}`), 204);
      assert.equal(await keep.readText("/keep.txt"), "keep");
    },
  ],
});
