/** Cases for execScript's output cap (maxOutputBytes) and the truncated flags. */
import { defineCases } from "../../case.js";
import { assert, expectProblem } from "../../harness/assert.js";

/** 20 lines of `0123456789`: 220 bytes on stdout. */
const tenDigitLines =
  "for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do echo 0123456789; done";

export default defineCases("exec", "exec-script", {
  "output-over-cap-truncated": [
    "Output over maxOutputBytes: 100 is cut to exactly 100 bytes and truncated.stdout is true.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const r = await sb.exec({ script: tenDigitLines, maxOutputBytes: 100 });
      assert.equal(r.exitCode, 0);
      assert.equal(r.stdout, "0123456789\n".repeat(20).slice(0, 100));
      assert.deepEqual(r.truncated, { stdout: true, stderr: false });
    },
  ],
  "output-under-cap-not-truncated": [
    "Output under maxOutputBytes comes back whole with truncated.stdout false.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const r = await sb.exec({ script: tenDigitLines, maxOutputBytes: 1000 });
      assert.equal(r.stdout, "0123456789\n".repeat(20));
      assert.deepEqual(r.truncated, { stdout: false, stderr: false });
    },
  ],
  "output-exactly-cap-not-truncated": [
    "Output of exactly maxOutputBytes bytes is whole and not flagged truncated.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const r = await sb.exec({ script: "printf 0123456789", maxOutputBytes: 10 });
      assert.deepEqual([r.stdout, r.truncated.stdout], ["0123456789", false]);
    },
  ],
  "output-cap-per-stream": [
    "The cap applies to stdout and stderr separately, and each has its own flag.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const r = await sb.exec({
        script: "echo short; echo 0123456789abcdef >&2",
        maxOutputBytes: 8,
      });
      assert.deepEqual([r.stdout, r.stderr], ["short\n", "01234567"]);
      assert.deepEqual(r.truncated, { stdout: false, stderr: true });
    },
  ],
  "output-cap-script-keeps-running": [
    "With maxOutputBytes: 0 the output is dropped, but the script runs on and its writes commit.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const r = await sb.exec({
        script: "echo dropped; echo kept > /after.txt",
        maxOutputBytes: 0,
      });
      assert.deepEqual([r.exitCode, r.stdout, r.truncated.stdout], [0, "", true]);
      assert.equal(r.commit.status, "committed");
      assert.equal(await sb.readText("/after.txt"), "kept\n");
    },
  ],
  "output-default-cap-1-mib": [
    "Without maxOutputBytes, stdout is cut at 1048576 bytes and flagged truncated.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const size = (1 << 20) + 4096;
      await sb.write("/big.txt", "x".repeat(size));
      const r = await sb.exec("cat /big.txt");
      assert.equal(r.stdout.length, 1 << 20);
      assert.equal(r.truncated.stdout, true);
    },
  ],
  "non-utf8-stdout-replaced": [
    "In the JSON result, stdout bytes that are not UTF-8 become U+FFFD (bytes ff 00 41 give U+FFFD, U+0000, A).",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/data.bin", new Uint8Array([0xff, 0x00, 0x41]));
      assert.equal((await sb.exec("cat /data.bin")).stdout, "\ufffd\u0000A");
    },
  ],
  "max-output-over-maximum-400": [
    "maxOutputBytes: 16777217 (maximum 16777216) is 400 invalid_request.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const res = await sb.request("POST", "/exec", {
        body: { script: "true", maxOutputBytes: 16_777_217 },
      });
      expectProblem(res, 400, "invalid_request");
    },
  ],
  "max-output-negative-400": [
    "maxOutputBytes: -1 (minimum 0) is 400 invalid_request.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const res = await sb.request("POST", "/exec", {
        body: { script: "true", maxOutputBytes: -1 },
      });
      expectProblem(res, 400, "invalid_request");
    },
  ],
});
