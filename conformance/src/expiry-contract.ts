/** Sandbox expiry's storage contract: expired is gone at once; sweepers delete it exactly once. */
import { type Backend, SandboxNotFoundError, SandboxService, type SweptSandbox } from "@cairn/core";
import { describe, expect, it } from "vitest";

const scope = { tenantId: "expiry-a" };
const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const HOUR = 3600_000;

/** Runs inside a backend's contract suite; `backend()` is its open backend. */
export function describeExpiryContract(backend: () => Backend): void {
  describe("expiry", () => {
    const service = () => new SandboxService({ backend: backend() });
    /** Expires a live sandbox now, by setting its expiry in the past (no waiting). */
    const expire = async (s: SandboxService, id: string) => {
      // The update commits, then reads the record back: already gone.
      await expect(
        s.update(scope, id, () => ({ expiresAt: new Date(Date.now() - HOUR) })),
      ).rejects.toBeInstanceOf(SandboxNotFoundError);
    };
    /** Sweeps until nothing is left; only this case's sandboxes are counted. */
    const sweepAll = async (ids: Set<string>): Promise<SweptSandbox[]> => {
      const swept: SweptSandbox[] = [];
      for (;;) {
        const batch = await backend().sweepExpired!({ limit: 10 });
        swept.push(...batch.filter((s) => ids.has(s.id)));
        if (batch.length === 0) return swept;
      }
    };

    it("stores-expiry-on-create-and-changes-it-with-a-commit", async () => {
      const s = service();
      const expiresAt = new Date(Date.now() + HOUR);
      const sb = await s.create(scope, { expiry: { expiresAt, idleTimeout: 600 } });
      expect(sb.expiresAt?.getTime()).toBe(expiresAt.getTime());
      expect(sb.idleTimeout).toBe(600);
      // The idle expiry is the creation (activity) plus the timeout.
      const idleIn = (sb.idleExpiresAt?.getTime() ?? 0) - Date.now();
      expect(idleIn).toBeGreaterThan(590_000);
      expect(idleIn).toBeLessThanOrEqual(600_000);
      const cleared = await s.update(scope, sb.id, () => ({ expiresAt: null, idleTimeout: null }));
      expect(cleared).toMatchObject({ expiresAt: null, idleTimeout: null, idleExpiresAt: null });
      expect(cleared.version).toBe(sb.version + 1);
      const plain = await s.create(scope);
      expect(plain).toMatchObject({ expiresAt: null, idleTimeout: null, idleExpiresAt: null });
    });

    it("an-expired-sandbox-is-gone-before-any-sweep", async () => {
      const s = service();
      const sb = await s.create(scope, { files: [{ path: "/a", bytes: enc("a") }] });
      const snapshot = await backend().createSnapshot(scope.tenantId, sb.id, {
        id: `snp_exp${sb.id.slice(4, 16)}`,
        name: null,
      });
      await expire(s, sb.id);
      const b = backend();
      expect(await b.getSandbox(scope.tenantId, sb.id)).toBeUndefined();
      expect(await b.loadTree(scope.tenantId, sb.id)).toBeUndefined();
      expect(await b.listCommits(scope.tenantId, sb.id, { limit: 5 })).toBeUndefined();
      expect(await b.getCommit(scope.tenantId, sb.id, 1)).toBeUndefined();
      expect(await b.listSnapshots(scope.tenantId, sb.id, { limit: 5 })).toBeUndefined();
      const listed = await b.listSandboxes(scope.tenantId, { limit: 200 });
      expect(listed.items.map((r) => r.id)).not.toContain(sb.id);
      await expect(s.read(scope, sb.id, (vfs) => vfs.readFile("/a"))).rejects.toBeInstanceOf(
        SandboxNotFoundError,
      );
      await expect(
        b.commit(scope.tenantId, sb.id, {
          baseVersion: sb.version + 1,
          upsertInodes: [],
          deleteInodes: [],
          upsertDentries: [],
          deleteDentries: [],
          blobs: [],
          sandbox: { expiresAt: null },
        }),
      ).rejects.toBeInstanceOf(SandboxNotFoundError);
      await expect(
        b.forkSandbox(
          {
            id: `sbx_f${sb.id.slice(4)}`,
            tenantId: scope.tenantId,
            name: null,
            env: {},
            options: sb.options,
          },
          { snapshotId: snapshot.id },
          {
            origin: {
              operation: "t",
              keyId: null,
              subject: null,
              requestId: null,
              scriptHash: null,
            },
            changes: [],
            changeCount: 0,
          },
        ),
      ).rejects.toThrow();
      expect(await b.deleteSandbox(scope.tenantId, sb.id)).toBe(false);
      await b.touchSandbox?.(scope.tenantId, sb.id);
      expect(await b.getSandbox(scope.tenantId, sb.id)).toBeUndefined();
    });

    it("the-sweeper-deletes-expired-sandboxes-with-their-snapshots-and-keeps-forks", async () => {
      const s = service();
      const b = backend();
      const doomed = await s.create(scope, { files: [{ path: "/t.txt", bytes: enc("template") }] });
      const later = await s.create(scope, {
        expiry: { expiresAt: new Date(Date.now() + HOUR), idleTimeout: null },
      });
      const kept = await s.create(scope);
      const snapshot = await b.createSnapshot(scope.tenantId, doomed.id, {
        id: `snp_sw${doomed.id.slice(4, 16)}`,
        name: null,
      });
      const fork = await b.forkSandbox(
        {
          id: `sbx_k${doomed.id.slice(4)}`,
          tenantId: scope.tenantId,
          name: null,
          env: {},
          options: doomed.options,
        },
        { snapshotId: snapshot.id },
        {
          origin: { operation: "t", keyId: null, subject: null, requestId: null, scriptHash: null },
          changes: [],
          changeCount: 0,
        },
      );
      await expire(s, doomed.id);
      const swept = await sweepAll(new Set([doomed.id, later.id, kept.id, fork.id]));
      expect(swept).toEqual([{ tenantId: scope.tenantId, id: doomed.id }]);
      expect(await b.getSnapshot(scope.tenantId, snapshot.id)).toBeUndefined();
      for (const live of [later, kept, fork]) {
        expect((await b.getSandbox(scope.tenantId, live.id))?.id).toBe(live.id);
      }
      const { value } = await s.read(scope, fork.id, (vfs) => vfs.readFile("/t.txt"));
      expect(dec(value)).toBe("template");
    });

    it("sweepers-running-at-once-delete-each-expired-sandbox-exactly-once", async () => {
      const s = service();
      const ids = new Set<string>();
      for (let i = 0; i < 24; i++) {
        const sb = await s.create(scope, { files: [{ path: `/f${i}`, bytes: enc(String(i)) }] });
        ids.add(sb.id);
        await expire(s, sb.id);
      }
      const [one, two, three] = await Promise.all([sweepAll(ids), sweepAll(ids), sweepAll(ids)]);
      const all = [...one!, ...two!, ...three!].map((x) => x.id);
      expect(all.length).toBe(ids.size);
      expect(new Set(all)).toEqual(ids);
      for (const id of ids) expect(await backend().getSandbox(scope.tenantId, id)).toBeUndefined();
    });

    it("idle-expiry-moves-with-commits-and-touches-and-expires-without-them", async () => {
      const s = service();
      const b = backend();
      const sb = await s.create(scope, { expiry: { expiresAt: null, idleTimeout: 3600 } });
      const first = sb.idleExpiresAt!.getTime();
      await new Promise((r) => setTimeout(r, 20));
      await s.mutate(scope, sb.id, (vfs) => vfs.writeFile("/x", enc("x")));
      const afterCommit = (await b.getSandbox(scope.tenantId, sb.id))!.idleExpiresAt!.getTime();
      expect(afterCommit).toBeGreaterThan(first);
      await new Promise((r) => setTimeout(r, 20));
      await b.touchSandbox!(scope.tenantId, sb.id);
      const afterTouch = (await b.getSandbox(scope.tenantId, sb.id))!.idleExpiresAt!.getTime();
      expect(afterTouch).toBeGreaterThan(afterCommit);
      // A one-second timeout with nothing happening: gone once the second has passed.
      const idle = await s.create(scope, { expiry: { expiresAt: null, idleTimeout: 1 } });
      await new Promise((r) => setTimeout(r, 1300));
      expect(await b.getSandbox(scope.tenantId, idle.id)).toBeUndefined();
      expect(await sweepAll(new Set([idle.id]))).toEqual([
        { tenantId: scope.tenantId, id: idle.id },
      ]);
    });
  });
}
