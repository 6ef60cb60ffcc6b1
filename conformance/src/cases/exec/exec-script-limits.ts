/** Cases for execScript's limits and input validation: timeouts and malformed requests. */
import { defineCases } from "../../case.js";
import { assert, expectProblem } from "../../harness/assert.js";
import type { SandboxHandle } from "../../harness/sandbox.js";

const spin = "while true; do :; done";

function raw(sb: SandboxHandle, body: object) {
  return sb.request("POST", "/exec", { body });
}

export default defineCases("exec", "exec-script", {
  "timeout-408": [
    "A script that runs past timeoutMs: 500 is 408 with code timeout.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      expectProblem(await sb.execRaw({ script: spin, timeoutMs: 500 }), 408, "timeout");
    },
  ],
  "timeout-returns-promptly": [
    "The 408 for timeoutMs: 500 arrives within 5 s.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const started = performance.now();
      await sb.execRaw({ script: spin, timeoutMs: 500 });
      const elapsed = performance.now() - started;
      assert.ok(elapsed < 5000, `took ${Math.round(elapsed)} ms`);
    },
  ],
  "timeout-commits-nothing": [
    "A timed-out script's writes are not committed and the version is unchanged.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const before = await sb.version();
      const res = await sb.execRaw({ script: `echo x > /t.txt; ${spin}`, timeoutMs: 500 });
      expectProblem(res, 408, "timeout");
      assert.equal(await sb.exists("/t.txt"), false);
      assert.equal(await sb.version(), before);
    },
  ],
  "usable-after-timeout": [
    "After a timeout the sandbox runs scripts and takes writes as before.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.execRaw({ script: spin, timeoutMs: 500 });
      assert.equal((await sb.exec("echo ok")).stdout, "ok\n");
      await sb.write("/after.txt", "after");
      assert.equal((await sb.exec("cat /after.txt")).stdout, "after");
    },
  ],
  "empty-script-400": [
    "An empty script (minLength 1) is 400 invalid_request.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      expectProblem(await raw(sb, { script: "" }), 400, "invalid_request");
    },
  ],
  "missing-script-400": [
    "A body without script is 400 invalid_request.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      expectProblem(await raw(sb, { cwd: "/" }), 400, "invalid_request");
    },
  ],
  "unknown-property-400": [
    "An unknown property (timeout instead of timeoutMs) is 400 invalid_request.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      expectProblem(await raw(sb, { script: "true", timeout: 5 }), 400, "invalid_request");
    },
  ],
  "timeout-zero-400": [
    "timeoutMs: 0 (minimum 1) is 400 invalid_request.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      expectProblem(await raw(sb, { script: "true", timeoutMs: 0 }), 400, "invalid_request");
    },
  ],
  "timeout-over-maximum-400": [
    "timeoutMs: 300001 (maximum 300000) is 400 invalid_request.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      expectProblem(await raw(sb, { script: "true", timeoutMs: 300_001 }), 400, "invalid_request");
    },
  ],
  "invalid-commit-mode-400": [
    "commit: sometimes (not in the enum) is 400 invalid_request.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      expectProblem(await raw(sb, { script: "true", commit: "sometimes" }), 400, "invalid_request");
    },
  ],
  "invalid-json-400": [
    "A body that is not JSON is 400 invalid_request.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const res = await sb.request("POST", "/exec", {
        body: '{"script": ',
        headers: { "content-type": "application/json" },
      });
      expectProblem(res, 400, "invalid_request");
    },
  ],
});
