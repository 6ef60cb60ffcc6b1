/** Cases for listCommits (GET /v1/sandboxes/{id}/commits): the log, newest first, in pages. */
import { defineCases } from "../../case.js";
import { assert, expectProblem } from "../../harness/assert.js";
import { textFiles } from "../text-support.js";
import { allCommits, commitPage, summary } from "./history-support.js";

export default defineCases("history", "list-commits", {
  "each-write-is-logged-with-its-changes": [
    "Creation, a write, a move, a chmod and a delete are each one commit, newest first, saying which paths changed how and through which operation.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: textFiles({ "/src/a.txt": "a" }) });
      await sb.write("/notes.md", "hello");
      await sb.exec("mv /src /lib");
      await sb.exec("chmod 600 /notes.md");
      await sb.exec("rm /notes.md");
      const log = await allCommits(sb);
      assert.deepEqual(
        log.map((c) => [c.version, c.origin.operation, ...summary(c.changes)]),
        [
          [5, "execScript", "deleted /notes.md"],
          [4, "execScript", "mode /notes.md"],
          [3, "execScript", "moved /src -> /lib"],
          [2, "writeFile", "created /notes.md"],
          // Beside the machine directories every new sandbox has.
          [
            1,
            "createSandbox",
            "created /home",
            "created /home/user",
            "created /src",
            "created /src/a.txt",
            "created /tmp",
          ],
        ],
      );
      const created = log[3]!.changes[0]!;
      assert.equal(created.type, "file");
      assert.equal(created.size, 5);
      assert.match(created.hash ?? "", /^[0-9a-f]{64}$/);
      assert.equal(log[0]!.changes[0]!.hash, created.hash, "a deletion names what was deleted");
      for (const commit of log) {
        assert.equal(commit.changeCount, commit.changes.length);
        assert.ok(!Number.isNaN(Date.parse(commit.at)), `${commit.at} is a date`);
      }
    },
  ],
  "pages-newest-first-with-a-cursor": [
    "limit pages the log and nextCursor continues with older commits until it is null.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      for (let i = 0; i < 4; i++) await sb.write(`/f${i}`, String(i));
      const first = await commitPage(sb, { limit: 2 });
      assert.deepEqual(
        first.items.map((c) => c.version),
        [5, 4],
      );
      assert.ok(first.nextCursor, "a next page");
      const second = await commitPage(sb, { limit: 2, cursor: first.nextCursor! });
      assert.deepEqual(
        second.items.map((c) => c.version),
        [3, 2],
      );
      const last = await commitPage(sb, { limit: 2, cursor: second.nextCursor! });
      assert.deepEqual(
        last.items.map((c) => c.version),
        [1],
      );
      assert.equal(last.nextCursor, null);
    },
  ],
  "a-bad-cursor-is-400": [
    "A cursor the server did not make is 400 invalid_request.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const res = await sb.request("GET", "/commits", { query: { cursor: "not a cursor" } });
      expectProblem(res, 400, "invalid_request");
    },
  ],
  "nothing-changed-is-not-a-commit": [
    "A write that fails, and a script that changes nothing, add no commit.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.exec("cat /etc/hostname 2>/dev/null; true");
      await sb.request("POST", "/fs/mkdir", { body: { path: "/a/b" } }); // ENOENT: no parents
      const log = await allCommits(sb);
      assert.deepEqual(
        log.map((c) => c.version),
        [1],
      );
    },
  ],
});
