/** Cases for watchSandbox (GET /v1/sandboxes/{id}/events): commits streamed live, resumable. */
import { defineCases } from "../../case.js";
import { assert, expectProblem, expectStatus } from "../../harness/assert.js";
import { summary } from "./history-support.js";
import { watch } from "./watch-support.js";

export default defineCases("history", "watch-sandbox", {
  "streams-each-commit-as-it-lands": [
    "A watcher gets one commit event per commit made after it connected, in order, id = version, with the commit's changes.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const watcher = await watch(ctx, sb.id);
      await sb.write("/a.txt", "a");
      await sb.exec("mv /a.txt /b.txt");
      await sb.update({ name: "renamed" });
      const events = await watcher.commits(3);
      assert.deepEqual(
        events.map((e) => [e.version, e.origin.operation, ...summary(e.changes)]),
        [
          [2, "writeFile", "created /a.txt"],
          [3, "execScript", "moved /a.txt -> /b.txt"],
          [4, "updateSandbox"],
        ],
      );
    },
  ],
  "filters-by-path-prefix": [
    "With path, only commits that changed something at or under it are sent.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const watcher = await watch(ctx, sb.id, { path: "/src" });
      await sb.write("/other.txt", "x");
      await sb.write("/src/a.ts", "a");
      await sb.write("/srcfile", "not under /src");
      await sb.exec("mv /src/a.ts /lib.ts");
      const events = await watcher.commits(2);
      assert.deepEqual(
        events.map((e) => e.version),
        [3, 5],
      );
      assert.equal(await watcher.ended(), false);
    },
  ],
  "resumes-with-last-event-id-missing-none-repeating-none": [
    "A watcher that reconnects with Last-Event-ID gets every commit after it, once, in order, then live ones.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const first = await watch(ctx, sb.id);
      await sb.write("/1", "1");
      await sb.write("/2", "2");
      const seen = await first.commits(2);
      first.close();
      // A gap: commits nobody was watching.
      for (let i = 3; i <= 6; i++) await sb.write(`/${i}`, String(i));
      const again = await watch(ctx, sb.id, { lastEventId: Number(seen.at(-1)!.id) });
      const replayed = await again.commits(4);
      await sb.write("/7", "7");
      const live = await again.commits(1);
      assert.deepEqual(
        [...seen, ...replayed, ...live].map((e) => e.version),
        [2, 3, 4, 5, 6, 7, 8],
      );
      assert.equal(await again.ended(), false);
    },
  ],
  "ends-when-the-sandbox-is-deleted": [
    "Deleting the sandbox sends a deleted event and ends the stream.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const watcher = await watch(ctx, sb.id);
      expectStatus(await ctx.request("DELETE", `/v1/sandboxes/${sb.id}`), 204);
      const event = await watcher.next();
      assert.equal(event.event, "deleted");
      assert.equal(await watcher.ended(2000), true);
    },
  ],
  "bad-input-is-400": [
    "A Last-Event-ID that is not a version, or a relative path, is 400; an unknown sandbox 404.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      expectProblem(
        await sb.request("GET", "/events", { headers: { "last-event-id": "abc" } }),
        400,
        "invalid_request",
      );
      expectProblem(
        await sb.request("GET", "/events", { query: { path: "src" } }),
        400,
        "invalid_request",
      );
      expectProblem(
        await ctx.request("GET", "/v1/sandboxes/sbx_nosuchsandbox/events"),
        404,
        "sandbox_not_found",
      );
    },
  ],
});
