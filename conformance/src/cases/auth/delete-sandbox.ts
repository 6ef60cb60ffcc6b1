/** A deleteSandbox rejected for its credentials deletes nothing. */
import { defineCases } from "../../case.js";
import { assert, expectProblem } from "../../harness/assert.js";

export default defineCases("auth", "delete-sandbox", {
  "unauthorized-keeps-sandbox": [
    "A deleteSandbox rejected with 401 leaves the sandbox in place.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const res = await ctx.request("DELETE", `/v1/sandboxes/${sb.id}`, {
        auth: `${ctx.apiKey}-wrong`,
      });
      expectProblem(res, 401, "unauthorized");
      assert.equal((await sb.get()).id, sb.id);
    },
  ],
});
