/** Cases for execScript with readOnly: true: writes fail inside the script with EROFS. */
import { defineCases } from "../../case.js";
import { assert } from "../../harness/assert.js";
import { rootWith } from "../support.js";

const erofs = /EROFS|read-only file system/i;

export default defineCases("exec", "exec-script", {
  "read-only-write-erofs": [
    "With readOnly, `echo x > /f` fails with EROFS on stderr and a nonzero exit; commit unchanged, /f absent.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const before = await sb.version();
      const r = await sb.exec({ script: "echo x > /f", readOnly: true });
      assert.notEqual(r.exitCode, 0);
      assert.match(r.stderr, erofs);
      assert.deepEqual([r.commit.status, r.commit.version], ["unchanged", before]);
      assert.equal(await sb.exists("/f"), false);
      assert.equal(await sb.version(), before);
    },
  ],
  "read-only-script-continues-after-erofs": [
    "With readOnly, a failed write sets `$?` and the script goes on.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const r = await sb.exec({ script: 'echo x > /f; echo "rc=$?"', readOnly: true });
      assert.equal(r.exitCode, 0);
      assert.match(r.stdout, /^rc=[1-9]\d*\n$/);
      assert.match(r.stderr, erofs);
    },
  ],
  "read-only-every-mutation-fails": [
    "With readOnly, mkdir, touch, rm, mv and append all fail and the tree is unchanged.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: [{ path: "/keep.txt", content: "keep" }] });
      const before = await sb.version();
      for (const script of [
        "mkdir /d",
        "touch /t",
        "rm /keep.txt",
        "mv /keep.txt /moved.txt",
        "echo more >> /keep.txt",
      ]) {
        const r = await sb.exec({ script, readOnly: true });
        assert.notEqual(r.exitCode, 0, `${script} should fail`);
        assert.match(r.stderr, erofs, `${script}: stderr`);
        assert.equal(r.commit.status, "unchanged", script);
      }
      assert.deepEqual(await sb.names("/"), rootWith("keep.txt"));
      assert.equal(await sb.readText("/keep.txt"), "keep");
      assert.equal(await sb.version(), before);
    },
  ],
  "read-only-reads-work": [
    "With readOnly, reading files and listing directories work as usual.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: [{ path: "/dir/in.txt", content: "in\n" }] });
      const r = await sb.exec({
        script: "cat /dir/in.txt; ls /dir; wc -l < /dir/in.txt",
        readOnly: true,
      });
      assert.deepEqual([r.exitCode, r.stdout], [0, "in\nin.txt\n1\n"]);
    },
  ],
  "read-only-dev-null-allowed": [
    "With readOnly, output redirected to /dev/null is not a write and does not fail.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const r = await sb.exec({ script: "echo hidden > /dev/null; echo shown", readOnly: true });
      assert.deepEqual([r.exitCode, r.stdout, r.stderr], [0, "shown\n", ""]);
    },
  ],
  "read-only-with-commit-always-unchanged": [
    "readOnly with commit: always still commits nothing (status unchanged).",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const before = await sb.version();
      const r = await sb.exec({ script: "echo x > /f; true", readOnly: true, commit: "always" });
      assert.deepEqual([r.exitCode, r.commit.status, r.commit.version], [0, "unchanged", before]);
      assert.equal(await sb.exists("/f"), false);
    },
  ],
});
