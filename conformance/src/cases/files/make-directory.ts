/** Cases for makeDirectory (POST /v1/sandboxes/{id}/fs/mkdir). */
import { defineCases } from "../../case.js";
import { assert, expectProblem, expectStatus } from "../../harness/assert.js";

export default defineCases("files", "make-directory", {
  "creates-201": [
    "mkdir of a new path is 201 and the path is then a directory.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      expectStatus(await sb.mkdirRaw("/d"), 201);
      assert.equal((await sb.stat("/d")).type, "directory");
    },
  ],
  "existing-directory-409-eexist": [
    "mkdir of an existing directory without parents is 409 EEXIST.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.mkdir("/d");
      expectProblem(await sb.mkdirRaw("/d"), 409, "EEXIST");
    },
  ],
  "existing-file-409-eexist": [
    "mkdir where a file exists is 409 EEXIST and the file is kept.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/f", "file");
      expectProblem(await sb.mkdirRaw("/f"), 409, "EEXIST");
      assert.equal(await sb.readText("/f"), "file");
    },
  ],
  "parents-creates-nested": [
    "mkdir with parents: true creates every missing directory.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      expectStatus(await sb.mkdirRaw("/a/b/c", true), 201);
      for (const p of ["/a", "/a/b", "/a/b/c"]) assert.equal((await sb.stat(p)).type, "directory");
    },
  ],
  "parents-existing-201": [
    "mkdir with parents: true of an existing directory is 201 (idempotent).",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.mkdir("/a/b", true);
      expectStatus(await sb.mkdirRaw("/a/b", true), 201);
    },
  ],
  "parents-existing-version-unchanged": [
    "mkdir -p of an existing directory leaves the version unchanged (nothing to do).",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const { version } = await sb.mkdir("/a/b", true);
      const again = await sb.mkdir("/a/b", true);
      assert.equal(again.version, version);
      assert.equal(await sb.version(), version);
    },
  ],
  "parents-keeps-contents": [
    "mkdir -p of an existing directory keeps what is inside it.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/a/keep.txt", "keep");
      await sb.mkdir("/a", true);
      assert.equal(await sb.readText("/a/keep.txt"), "keep");
    },
  ],
  "parents-onto-file-409-eexist": [
    "mkdir -p where a file exists is 409 EEXIST.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/f", "file");
      expectProblem(await sb.mkdirRaw("/f", true), 409, "EEXIST");
    },
  ],
  "missing-parent-404-enoent": [
    "mkdir below a missing directory without parents is 404 ENOENT.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      expectProblem(await sb.mkdirRaw("/missing/child"), 404, "ENOENT");
    },
  ],
  "parent-is-file-409-enotdir": [
    "mkdir below a file is 409 ENOTDIR.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/f", "file");
      expectProblem(await sb.mkdirRaw("/f/sub"), 409, "ENOTDIR");
    },
  ],
  "version-increases": [
    "mkdir's result version is greater than before and equals the sandbox's version.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const before = await sb.version();
      const { version } = await sb.mkdir("/v");
      assert.ok(version > before, `${version} > ${before}`);
      assert.equal(await sb.version(), version);
    },
  ],
  "unknown-property-400": [
    "An unknown property in the body is 400 invalid_request.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const res = await sb.request("POST", "/fs/mkdir", { body: { path: "/d", recursive: true } });
      expectProblem(res, 400, "invalid_request");
    },
  ],
  "missing-path-400": [
    "A body without path is 400 invalid_request.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      expectProblem(await sb.request("POST", "/fs/mkdir", { body: {} }), 400, "invalid_request");
    },
  ],
});
