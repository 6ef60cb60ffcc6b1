/** Path rules for seed files: a bad seed path rejects the whole create. */
import { defineCases } from "../../case.js";
import { expectProblem } from "../../harness/assert.js";
import { createSandboxRaw } from "../support.js";

export default defineCases("paths", "create-sandbox", {
  "seed-dot-dot-rejected": [
    "A seed file at /a/../b is 400.",
    async (ctx) => {
      const files = [{ path: "/a/../b", content: "x" }];
      expectProblem(await createSandboxRaw(ctx, { body: { files } }), 400, [
        "EINVAL",
        "invalid_request",
      ]);
    },
  ],
  "seed-relative-rejected": [
    "A seed file at a relative path (a/b) is 400.",
    async (ctx) => {
      const files = [{ path: "a/b", content: "x" }];
      expectProblem(await createSandboxRaw(ctx, { body: { files } }), 400, [
        "EINVAL",
        "invalid_request",
      ]);
    },
  ],
  "seed-segment-over-255-bytes-rejected": [
    "A seed file with a 256-byte segment is 400 ENAMETOOLONG.",
    async (ctx) => {
      const files = [{ path: `/${"x".repeat(256)}`, content: "x" }];
      expectProblem(await createSandboxRaw(ctx, { body: { files } }), 400, "ENAMETOOLONG");
    },
  ],
});
