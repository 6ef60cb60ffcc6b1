/** A writeFile rejected for its credentials applies nothing. */
import { defineCases } from "../../case.js";
import { assert, expectProblem } from "../../harness/assert.js";

export default defineCases("auth", "write-file", {
  "unauthorized-applies-nothing": [
    "A writeFile rejected with 401 creates no file and leaves the version alone.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const before = await sb.version();
      const res = await sb.request("PUT", "/files", {
        query: { path: "/nope.txt" },
        body: new TextEncoder().encode("x"),
        auth: false,
      });
      expectProblem(res, 401, "unauthorized");
      assert.equal(await sb.exists("/nope.txt"), false, "/nope.txt must not exist");
      assert.equal(await sb.version(), before, "version must not change");
    },
  ],
});
