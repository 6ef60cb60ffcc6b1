/** Path rules as listDirectory shows them: a trailing slash is normalized away. */
import { defineCases } from "../../case.js";
import { assert } from "../../harness/assert.js";

export default defineCases("paths", "list-directory", {
  "trailing-slash-normalized": [
    "Listing /d/ lists /d and reports path /d.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/d/f", "f");
      const listing = await sb.list("/d/");
      assert.deepEqual([listing.path, listing.entries.map((e) => e.name)], ["/d", ["f"]]);
    },
  ],
});
