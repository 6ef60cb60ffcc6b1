/** Cases for deleteFile (DELETE /v1/sandboxes/{id}/files). */
import type { Schemas } from "@cairn/spec";
import { defineCases } from "../../case.js";
import { assert, expectProblem, expectStatus } from "../../harness/assert.js";
import type { SandboxHandle } from "../../harness/sandbox.js";

function del(
  sb: SandboxHandle,
  path: string,
  recursive?: boolean,
  headers?: Record<string, string>,
) {
  return sb.request("DELETE", "/files", { query: { path, recursive }, headers });
}

export default defineCases("files", "delete-file", {
  "file-gone": [
    "Deleting a file is 200 and the path is then ENOENT.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/a.txt", "a");
      expectStatus(await del(sb, "/a.txt"), 200);
      assert.equal(await sb.exists("/a.txt"), false);
    },
  ],
  "empty-directory": [
    "An empty directory is deleted without recursive.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.mkdir("/d");
      expectStatus(await del(sb, "/d"), 200);
      assert.equal(await sb.exists("/d"), false);
    },
  ],
  "non-empty-409-enotempty": [
    "Deleting a non-empty directory without recursive is 409 ENOTEMPTY.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/d/f.txt", "f");
      expectProblem(await del(sb, "/d"), 409, "ENOTEMPTY");
    },
  ],
  "non-empty-kept": [
    "A delete refused with ENOTEMPTY leaves the directory and its children.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/d/f.txt", "f");
      await del(sb, "/d");
      assert.equal(await sb.readText("/d/f.txt"), "f");
    },
  ],
  "recursive-removes-tree": [
    "recursive=true deletes a directory and everything under it.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/d/f.txt", "f");
      await sb.write("/d/sub/g.txt", "g");
      expectStatus(await del(sb, "/d", true), 200);
      for (const p of ["/d", "/d/f.txt", "/d/sub", "/d/sub/g.txt"]) {
        assert.equal(await sb.exists(p), false, `${p} should be gone`);
      }
    },
  ],
  "recursive-keeps-siblings": [
    "recursive=true on /d leaves /d2 and /d.txt alone.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/d/f.txt", "f");
      await sb.write("/d2/f.txt", "f2");
      await sb.write("/d.txt", "t");
      expectStatus(await del(sb, "/d", true), 200);
      assert.equal(await sb.readText("/d2/f.txt"), "f2");
      assert.equal(await sb.readText("/d.txt"), "t");
    },
  ],
  "missing-404-enoent": [
    "Deleting a path with nothing there is 404 ENOENT.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      expectProblem(await del(sb, "/nope"), 404, "ENOENT");
    },
  ],
  "root-400-einval": [
    "Deleting the root is 400 EINVAL.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      expectProblem(await del(sb, "/"), 400, "EINVAL");
    },
  ],
  "root-recursive-400-einval": [
    "Deleting the root with recursive=true is 400 EINVAL and deletes nothing.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/keep.txt", "keep");
      expectProblem(await del(sb, "/", true), 400, "EINVAL");
      assert.equal(await sb.readText("/keep.txt"), "keep");
    },
  ],
  "if-match-current-succeeds": [
    "If-Match with the current ETag deletes the file.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const { etag } = await sb.write("/a.txt", "a");
      expectStatus(await del(sb, "/a.txt", undefined, { "if-match": etag ?? "" }), 200);
      assert.equal(await sb.exists("/a.txt"), false);
    },
  ],
  "if-match-stale-412": [
    "If-Match with a stale ETag is 412 precondition_failed and the file stays.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const { etag } = await sb.write("/a.txt", "v1");
      await sb.write("/a.txt", "v2");
      const res = await del(sb, "/a.txt", undefined, { "if-match": etag ?? "" });
      expectProblem(res, 412, "precondition_failed");
      assert.equal(await sb.readText("/a.txt"), "v2");
    },
  ],
  "version-increases": [
    "A delete's result version is greater than before and equals the sandbox's version.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/a", "a");
      const before = await sb.version();
      const res = await del(sb, "/a");
      expectStatus(res, 200);
      const { version } = res.json<Schemas["MutationResult"]>();
      assert.ok(version > before, `${version} > ${before}`);
      assert.equal(await sb.version(), version);
    },
  ],
});
