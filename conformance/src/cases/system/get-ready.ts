/** Cases for getReady (GET /v1/ready). */
import { defineCases } from "../../case.js";
import { assert, expectStatus } from "../../harness/assert.js";

interface Readiness {
  status: string;
  draining: boolean;
  storage: { reachable: boolean; problems: string[] };
}

export default defineCases("system", "get-ready", {
  "ready-without-auth": [
    "GET /v1/ready answers 200 with status ready, reachable storage and no problems, with no Authorization.",
    async (ctx) => {
      const res = await ctx.request("GET", "/v1/ready", { auth: false });
      expectStatus(res, 200);
      const body = res.json<Readiness>();
      assert.equal(body.status, "ready");
      assert.equal(body.draining, false);
      assert.equal(body.storage.reachable, true);
      assert.deepEqual(body.storage.problems, []);
    },
  ],
});
