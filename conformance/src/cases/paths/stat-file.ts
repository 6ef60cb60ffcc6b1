/** Path rules as statFile shows them: the normalized path is what stat reports. */
import { defineCases } from "../../case.js";
import { assert } from "../../harness/assert.js";

export default defineCases("paths", "stat-file", {
  "slashes-normalized": [
    "stat of //a///b/ describes /a/b and reports path /a/b.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/a/b", "b");
      const stat = await sb.stat("//a///b/");
      assert.deepEqual([stat.path, stat.type], ["/a/b", "file"]);
    },
  ],
  "dot-segments-normalized": [
    "stat of /a/./b reports path /a/b.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/a/b", "b");
      assert.equal((await sb.stat("/a/./b")).path, "/a/b");
    },
  ],
});
