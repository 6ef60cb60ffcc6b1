/** Cases for statFile (GET /v1/sandboxes/{id}/fs/stat). */
import { defineCases } from "../../case.js";
import { assert, expectProblem } from "../../harness/assert.js";

export default defineCases("files", "stat-file", {
  "file-fields": [
    "stat of a new file gives its path, type file, size, mode 420 and the write's ETag.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const { etag } = await sb.write("/s.txt", "12345");
      const stat = await sb.stat("/s.txt");
      assert.deepEqual(
        [stat.path, stat.type, stat.size, stat.mode, stat.etag],
        ["/s.txt", "file", 5, 0o644, etag],
      );
    },
  ],
  "directory-fields": [
    "stat of a directory gives type directory, size 0 and no etag.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.mkdir("/d");
      const stat = await sb.stat("/d");
      assert.deepEqual(
        [stat.path, stat.type, stat.size, stat.etag],
        ["/d", "directory", 0, undefined],
      );
    },
  ],
  "root-is-directory": [
    "stat of / in a new sandbox is a directory with path /.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const stat = await sb.stat("/");
      assert.deepEqual([stat.path, stat.type], ["/", "directory"]);
    },
  ],
  "missing-404-enoent": [
    "stat of a path with nothing there is 404 ENOENT.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      expectProblem(await sb.statRaw("/nope"), 404, "ENOENT");
    },
  ],
  "size-follows-content": [
    "After a replace, stat's size is the new content's byte length.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/s.txt", "a much longer first version");
      await sb.write("/s.txt", "ü");
      assert.equal((await sb.stat("/s.txt")).size, 2);
    },
  ],
});
