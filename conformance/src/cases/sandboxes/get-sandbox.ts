/** Cases for getSandbox (GET /v1/sandboxes/{sandboxId}). */
import type { Sandbox } from "@cairn/spec";
import { defineCases } from "../../case.js";
import { assert, expectProblem, expectStatus } from "../../harness/assert.js";

export default defineCases("sandboxes", "get-sandbox", {
  "returns-created": [
    "GET returns the id, name, env, version and createdAt that create returned.",
    async (ctx) => {
      const sb = await ctx.sandbox({ name: "get me", env: { A: "1" } });
      const got = await sb.get();
      const { id, name, env, version, createdAt } = sb.created;
      assert.deepEqual(
        {
          id: got.id,
          name: got.name,
          env: got.env,
          version: got.version,
          createdAt: got.createdAt,
        },
        { id, name, env, version, createdAt },
      );
    },
  ],
  "malformed-id-rejected": [
    "An id that does not match ^sbx_[A-Za-z0-9]{1,64}$ is a 400 or 404 problem, never a 5xx.",
    async (ctx) => {
      const res = await ctx.request("GET", "/v1/sandboxes/not-a-sandbox-id");
      expectStatus(res, 400, 404);
      expectProblem(res, res.status, ["invalid_request", "sandbox_not_found"]);
    },
  ],
  "updated-at-advances": [
    "updatedAt is not before createdAt, and does not go back after a write.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const before = await sb.get();
      assert.ok(Date.parse(before.updatedAt) >= Date.parse(before.createdAt));
      await sb.write("/a.txt", "a");
      const after: Sandbox = await sb.get();
      assert.ok(Date.parse(after.updatedAt) >= Date.parse(before.updatedAt), "updatedAt went back");
    },
  ],
});
