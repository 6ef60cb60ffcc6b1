/** Snapshots, forks and restores at the storage level: O(metadata) copies that stay independent. */
import {
  type Backend,
  createSnapshot,
  deleteSnapshot,
  forkSandbox,
  getSnapshot,
  listSnapshots,
  restoreSnapshot,
  SandboxNotFoundError,
  SandboxService,
  SnapshotNotFoundError,
  VersionConflictError,
} from "@cairn/core";
import { describe, expect, it } from "vitest";

/** /home, /home/user and /tmp: the directories every new sandbox has. */
const MACHINE_ENTRIES = 3;

const scope = { tenantId: "snapshots-a" };
const other = { tenantId: "snapshots-b" };
const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/** Runs inside a backend's contract suite; `backend()` is its open backend. */
export function describeSnapshotContract(backend: () => Backend): void {
  describe("snapshots", () => {
    const service = () => new SandboxService({ backend: backend() });
    const read = async (s: SandboxService, id: string, path: string) =>
      dec((await s.read(scope, id, (vfs) => vfs.readFile(path))).value);
    const exists = async (s: SandboxService, id: string, path: string) =>
      (await s.read(scope, id, (vfs) => vfs.exists(path))).value;

    it("freezes-one-version-and-counts-its-files", async () => {
      const s = service();
      const sb = await s.create(scope, { files: [{ path: "/d/a", bytes: enc("hello") }] });
      const snap = await createSnapshot(s, scope, sb.id, { name: "before" });
      expect(snap).toMatchObject({
        sandboxId: sb.id,
        name: "before",
        version: 1,
        files: 2 + MACHINE_ENTRIES,
        bytes: 5,
      });
      expect(snap.id).toMatch(/^snp_/);
      await s.mutate(scope, sb.id, (vfs) => vfs.writeFile("/d/a", enc("changed")));
      const tree = await backend().loadSnapshotTree(scope.tenantId, snap.id);
      expect(tree?.version).toBe(1);
      expect(tree?.inodes).toHaveLength(3 + MACHINE_ENTRIES); // the root, /d, /d/a
      expect(await getSnapshot(s, scope, sb.id, snap.id)).toEqual(snap);
    });

    it("if-version-must-match", async () => {
      const s = service();
      const sb = await s.create(scope);
      await expect(createSnapshot(s, scope, sb.id, { ifVersion: 7 })).rejects.toBeInstanceOf(
        VersionConflictError,
      );
      expect((await createSnapshot(s, scope, sb.id, { ifVersion: 1 })).version).toBe(1);
    });

    it("lists-newest-first-and-deletes", async () => {
      const s = service();
      const sb = await s.create(scope);
      const ids = [];
      for (let i = 0; i < 3; i++) ids.push((await createSnapshot(s, scope, sb.id)).id);
      const page = await listSnapshots(s, scope, sb.id, { limit: 2 });
      expect(page.items.map((x) => x.id)).toEqual([ids[2], ids[1]]);
      const rest = await listSnapshots(s, scope, sb.id, { limit: 2, after: page.next! });
      expect(rest.items.map((x) => x.id)).toEqual([ids[0]]);
      expect(rest.next).toBeNull();
      await deleteSnapshot(s, scope, sb.id, ids[1]!);
      await expect(getSnapshot(s, scope, sb.id, ids[1]!)).rejects.toBeInstanceOf(
        SnapshotNotFoundError,
      );
      expect((await listSnapshots(s, scope, sb.id, { limit: 10 })).items).toHaveLength(2);
    });

    it("is-tenant-scoped-and-deleted-with-its-sandbox", async () => {
      const s = service();
      const sb = await s.create(scope);
      const snap = await createSnapshot(s, scope, sb.id);
      expect(await backend().getSnapshot(other.tenantId, snap.id)).toBeUndefined();
      await expect(forkSandbox(s, other, { snapshotId: snap.id })).rejects.toBeInstanceOf(
        SnapshotNotFoundError,
      );
      await s.delete(scope, sb.id);
      expect(await backend().getSnapshot(scope.tenantId, snap.id)).toBeUndefined();
      expect(await backend().loadSnapshotTree(scope.tenantId, snap.id)).toBeUndefined();
    });

    it("a-fork-and-its-source-are-independent-both-ways", async () => {
      const s = service();
      const source = await s.create(scope, { files: [{ path: "/shared", bytes: enc("v1") }] });
      const snap = await createSnapshot(s, scope, source.id);
      const fromSnapshot = await forkSandbox(s, scope, { snapshotId: snap.id }, { name: "f1" });
      const fromSandbox = await forkSandbox(s, scope, { sandboxId: source.id });
      expect(fromSnapshot).toMatchObject({ name: "f1", version: 1 });
      for (const fork of [fromSnapshot, fromSandbox]) {
        expect(await read(s, fork.id, "/shared")).toBe("v1");
      }
      await s.mutate(scope, source.id, (vfs) => vfs.writeFile("/shared", enc("source")));
      await s.mutate(scope, fromSnapshot.id, (vfs) => vfs.writeFile("/mine", enc("fork")));
      expect(await read(s, fromSnapshot.id, "/shared")).toBe("v1");
      expect(await read(s, fromSandbox.id, "/shared")).toBe("v1");
      expect(await exists(s, source.id, "/mine")).toBe(false);
      expect(await exists(s, fromSandbox.id, "/mine")).toBe(false);
      // Deleting the source (and with it the snapshot) leaves the forks whole.
      await s.delete(scope, source.id);
      expect(await read(s, fromSnapshot.id, "/shared")).toBe("v1");
      const log = await s.commits(scope, fromSandbox.id, { limit: 5 });
      expect(log.items.map((c) => c.version)).toEqual([1]);
      await expect(forkSandbox(s, scope, { sandboxId: source.id })).rejects.toBeInstanceOf(
        SandboxNotFoundError,
      );
    });

    it("restore-is-a-commit-and-can-be-undone", async () => {
      const s = service();
      const sb = await s.create(scope, { files: [{ path: "/a", bytes: enc("one") }] });
      const before = await createSnapshot(s, scope, sb.id);
      await s.mutate(scope, sb.id, (vfs) => {
        vfs.writeFile("/a", enc("two"));
        vfs.writeFile("/b", enc("new"));
        vfs.mkdir("/dir");
        vfs.writeFile("/dir/c", enc("c"));
      });
      const after = await createSnapshot(s, scope, sb.id);
      const restored = await restoreSnapshot(s, scope, sb.id, before.id);
      expect(restored).toEqual({ version: 3, changed: true });
      expect(await read(s, sb.id, "/a")).toBe("one");
      expect(await exists(s, sb.id, "/b")).toBe(false);
      expect(await exists(s, sb.id, "/dir")).toBe(false);
      const commit = await s.commitAt(scope, sb.id, 3);
      expect(commit?.changes.map((c) => `${c.kind} ${c.path}`)).toEqual([
        "modified /a",
        "deleted /b",
        "deleted /dir",
        "deleted /dir/c",
      ]);
      // Undo: back to the state the restore replaced.
      await restoreSnapshot(s, scope, sb.id, after.id);
      expect(await read(s, sb.id, "/a")).toBe("two");
      expect(await read(s, sb.id, "/dir/c")).toBe("c");
      // A fresh service (no cached tree) sees the same.
      expect(await read(service(), sb.id, "/b")).toBe("new");
      const again = await restoreSnapshot(s, scope, sb.id, after.id);
      expect(again.changed).toBe(false);
    });

    it("a-snapshot-under-concurrent-writes-is-exactly-one-version", async () => {
      const s = service();
      const sb = await s.create(scope);
      const writes = Array.from({ length: 20 }, (_, i) =>
        s.mutate(scope, sb.id, (vfs) => vfs.writeFile(`/f${i}`, enc(String(i)))),
      );
      const snaps = await Promise.all(
        Array.from({ length: 5 }, () => createSnapshot(s, scope, sb.id)),
      );
      await Promise.all(writes);
      for (const snap of snaps) {
        const tree = await backend().loadSnapshotTree(scope.tenantId, snap.id);
        // Version v has exactly v - 1 files: one per write committed before it.
        expect(tree!.inodes.length - 1).toBe(snap.version - 1 + MACHINE_ENTRIES);
        expect(snap.files).toBe(snap.version - 1 + MACHINE_ENTRIES);
      }
    });
  });
}
