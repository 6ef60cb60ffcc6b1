/** Cases for getSandboxUsage (GET /v1/sandboxes/{sandboxId}/usage). */
import type { Schemas } from "@cairn/spec";
import { defineCases } from "../../case.js";
import { assert, expectStatus } from "../../harness/assert.js";
import type { SandboxHandle } from "../../harness/sandbox.js";

type Usage = Schemas["SandboxUsage"];

async function usage(sb: SandboxHandle): Promise<Usage> {
  const res = await sb.request("GET", "/usage");
  expectStatus(res, 200);
  return res.json<Usage>();
}

export default defineCases("sandboxes", "get-sandbox-usage", {
  "empty-sandbox": [
    "A new sandbox holds 0 bytes and only its machine directories (/home, /home/user, /tmp; the root is not counted), under a quota.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const got = await usage(sb);
      assert.deepEqual([got.bytes, got.files, got.version], [0, 3, sb.created.version]);
      assert.ok(got.maxBytes > 0 && got.maxFiles > 0, "a quota is reported");
    },
  ],
  "counts-bytes-and-entries": [
    "Files and directories count one each and file contents count their bytes, at the version read.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/d/a.txt", "abc");
      await sb.write("/d/e/b.bin", new Uint8Array([0, 1, 2, 3, 255]));
      const got = await usage(sb);
      // d, d/e, a.txt, b.bin beside the 3 machine directories
      assert.deepEqual([got.bytes, got.files], [8, 3 + 4]);
      assert.equal(got.version, (await sb.get()).version);
    },
  ],
  "hard-link-counts-once": [
    "A hard-linked file counts once, bytes and entry (its second name is the same file); a symlink counts one.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/f.txt", "12345");
      const result = await sb.exec("ln /f.txt /g.txt && ln -s /f.txt /s");
      assert.equal(result.exitCode, 0, result.stderr);
      const got = await usage(sb);
      assert.equal(got.bytes, 5);
      assert.equal(got.files, 3 + 2);
    },
  ],
  "follows-deletes": [
    "Deleting a file takes its bytes and its entry off the count.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/a.txt", "aaaa");
      await sb.write("/b.txt", "bb");
      expectStatus(await sb.request("DELETE", "/files", { query: { path: "/a.txt" } }), 200);
      const got = await usage(sb);
      assert.deepEqual([got.bytes, got.files], [2, 3 + 1]);
    },
  ],
});
