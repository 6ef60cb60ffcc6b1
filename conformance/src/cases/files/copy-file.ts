/** Cases for copyFile (POST /v1/sandboxes/{id}/fs/copy). */
import type { Schemas } from "@cairn/spec";
import { defineCases } from "../../case.js";
import { assert, expectBytes, expectProblem, expectStatus } from "../../harness/assert.js";
import type { CopyInput } from "../../harness/inputs.js";
import type { SandboxHandle } from "../../harness/sandbox.js";
import { allBytes } from "../support.js";

function copy(sb: SandboxHandle, body: CopyInput) {
  return sb.request("POST", "/fs/copy", { body });
}

export default defineCases("files", "copy-file", {
  "copies-file": [
    "Copying a file gives the destination the same bytes and keeps the source.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const bytes = allBytes();
      await sb.write("/a.bin", bytes);
      expectStatus(await copy(sb, { from: "/a.bin", to: "/b.bin" }), 200);
      expectBytes(await sb.read("/b.bin"), bytes, "copy");
      expectBytes(await sb.read("/a.bin"), bytes, "source");
    },
  ],
  "copies-directory-recursively": [
    "Copying a directory copies everything under it and keeps the source.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/src/a.txt", "a");
      await sb.write("/src/sub/b.txt", "b");
      await sb.mkdir("/src/empty");
      expectStatus(await copy(sb, { from: "/src", to: "/dst" }), 200);
      assert.equal(await sb.readText("/dst/a.txt"), "a");
      assert.equal(await sb.readText("/dst/sub/b.txt"), "b");
      assert.equal((await sb.stat("/dst/empty")).type, "directory");
      assert.equal(await sb.readText("/src/sub/b.txt"), "b");
    },
  ],
  "copy-is-independent": [
    "Writing the copy does not change the source.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/d/f.txt", "original");
      expectStatus(await copy(sb, { from: "/d", to: "/e" }), 200);
      await sb.write("/e/f.txt", "changed");
      assert.equal(await sb.readText("/d/f.txt"), "original");
    },
  ],
  "source-is-independent": [
    "Writing the source does not change the copy.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/f.txt", "original");
      expectStatus(await copy(sb, { from: "/f.txt", to: "/g.txt" }), 200);
      await sb.write("/f.txt", "changed");
      assert.equal(await sb.readText("/g.txt"), "original");
    },
  ],
  "existing-destination-409-eexist": [
    "Copying onto an existing file without overwrite is 409 EEXIST and keeps it.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/a", "a");
      await sb.write("/b", "b");
      expectProblem(await copy(sb, { from: "/a", to: "/b" }), 409, "EEXIST");
      assert.equal(await sb.readText("/b"), "b");
    },
  ],
  "overwrite-replaces-file": [
    "With overwrite: true, the copy replaces the destination file.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/a", "new");
      await sb.write("/b", "old");
      expectStatus(await copy(sb, { from: "/a", to: "/b", overwrite: true }), 200);
      assert.equal(await sb.readText("/b"), "new");
      assert.equal(await sb.readText("/a"), "new");
    },
  ],
  "into-own-subtree-400-einval": [
    "Copying a directory into its own subtree is 400 EINVAL.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/a/f.txt", "f");
      expectProblem(await copy(sb, { from: "/a", to: "/a/inner" }), 400, "EINVAL");
      assert.equal(await sb.exists("/a/inner"), false);
    },
  ],
  "missing-source-404-enoent": [
    "Copying a path with nothing there is 404 ENOENT.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      expectProblem(await copy(sb, { from: "/nope", to: "/b" }), 404, "ENOENT");
    },
  ],
  "version-increases": [
    "A copy's result version is greater than before and equals the sandbox's version.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/a", "a");
      const before = await sb.version();
      const res = await copy(sb, { from: "/a", to: "/b" });
      expectStatus(res, 200);
      const { version } = res.json<Schemas["MutationResult"]>();
      assert.ok(version > before, `${version} > ${before}`);
      assert.equal(await sb.version(), version);
    },
  ],
});
