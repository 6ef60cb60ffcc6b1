/** Cases for diffSandbox (GET /v1/sandboxes/{id}/diff): paths and unified diffs between states. */
import type { Sandbox, Schemas } from "@cairn/spec";
import { defineCases } from "../../case.js";
import { assert, expectProblem, expectStatus } from "../../harness/assert.js";
import { SandboxHandle } from "../../harness/sandbox.js";
import { binaryFile, textFiles } from "../text-support.js";
import { summary } from "./history-support.js";
import { snapshot } from "./snapshots.js";

type SandboxDiff = Schemas["SandboxDiff"];

export default defineCases("history", "diff-sandbox", {
  "snapshot-to-now-and-the-diffs-apply": [
    "A diff from a snapshot to now lists the changed paths and unified diffs that, applied with fs/patch to a fork of the snapshot, give today's files.",
    async (ctx) => {
      const sb = await ctx.sandbox({
        files: [
          ...textFiles({ "/a.txt": "one\ntwo\nthree\n", "/gone.txt": "bye\n" }),
          binaryFile("/bin.dat", new Uint8Array([0, 255, 1])),
        ],
      });
      const snap = await snapshot(sb);
      await sb.exec(
        "sed -i 's/two/TWO/' /a.txt; rm /gone.txt; echo fresh > /new.txt; printf '\\001\\377' > /bin.dat",
      );
      const res = await sb.request("GET", "/diff", { query: { from: snap.id } });
      expectStatus(res, 200);
      const diff = res.json<SandboxDiff>();
      assert.deepEqual(diff.from, { version: 1, snapshotId: snap.id });
      assert.deepEqual(diff.to, { version: 2 });
      assert.deepEqual(summary(diff.changes), [
        "modified /a.txt",
        "modified /bin.dat",
        "deleted /gone.txt",
        "created /new.txt",
      ]);
      const byPath = Object.fromEntries(diff.files.map((f) => [f.path, f]));
      assert.equal(byPath["/bin.dat"]?.skipped, "binary");
      assert.match(byPath["/a.txt"]?.diff ?? "", /^--- a\/a\.txt\n\+\+\+ b\/a\.txt\n@@ /);
      // The text diffs, applied to a fork of the snapshot, give the current text files.
      const created = await ctx.request("POST", "/v1/sandboxes", {
        body: { from: { snapshotId: snap.id } },
      });
      expectStatus(created, 201);
      ctx.deleteLater(created.json<Sandbox>().id);
      const fork = new SandboxHandle(created.json<Sandbox>(), ctx.request);
      const patch = diff.files.flatMap((f) => (f.diff ? [f.diff] : [])).join("");
      expectStatus(await fork.request("POST", "/fs/patch", { body: { patch } }), 200);
      assert.equal(await fork.readText("/a.txt"), "one\nTWO\nthree\n");
      assert.equal(await fork.readText("/new.txt"), "fresh\n");
      assert.equal(await fork.exists("/gone.txt"), false);
    },
  ],
  "versions-current-snapshotted-or-in-the-log": [
    "from/to take versions: the current one, any a snapshot holds and any the commit log reaches back to; a version past the current one is 404 version_unavailable.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: textFiles({ "/a.txt": "1\n" }) });
      await snapshot(sb);
      await sb.write("/a.txt", "2\n");
      await sb.write("/a.txt", "3\n");
      const res = await sb.request("GET", "/diff", { query: { from: "1", to: "3" } });
      expectStatus(res, 200);
      const diff = res.json<SandboxDiff>();
      assert.deepEqual(summary(diff.changes), ["modified /a.txt"]);
      assert.equal(diff.files[0]?.diff, "--- a/a.txt\n+++ b/a.txt\n@@ -1,1 +1,1 @@\n-1\n+3\n");
      const none = await sb.request("GET", "/diff", { query: { from: "3" } });
      assert.deepEqual(none.json<SandboxDiff>().changes, []);
      // Version 2 no snapshot holds: rebuilt from the log.
      const fromLog = await sb.request("GET", "/diff", { query: { from: "2" } });
      expectStatus(fromLog, 200);
      assert.deepEqual(fromLog.json<SandboxDiff>().from, { version: 2 });
      assert.equal(
        fromLog.json<SandboxDiff>().files[0]?.diff,
        "--- a/a.txt\n+++ b/a.txt\n@@ -1,1 +1,1 @@\n-2\n+3\n",
      );
      expectProblem(
        await sb.request("GET", "/diff", { query: { from: "9" } }),
        404,
        "version_unavailable",
      );
      expectProblem(
        await sb.request("GET", "/diff", { query: { from: "latest" } }),
        400,
        "invalid_request",
      );
    },
  ],
});
