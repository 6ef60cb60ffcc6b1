/** Cases for `from` on createSandbox (forks) and restoreSandbox. */
import type { Sandbox, Schemas } from "@cairn/spec";
import { defineCases } from "../../case.js";
import type { CaseContext } from "../../context.js";
import { assert, expectProblem, expectStatus } from "../../harness/assert.js";
import { SandboxHandle } from "../../harness/sandbox.js";
import { textFiles } from "../text-support.js";
import { summary } from "./history-support.js";
import { snapshot } from "./snapshots.js";

/** Creates a sandbox from a source (201 expected), deleted after the case. */
async function fork(
  ctx: CaseContext,
  from: { snapshotId: string } | { sandboxId: string },
  extra: { name?: string } = {},
): Promise<SandboxHandle> {
  const res = await ctx.request("POST", "/v1/sandboxes", { body: { from, ...extra } });
  expectStatus(res, 201);
  const created = res.json<Sandbox>();
  ctx.deleteLater(created.id);
  return new SandboxHandle(created, ctx.request);
}

async function restore(sb: SandboxHandle, snapshotId: string, headers?: Record<string, string>) {
  const res = await sb.request("POST", "/restore", { body: { snapshotId }, headers });
  expectStatus(res, 200);
  return res.json<Schemas["RestoreResult"]>();
}

export default defineCases("history", "fork-and-restore", {
  "a-fork-does-not-see-later-writes-and-vice-versa": [
    "Forks of a snapshot and of a sandbox start with its files; afterwards writes to either side never show in the other.",
    async (ctx) => {
      const source = await ctx.sandbox({ files: textFiles({ "/app/main.ts": "v1" }) });
      const snap = await snapshot(source);
      const fromSnapshot = await fork(ctx, { snapshotId: snap.id }, { name: "from-snapshot" });
      const fromSandbox = await fork(ctx, { sandboxId: source.id });
      assert.equal(fromSnapshot.created.name, "from-snapshot");
      assert.equal(fromSnapshot.created.version, 1);
      await source.write("/app/main.ts", "source");
      await fromSnapshot.write("/app/main.ts", "fork");
      await fromSandbox.exec("rm -r /app; echo other > /other");
      assert.equal(await source.readText("/app/main.ts"), "source");
      assert.equal(await fromSnapshot.readText("/app/main.ts"), "fork");
      assert.equal(await fromSandbox.exists("/app"), false);
      assert.equal(await source.exists("/other"), false);
      assert.equal(await fromSnapshot.exists("/other"), false);
    },
  ],
  "a-fork-outlives-its-source": [
    "Deleting the source sandbox (and its snapshots) leaves forks whole; forking a deleted source is 404.",
    async (ctx) => {
      const source = await ctx.sandbox({ files: textFiles({ "/keep.txt": "kept" }) });
      const snap = await snapshot(source);
      const forked = await fork(ctx, { snapshotId: snap.id });
      expectStatus(await ctx.request("DELETE", `/v1/sandboxes/${source.id}`), 204);
      assert.equal(await forked.readText("/keep.txt"), "kept");
      const gone = await ctx.request("POST", "/v1/sandboxes", {
        body: { from: { snapshotId: snap.id } },
      });
      expectProblem(gone, 404, "snapshot_not_found");
      const noSandbox = await ctx.request("POST", "/v1/sandboxes", {
        body: { from: { sandboxId: source.id } },
      });
      expectProblem(noSandbox, 404, "sandbox_not_found");
    },
  ],
  "from-and-files-together-are-400": [
    "`from` and `files` cannot be combined.",
    async (ctx) => {
      const source = await ctx.sandbox();
      const res = await ctx.request("POST", "/v1/sandboxes", {
        body: { from: { sandboxId: source.id }, files: [{ path: "/a", content: "a" }] },
      });
      expectProblem(res, 400, "invalid_request");
    },
  ],
  "restore-and-undo-the-restore": [
    "Restoring a snapshot is one new commit listing what it changed; restoring a snapshot taken before it undoes it.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: textFiles({ "/a.txt": "one" }) });
      const before = await snapshot(sb);
      await sb.exec("echo two > /a.txt; mkdir /d; echo c > /d/c.txt; chmod 600 /a.txt");
      const after = await snapshot(sb);
      const restored = await restore(sb, before.id);
      assert.equal(restored.version, 3);
      assert.deepEqual(summary(restored.changes), [
        "modified /a.txt",
        "deleted /d",
        "deleted /d/c.txt",
      ]);
      assert.equal(await sb.readText("/a.txt"), "one");
      assert.equal(await sb.exists("/d"), false);
      const undone = await restore(sb, after.id);
      assert.equal(undone.version, 4);
      assert.equal(await sb.readText("/a.txt"), "two\n");
      assert.equal(await sb.readText("/d/c.txt"), "c\n");
      assert.equal((await sb.stat("/a.txt")).mode, 0o600);
      const again = await restore(sb, after.id);
      assert.equal(again.version, 4, "nothing to change: no new version");
      assert.deepEqual(again.changes, []);
    },
  ],
  "restore-if-match": [
    "With If-Match naming another version the restore is 412 and changes nothing.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: textFiles({ "/a.txt": "one" }) });
      const snap = await snapshot(sb);
      await sb.write("/a.txt", "two");
      const res = await sb.request("POST", "/restore", {
        body: { snapshotId: snap.id },
        headers: { "if-match": '"1"' },
      });
      expectProblem(res, 412, "precondition_failed");
      assert.equal(await sb.readText("/a.txt"), "two");
      assert.equal((await restore(sb, snap.id, { "if-match": '"2"' })).version, 3);
    },
  ],
});
