/** Cases for createSnapshot, listSnapshots, getSnapshot and deleteSnapshot. */
import type { Schemas } from "@cairn/spec";
import { defineCases } from "../../case.js";
import { assert, expectProblem, expectStatus } from "../../harness/assert.js";
import type { SandboxHandle } from "../../harness/sandbox.js";
import { textFiles } from "../text-support.js";

/** /home, /home/user and /tmp: the directories every new sandbox has. */
const MACHINE_ENTRIES = 3;

export type Snapshot = Schemas["Snapshot"];

/** POST a snapshot (201 expected). */
export async function snapshot(
  sb: SandboxHandle,
  body: { name?: string } = {},
  headers?: Record<string, string>,
): Promise<Snapshot> {
  const res = await sb.request("POST", "/snapshots", { body, headers });
  expectStatus(res, 201);
  const created = res.json<Snapshot>();
  assert.equal(res.header("location"), `/v1/sandboxes/${sb.id}/snapshots/${created.id}`);
  return created;
}

export default defineCases("history", "create-snapshot", {
  "freezes-the-current-version": [
    "A snapshot names the version it froze, its files and bytes; later writes do not change it.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: textFiles({ "/src/a.txt": "hello" }) });
      const snap = await snapshot(sb, { name: "before" });
      assert.equal(snap.sandboxId, sb.id);
      assert.equal(snap.name, "before");
      assert.equal(snap.version, 1);
      assert.equal(snap.files, 2 + MACHINE_ENTRIES);
      assert.equal(snap.bytes, 5);
      await sb.write("/src/a.txt", "changed");
      const res = await sb.request("GET", `/snapshots/${snap.id}`);
      expectStatus(res, 200);
      assert.deepEqual(res.json<Snapshot>(), snap);
    },
  ],
  "if-match-pins-the-version": [
    "With If-Match naming another version the snapshot is refused with 412 precondition_failed.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/a", "a");
      const res = await sb.request("POST", "/snapshots", {
        body: {},
        headers: { "if-match": '"1"' },
      });
      expectProblem(res, 412, "precondition_failed");
      assert.equal((await snapshot(sb, {}, { "if-match": '"2"' })).version, 2);
    },
  ],
  "list-get-and-delete": [
    "Snapshots list newest first in pages; a deleted one is 404 snapshot_not_found.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const ids = [];
      for (let i = 0; i < 3; i++) ids.push((await snapshot(sb)).id);
      const first = await sb.request("GET", "/snapshots", { query: { limit: 2 } });
      expectStatus(first, 200);
      const page = first.json<Schemas["SnapshotPage"]>();
      assert.deepEqual(
        page.items.map((s) => s.id),
        [ids[2], ids[1]],
      );
      const rest = (
        await sb.request("GET", "/snapshots", { query: { limit: 2, cursor: page.nextCursor! } })
      ).json<Schemas["SnapshotPage"]>();
      assert.deepEqual(
        rest.items.map((s) => s.id),
        [ids[0]],
      );
      assert.equal(rest.nextCursor, null);
      expectStatus(await sb.request("DELETE", `/snapshots/${ids[1]}`), 204);
      expectProblem(await sb.request("GET", `/snapshots/${ids[1]}`), 404, "snapshot_not_found");
      expectProblem(await sb.request("DELETE", `/snapshots/${ids[1]}`), 404, "snapshot_not_found");
    },
  ],
  "another-sandboxs-snapshot-is-not-found": [
    "A snapshot is reached only under its own sandbox.",
    async (ctx) => {
      const a = await ctx.sandbox();
      const b = await ctx.sandbox();
      const snap = await snapshot(a);
      expectProblem(await b.request("GET", `/snapshots/${snap.id}`), 404, "snapshot_not_found");
      expectProblem(
        await b.request("POST", "/restore", { body: { snapshotId: snap.id } }),
        404,
        "snapshot_not_found",
      );
    },
  ],
  "one-version-under-concurrent-writes": [
    "Snapshots taken while scripts write each hold exactly the files of the version they name.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const writes = Array.from({ length: 8 }, (_, i) => sb.exec(`echo ${i} > /f${i}`));
      const snaps = await Promise.all(Array.from({ length: 4 }, () => snapshot(sb)));
      await Promise.all(writes);
      for (const snap of snaps) {
        // Each write adds one file, so version v holds v - 1 files (beside the machine's).
        assert.equal(
          snap.files,
          snap.version - 1 + MACHINE_ENTRIES,
          `snapshot at version ${snap.version}`,
        );
      }
    },
  ],
});
