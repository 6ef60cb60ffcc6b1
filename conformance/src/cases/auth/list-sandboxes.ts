/** How credentials are read, shown on listSandboxes: only `Authorization: Bearer <key>` counts. */
import { defineCases } from "../../case.js";
import { assert, expectProblem } from "../../harness/assert.js";

export default defineCases("auth", "list-sandboxes", {
  "basic-scheme-rejected": [
    "The right key under the Basic scheme is 401 unauthorized.",
    async (ctx) => {
      const basic = Buffer.from(`${ctx.apiKey}:`).toString("base64");
      const res = await ctx.request("GET", "/v1/sandboxes", {
        auth: false,
        headers: { authorization: `Basic ${basic}` },
      });
      expectProblem(res, 401, "unauthorized");
    },
  ],
  "empty-bearer-rejected": [
    "`Authorization: Bearer` with no key is 401 unauthorized.",
    async (ctx) => {
      const res = await ctx.request("GET", "/v1/sandboxes", {
        auth: false,
        headers: { authorization: "Bearer " },
      });
      expectProblem(res, 401, "unauthorized");
    },
  ],
  "key-prefix-rejected": [
    "A proper prefix of the key is 401 unauthorized.",
    async (ctx) => {
      const res = await ctx.request("GET", "/v1/sandboxes", { auth: ctx.apiKey.slice(0, -1) });
      expectProblem(res, 401, "unauthorized");
    },
  ],
  "not-retryable": [
    "A 401 says retryable: false (the same request cannot succeed).",
    async (ctx) => {
      const res = await ctx.request("GET", "/v1/sandboxes", { auth: false });
      const problem = expectProblem(res, 401, "unauthorized");
      assert.equal(problem.retryable, false, "a 401 is not retryable");
    },
  ],
});
