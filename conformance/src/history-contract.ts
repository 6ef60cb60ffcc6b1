/** The commit log's storage contract: every backend logs each commit with it, atomically. */
import {
  type Backend,
  type ChangeSet,
  type CommitRecord,
  SandboxService,
  VersionConflictError,
} from "@cairn/core";
import { describe, expect, it } from "vitest";

const scope = {
  tenantId: "history-a",
  origin: { operation: "writeFile", keyId: "key_1", requestId: "req_1" },
};
const other = { tenantId: "history-b" };
const enc = (s: string) => new TextEncoder().encode(s);

const kinds = (commit: CommitRecord | undefined) =>
  commit?.changes.map((c) => `${c.kind} ${c.from ? `${c.from} -> ` : ""}${c.path}`);

/** Runs inside a backend's contract suite; `backend()` is its open backend. */
export function describeHistoryContract(backend: () => Backend): void {
  describe("commit log", () => {
    const service = () => new SandboxService({ backend: backend() });

    it("logs-creation-and-each-commit-with-its-changes-and-origin", async () => {
      const s = service();
      const sb = await s.create(scope, { files: [{ path: "/src/a.txt", bytes: enc("a") }] });
      await s.mutate(scope, sb.id, (vfs) => {
        vfs.writeFile("/src/a.txt", enc("changed"));
        vfs.writeFile("/b", enc("b"));
      });
      await s.mutate(scope, sb.id, (vfs) => vfs.rename("/src", "/lib"));
      await s.mutate(scope, sb.id, (vfs) => vfs.chmod("/b", 0o600));
      await s.mutate(scope, sb.id, (vfs) => vfs.rm("/b"));
      const first = await s.commitAt(scope, sb.id, 1);
      // Beside the machine directories every new sandbox has (/home, /home/user, /tmp).
      expect(kinds(first)).toEqual([
        "created /home",
        "created /home/user",
        "created /src",
        "created /src/a.txt",
        "created /tmp",
      ]);
      expect(first?.origin).toEqual({
        operation: "writeFile",
        keyId: "key_1",
        subject: null,
        requestId: "req_1",
        scriptHash: null,
      });
      const second = await s.commitAt(scope, sb.id, 2);
      expect(kinds(second)).toEqual(["created /b", "modified /src/a.txt"]);
      expect(second?.changes[1]).toMatchObject({ type: "file", size: 7 });
      expect(second?.changes[1]?.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(kinds(await s.commitAt(scope, sb.id, 3))).toEqual(["moved /src -> /lib"]);
      expect(kinds(await s.commitAt(scope, sb.id, 4))).toEqual(["mode /b"]);
      const deleted = await s.commitAt(scope, sb.id, 5);
      expect(kinds(deleted)).toEqual(["deleted /b"]);
      expect(deleted?.changes[0]).toMatchObject({ size: 1 });
      expect(deleted?.changeCount).toBe(1);
      expect(deleted?.at).toBeInstanceOf(Date);
    });

    it("lists-newest-first-in-pages", async () => {
      const s = service();
      const sb = await s.create(scope);
      for (let i = 0; i < 4; i++) {
        await s.mutate(scope, sb.id, (vfs) => vfs.writeFile(`/f${i}`, enc(String(i))));
      }
      const page1 = await s.commits(scope, sb.id, { limit: 2 });
      expect(page1.items.map((c) => c.version)).toEqual([5, 4]);
      expect(page1.next).toBe(4);
      const page2 = await s.commits(scope, sb.id, { limit: 2, before: page1.next! });
      expect(page2.items.map((c) => c.version)).toEqual([3, 2]);
      const page3 = await s.commits(scope, sb.id, { limit: 2, before: page2.next! });
      expect(page3.items.map((c) => c.version)).toEqual([1]);
      expect(page3.next).toBeNull();
    });

    it("a-conflicting-commit-logs-nothing", async () => {
      const s = service();
      const sb = await s.create(scope);
      await s.mutate(scope, sb.id, (vfs) => vfs.writeFile("/a", enc("1")));
      const stale: ChangeSet = {
        baseVersion: 1,
        upsertInodes: [],
        deleteInodes: [],
        upsertDentries: [],
        deleteDentries: [],
        blobs: [],
        log: {
          origin: { ...scope.origin, subject: null, scriptHash: null },
          changes: [],
          changeCount: 0,
        },
      };
      await expect(backend().commit(scope.tenantId, sb.id, stale)).rejects.toBeInstanceOf(
        VersionConflictError,
      );
      const page = await s.commits(scope, sb.id, { limit: 10 });
      expect(page.items.map((c) => c.version)).toEqual([2, 1]);
    });

    it("is-tenant-scoped-and-goes-with-the-sandbox", async () => {
      const s = service();
      const sb = await s.create(scope);
      expect(await backend().listCommits(other.tenantId, sb.id, { limit: 5 })).toBeUndefined();
      expect(await backend().getCommit(other.tenantId, sb.id, 1)).toBeUndefined();
      await s.delete(scope, sb.id);
      expect(await backend().listCommits(scope.tenantId, sb.id, { limit: 5 })).toBeUndefined();
      expect(await backend().getCommit(scope.tenantId, sb.id, 1)).toBeUndefined();
    });

    it("settings-changes-are-logged-without-paths", async () => {
      const s = service();
      const sb = await s.create(scope);
      await s.update({ ...scope, origin: { operation: "updateSandbox" } }, sb.id, () => ({
        name: "renamed",
      }));
      const commit = await s.commitAt(scope, sb.id, 2);
      expect(commit?.origin.operation).toBe("updateSandbox");
      expect(commit?.changes).toEqual([]);
    });
  });
}
