/** Cases for moveFile (POST /v1/sandboxes/{id}/fs/move). */
import type { Schemas } from "@cairn/spec";
import { defineCases } from "../../case.js";
import { assert, expectProblem, expectStatus } from "../../harness/assert.js";
import type { MoveInput } from "../../harness/inputs.js";
import type { SandboxHandle } from "../../harness/sandbox.js";

function move(sb: SandboxHandle, body: MoveInput) {
  return sb.request("POST", "/fs/move", { body });
}

export default defineCases("files", "move-file", {
  "renames-file": [
    "Moving a file puts its content at the destination and removes the source.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/a.txt", "content");
      expectStatus(await move(sb, { from: "/a.txt", to: "/b.txt" }), 200);
      assert.equal(await sb.readText("/b.txt"), "content");
      assert.equal(await sb.exists("/a.txt"), false);
    },
  ],
  "keeps-mode": [
    "A moved file keeps its mode.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/run.sh", "echo", { mode: "755" });
      expectStatus(await move(sb, { from: "/run.sh", to: "/moved.sh" }), 200);
      assert.equal((await sb.stat("/moved.sh")).mode, 0o755);
    },
  ],
  "directory-with-children": [
    "Moving a directory moves everything under it.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/src/a.txt", "a");
      await sb.write("/src/sub/b.txt", "b");
      expectStatus(await move(sb, { from: "/src", to: "/dst" }), 200);
      assert.equal(await sb.readText("/dst/a.txt"), "a");
      assert.equal(await sb.readText("/dst/sub/b.txt"), "b");
      assert.equal(await sb.exists("/src"), false);
      assert.equal(await sb.exists("/src/sub/b.txt"), false);
    },
  ],
  "existing-destination-409-eexist": [
    "Moving onto an existing file without overwrite is 409 EEXIST.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/a", "a");
      await sb.write("/b", "b");
      expectProblem(await move(sb, { from: "/a", to: "/b" }), 409, "EEXIST");
    },
  ],
  "existing-destination-keeps-both": [
    "A move refused with EEXIST leaves source and destination as they were.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/a", "a");
      await sb.write("/b", "b");
      await move(sb, { from: "/a", to: "/b" });
      assert.deepEqual([await sb.readText("/a"), await sb.readText("/b")], ["a", "b"]);
    },
  ],
  "overwrite-replaces-file": [
    "With overwrite: true, a file replaces the destination file.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/a", "new");
      await sb.write("/b", "old");
      expectStatus(await move(sb, { from: "/a", to: "/b", overwrite: true }), 200);
      assert.equal(await sb.readText("/b"), "new");
      assert.equal(await sb.exists("/a"), false);
    },
  ],
  "overwrite-replaces-empty-directory": [
    "With overwrite: true, a directory replaces an empty directory.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/a/x.txt", "x");
      await sb.mkdir("/b");
      expectStatus(await move(sb, { from: "/a", to: "/b", overwrite: true }), 200);
      assert.equal(await sb.readText("/b/x.txt"), "x");
      assert.equal(await sb.exists("/a"), false);
    },
  ],
  "overwrite-non-empty-directory-409": [
    "With overwrite: true, a directory onto a non-empty directory is 409 (ENOTEMPTY or EEXIST).",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/a/x.txt", "x");
      await sb.write("/b/y.txt", "y");
      const res = await move(sb, { from: "/a", to: "/b", overwrite: true });
      expectProblem(res, 409, ["ENOTEMPTY", "EEXIST"]);
      assert.equal(await sb.readText("/b/y.txt"), "y");
    },
  ],
  "file-onto-directory-409-eisdir": [
    "With overwrite: true, a file onto a directory is 409 EISDIR.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/f", "f");
      await sb.mkdir("/d");
      expectProblem(await move(sb, { from: "/f", to: "/d", overwrite: true }), 409, "EISDIR");
    },
  ],
  "directory-onto-file-409-enotdir": [
    "With overwrite: true, a directory onto a file is 409 ENOTDIR.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.mkdir("/d");
      await sb.write("/f", "f");
      expectProblem(await move(sb, { from: "/d", to: "/f", overwrite: true }), 409, "ENOTDIR");
    },
  ],
  "into-own-subtree-400-einval": [
    "Moving a directory into its own subtree is 400 EINVAL.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/a/b/file.txt", "x");
      expectProblem(await move(sb, { from: "/a", to: "/a/b/c" }), 400, "EINVAL");
    },
  ],
  "into-own-subtree-changes-nothing": [
    "A move refused with EINVAL leaves the tree as it was.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/a/b/file.txt", "x");
      const before = await sb.version();
      await move(sb, { from: "/a", to: "/a/b/c" });
      assert.equal(await sb.readText("/a/b/file.txt"), "x");
      assert.equal(await sb.exists("/a/b/c"), false);
      assert.equal(await sb.version(), before);
    },
  ],
  "root-400-einval": [
    "Moving the root is 400 EINVAL.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      expectProblem(await move(sb, { from: "/", to: "/elsewhere" }), 400, "EINVAL");
    },
  ],
  "missing-source-404-enoent": [
    "Moving a path with nothing there is 404 ENOENT.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      expectProblem(await move(sb, { from: "/nope", to: "/b" }), 404, "ENOENT");
    },
  ],
  "version-increases": [
    "A move's result version is greater than before and equals the sandbox's version.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/a", "a");
      const before = await sb.version();
      const res = await move(sb, { from: "/a", to: "/b" });
      expectStatus(res, 200);
      const { version } = res.json<Schemas["MutationResult"]>();
      assert.ok(version > before, `${version} > ${before}`);
      assert.equal(await sb.version(), version);
    },
  ],
  "unknown-property-400": [
    "An unknown property in the body is 400 invalid_request.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const res = await sb.request("POST", "/fs/move", {
        body: { from: "/a", to: "/b", force: true },
      });
      expectProblem(res, 400, "invalid_request");
    },
  ],
});
