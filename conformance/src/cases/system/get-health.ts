/** Cases for getHealth (GET /v1/health). */
import { defineCases } from "../../case.js";
import { assert, expectStatus } from "../../harness/assert.js";

export default defineCases("system", "get-health", {
  "ok-without-auth": [
    "GET /v1/health answers 200 with status ok when no Authorization is sent.",
    async (ctx) => {
      const res = await ctx.request("GET", "/v1/health", { auth: false });
      expectStatus(res, 200);
      assert.equal(res.json<{ status: string }>().status, "ok");
    },
  ],
  "ok-with-auth": [
    "GET /v1/health answers 200 when the valid API key is sent.",
    async (ctx) => {
      expectStatus(await ctx.request("GET", "/v1/health"), 200);
    },
  ],
});
