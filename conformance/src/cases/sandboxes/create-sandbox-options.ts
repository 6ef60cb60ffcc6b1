/** Cases for createSandbox's exec options: persistShell, runtimes and the shell field. */
import { defineCases } from "../../case.js";
import { assert, expectProblem } from "../../harness/assert.js";
import { createSandboxRaw } from "../support.js";

export default defineCases("sandboxes", "create-sandbox", {
  "exec-options-default": [
    "Without options a sandbox has persistShell false, no runtimes and shell null.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const { persistShell, runtimes, shell } = sb.created;
      assert.deepEqual(
        { persistShell, runtimes, shell },
        { persistShell: false, runtimes: [], shell: null },
      );
    },
  ],
  "exec-options-kept": [
    "persistShell and runtimes given at creation are returned by create and by get.",
    async (ctx) => {
      const sb = await ctx.sandbox({ persistShell: true, runtimes: ["python3"] });
      for (const s of [sb.created, await sb.get()]) {
        assert.deepEqual([s.persistShell, s.runtimes, s.shell], [true, ["python3"], null]);
      }
    },
  ],
  "runtime-unknown-400": [
    "An unknown runtime is 400 invalid_request.",
    async (ctx) => {
      const res = await createSandboxRaw(ctx, { body: { runtimes: ["ruby"] } });
      expectProblem(res, 400, "invalid_request");
    },
  ],
});
