/** Cases for restoreSandbox and diffSandbox with versions no snapshot holds: rebuilt from the log. */
import type { Schemas } from "@cairn/spec";
import { defineCases } from "../../case.js";
import { assert, expectProblem, expectStatus } from "../../harness/assert.js";
import type { SandboxHandle } from "../../harness/sandbox.js";
import { textFiles } from "../text-support.js";
import { summary } from "./history-support.js";

async function restoreTo(sb: SandboxHandle, version: number, headers?: Record<string, string>) {
  const res = await sb.request("POST", "/restore", { body: { version }, headers });
  expectStatus(res, 200);
  return res.json<Schemas["RestoreResult"]>();
}

/** Every path under / with its type, mode, and content or link target, sorted. */
async function state(sb: SandboxHandle): Promise<string[]> {
  const out = await sb.exec(
    'find / -mindepth 1 | sort | while read -r p; do if [ -L "$p" ]; then echo "$p -> $(readlink "$p")"; elif [ -d "$p" ]; then echo "$p/ $(stat -c %a "$p")"; else echo "$p $(stat -c %a "$p") $(cat "$p")"; fi; done',
  );
  assert.equal(out.exitCode, 0, out.stderr);
  return out.stdout.split("\n").filter(Boolean);
}

export default defineCases("history", "restore-version", {
  "restore-a-logged-version-and-undo-the-restore": [
    "Restoring version N (no snapshot) gives back exactly its files, modes and links in one new commit; restoring the version before that commit undoes it.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: textFiles({ "/a.txt": "one" }) });
      await sb.exec("echo two > /a.txt; mkdir -p /d/e; echo c > /d/e/c.txt; ln -s /a.txt /link");
      const v2 = await state(sb);
      const { version: at2 } = await sb.get();
      await sb.exec(
        "rm -r /d; echo three > /a.txt; chmod 600 /a.txt; ln -sf /nowhere /link; mv /a.txt /b.txt",
      );
      await sb.write("/new.txt", "new");
      const v4 = await state(sb);
      assert.ok(v4.includes("/b.txt 600 three"), v4.join("\n"));
      assert.ok(v4.includes("/link -> /nowhere") && v2.includes("/link -> /a.txt"), v2.join("\n"));
      const { version: at4 } = await sb.get();
      const restored = await restoreTo(sb, at2);
      assert.equal(restored.version, at4 + 1);
      assert.ok(
        summary(restored.changes).includes("deleted /new.txt"),
        summary(restored.changes).join(),
      );
      assert.deepEqual(await state(sb), v2);
      assert.equal(await sb.readText("/d/e/c.txt"), "c\n");
      // The restore is a commit like any other: restoring the version before it undoes it.
      const undone = await restoreTo(sb, at4);
      assert.equal(undone.version, at4 + 2);
      assert.deepEqual(await state(sb), v4);
      const again = await restoreTo(sb, at4 + 2);
      assert.equal(again.version, at4 + 2, "the current version: nothing to change");
      assert.deepEqual(again.changes, []);
    },
  ],
  "diff-between-two-logged-versions": [
    "A diff between two versions no snapshot holds lists the changed paths and the unified diff of each text file.",
    async (ctx) => {
      const sb = await ctx.sandbox({
        files: textFiles({ "/a.txt": "1\n2\n3\n", "/gone.txt": "x\n" }),
      });
      await sb.exec("sed -i 's/2/two/' /a.txt; rm /gone.txt; echo n > /new.txt");
      await sb.write("/later.txt", "later\n");
      const res = await sb.request("GET", "/diff", { query: { from: "1", to: "2" } });
      expectStatus(res, 200);
      const diff = res.json<Schemas["SandboxDiff"]>();
      assert.deepEqual([diff.from, diff.to], [{ version: 1 }, { version: 2 }]);
      assert.deepEqual(summary(diff.changes), [
        "modified /a.txt",
        "deleted /gone.txt",
        "created /new.txt",
      ]);
      const byPath = Object.fromEntries(diff.files.map((f) => [f.path, f.diff]));
      assert.equal(
        byPath["/a.txt"],
        "--- a/a.txt\n+++ b/a.txt\n@@ -1,3 +1,3 @@\n 1\n-2\n+two\n 3\n",
      );
      assert.equal(byPath["/gone.txt"], "--- a/gone.txt\n+++ /dev/null\n@@ -1,1 +0,0 @@\n-x\n");
    },
  ],
  "unreachable-version-is-404-and-bad-input-400": [
    "Restoring a version the log does not reach (past the current one) is 404 version_unavailable and changes nothing; a body with both or neither of snapshotId and version is 400; If-Match is honoured.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: textFiles({ "/a.txt": "one" }) });
      await sb.write("/a.txt", "two");
      const res = await sb.request("POST", "/restore", { body: { version: 99 } });
      expectProblem(res, 404, "version_unavailable");
      for (const body of [{}, { version: 1, snapshotId: "snp_x" }, { version: 0 }]) {
        expectProblem(await sb.request("POST", "/restore", { body }), 400, "invalid_request");
      }
      const stale = await sb.request("POST", "/restore", {
        body: { version: 1 },
        headers: { "if-match": '"1"' },
      });
      expectProblem(stale, 412, "precondition_failed");
      assert.equal(await sb.readText("/a.txt"), "two");
      assert.equal((await restoreTo(sb, 1, { "if-match": '"2"' })).version, 3);
      assert.equal(await sb.readText("/a.txt"), "one");
    },
  ],
});
