/** `collectGarbage` frees unreferenced content and loses nothing while writers keep committing. */
import {
  createSnapshot,
  forkSandbox,
  restoreVersion,
  SandboxService,
  treeAtVersion,
  VersionUnavailableError,
} from "@cairn/core";
import { describe, expect, it } from "vitest";
import { collectGarbage } from "./gc.js";
import { createPostgresBackend } from "./postgres-backend.js";
import { useTestDatabase } from "./test-database.js";

const scope = { tenantId: "t" };
const enc = (s: string) => new TextEncoder().encode(s);
const database = useTestDatabase();
/** No grace and no commit log kept: content no file (or snapshot) references is garbage at once. */
const NOTHING_LOGGED = { graceSeconds: 0, commitRetention: { maxAgeMs: 0 } };

describe("collectGarbage", () => {
  it("deletes idempotency records past their window and keeps recent ones", async () => {
    const backend = createPostgresBackend({ sql: database().sql });
    const claim = (key: string) => ({
      key,
      fingerprint: "f",
      windowMs: 86_400_000,
      leaseMs: 60_000,
    });
    await backend.claimIdempotencyKey("t", claim("old"));
    await backend.claimIdempotencyKey("t", claim("new"));
    await database()
      .sql`UPDATE idempotency_keys SET created_at = now() - interval '2 days' WHERE key = 'old'`;
    const report = await collectGarbage(database().sql, { idempotencyWindowSeconds: 86_400 });
    expect(report.deletedIdempotencyKeys).toBe(1);
    const left = await database().sql`SELECT key FROM idempotency_keys ORDER BY key`;
    expect(left.map((r) => r.key)).toEqual(["new"]);
  });

  it("deletes expired sandboxes (by time or idleness) with their rows, and then their content", async () => {
    const backend = createPostgresBackend({ sql: database().sql });
    const service = new SandboxService({ backend });
    const content = "only in the expired sandbox";
    const timed = await service.create(scope, {
      files: [{ path: "/gone.txt", bytes: enc(content) }],
      expiry: { expiresAt: new Date(Date.now() + 3_600_000), idleTimeout: null },
    });
    const idle = await service.create(scope, { expiry: { expiresAt: null, idleTimeout: 3600 } });
    const live = await service.create(scope, { expiry: { expiresAt: null, idleTimeout: 3600 } });
    await database()
      .sql`UPDATE sandboxes SET expires_at = now() - interval '1 s' WHERE id = ${timed.id}`;
    await database()
      .sql`UPDATE sandboxes SET idle_expires_at = now() - interval '1 s' WHERE id = ${idle.id}`;
    const report = await collectGarbage(database().sql, { graceSeconds: 0 });
    expect(report.deletedSandboxes).toBe(2);
    const left = await database().sql`
      SELECT id FROM sandboxes WHERE id IN (${timed.id}, ${idle.id}, ${live.id})`;
    expect(left.map((r) => r.id)).toEqual([live.id]);
    const inodes = await database().sql`SELECT 1 FROM inodes WHERE sandbox_id = ${timed.id}`;
    expect(inodes.length).toBe(0);
    // The content only the expired sandbox referenced was collected in the same run.
    const blobs = await database().sql`SELECT 1 FROM blobs WHERE content = ${Buffer.from(content)}`;
    expect(blobs.length).toBe(0);
  });

  it("keeps content a logged commit's undo brings back, until that commit leaves the log", async () => {
    const backend = createPostgresBackend({ sql: database().sql });
    const service = new SandboxService({ backend });
    const sb = await service.create(scope, { files: [{ path: "/a", bytes: enc("old text") }] });
    await service.mutate(scope, sb.id, (vfs) => vfs.writeFile("/a", enc("new text")));
    const oldBlob = async () =>
      (await database().sql`SELECT 1 FROM blobs WHERE content = ${Buffer.from("old text")}`).length;
    await collectGarbage(database().sql, { graceSeconds: 0 });
    expect(await oldBlob()).toBe(1);
    expect(await treeAtVersion(service, scope, sb.id, 1)).toMatchObject({ version: 1 });
    await service.mutate(scope, sb.id, (vfs) => vfs.writeFile("/b", enc("b")));
    // Only the newest commit stays in the log: version 1 is out of reach, its content collected.
    await collectGarbage(database().sql, { graceSeconds: 0, commitRetention: { maxCommits: 1 } });
    expect(await oldBlob()).toBe(0);
    await expect(restoreVersion(service, scope, sb.id, 1)).rejects.toBeInstanceOf(
      VersionUnavailableError,
    );
    await restoreVersion(service, scope, sb.id, 2);
    const { value } = await service.read(scope, sb.id, (vfs) => vfs.exists("/b"));
    expect(value).toBe(false);
  });

  it("trims the commit log to its retention: by age, and past the newest N per sandbox", async () => {
    const backend = createPostgresBackend({ sql: database().sql });
    const service = new SandboxService({ backend });
    const busy = await service.create(scope);
    for (let i = 0; i < 5; i++) {
      await service.mutate(scope, busy.id, (vfs) => vfs.writeFile("/f", enc(String(i))));
    }
    const quiet = await service.create(scope);
    await database()
      .sql`UPDATE commits SET at = now() - interval '3 days' WHERE sandbox_id = ${quiet.id}`;
    const report = await collectGarbage(database().sql, {
      commitRetention: { maxCommits: 3, maxAgeMs: 2 * 86_400_000 },
    });
    expect(report.deletedCommits).toBe(4);
    const versions = async (id: string) =>
      (await service.commits(scope, id, { limit: 10 })).items.map((c) => c.version);
    expect(await versions(busy.id)).toEqual([6, 5, 4]);
    expect(await versions(quiet.id)).toEqual([]);
  });

  it("never deletes a blob a snapshot references, while snapshots, forks and deletes race gc", async () => {
    const backend = createPostgresBackend({ sql: database().sql });
    const service = new SandboxService({ backend });
    const sb = await service.create(scope);
    const snapshots: Array<{ id: string; file: string; text: string }> = [];
    const passes = await whileCollecting(async () => {
      for (let round = 0; round < 15; round++) {
        const file = `/f${round}`;
        const text = `round ${round} ${"x".repeat(round)}`;
        await service.mutate(scope, sb.id, (vfs) => vfs.writeFile(file, enc(text)));
        const snap = await createSnapshot(service, scope, sb.id);
        snapshots.push({ id: snap.id, file, text });
        // Now only the snapshot references this content: gc must keep it.
        await service.mutate(scope, sb.id, (vfs) => vfs.rm(file));
        await backend.idle();
      }
    });
    expect(passes).toBeGreaterThan(1);
    const fresh = new SandboxService({ backend: createPostgresBackend({ sql: database().sql }) });
    for (const snap of snapshots) {
      const fork = await forkSandbox(fresh, scope, { snapshotId: snap.id });
      const { value } = await fresh.read(scope, fork.id, (vfs) => vfs.readFile(snap.file));
      expect(new TextDecoder().decode(value)).toBe(snap.text);
    }
  });

  it("never deletes a blob only a fork's shared layers reference, while forks, source deletes and gc race", async () => {
    const backend = createPostgresBackend({ sql: database().sql });
    const service = new SandboxService({ backend });
    const forks: Array<{ id: string; file: string; text: string }> = [];
    const passes = await whileCollecting(async () => {
      for (let round = 0; round < 10; round++) {
        const file = `/only-in-base-${round}`;
        const text = `base ${round} ${"y".repeat(round)}`;
        const source = await service.create(scope, { files: [{ path: file, bytes: enc(text) }] });
        const snap = await createSnapshot(service, scope, source.id);
        const fromSnapshot = await forkSandbox(service, scope, { snapshotId: snap.id });
        const fromSandbox = await forkSandbox(service, scope, { sandboxId: source.id });
        // Each fork writes over the shared layer; then the source and its snapshot go: only the
        // forks' shared layer references the content now.
        await service.mutate(scope, fromSnapshot.id, (vfs) => vfs.writeFile("/own", enc("own")));
        await service.mutate(scope, fromSandbox.id, (vfs) => vfs.rm("/tmp", { recursive: true }));
        await service.delete(scope, source.id);
        forks.push({ id: fromSnapshot.id, file, text }, { id: fromSandbox.id, file, text });
        await backend.idle();
      }
    });
    expect(passes).toBeGreaterThan(1);
    const fresh = new SandboxService({ backend: createPostgresBackend({ sql: database().sql }) });
    for (const fork of forks) {
      const { value } = await fresh.read(scope, fork.id, (vfs) => vfs.readFile(fork.file));
      expect(new TextDecoder().decode(value)).toBe(fork.text);
    }
  });

  it("deletes blobs nothing references and keeps the rest", async () => {
    const backend = createPostgresBackend({ sql: database().sql });
    const service = new SandboxService({ backend });
    const sb = await service.create(scope, { files: [{ path: "/keep", bytes: enc("keep me") }] });
    await service.mutate(scope, sb.id, (vfs) => vfs.writeFile("/scratch", enc("garbage soon")));
    await service.mutate(scope, sb.id, (vfs) => vfs.rm("/scratch"));
    // Background text indexing holds its blob rows briefly, and gc skips locked rows.
    await backend.idle();
    const report = await collectGarbage(database().sql, NOTHING_LOGGED);
    expect(report.deletedBlobs).toBeGreaterThanOrEqual(1);
    const fresh = new SandboxService({ backend: createPostgresBackend({ sql: database().sql }) });
    const { value } = await fresh.read(scope, sb.id, (vfs) => vfs.readFile("/keep"));
    expect(new TextDecoder().decode(value)).toBe("keep me");
  });

  it("never deletes a blob an in-flight commit is re-using (deterministic interleaving)", async () => {
    const backend = createPostgresBackend({ sql: database().sql });
    const service = new SandboxService({ backend });
    const sb = await service.create(scope);
    // Make X garbage: written, then its only file removed.
    await service.mutate(scope, sb.id, (vfs) => vfs.writeFile("/x", enc("recurring content")));
    const { value: hash } = await service.read(scope, sb.id, (vfs) => vfs.stat("/x").blob!);
    await service.mutate(scope, sb.id, (vfs) => vfs.rm("/x"));
    await database()
      .sql`UPDATE blobs SET last_used_at = now() - interval '1 day' WHERE hash = ${hash}`;

    // A commit re-writing the same content: its blob upsert runs, then it pauses before COMMIT.
    let release!: () => void;
    const paused = new Promise<void>((r) => {
      release = r;
    });
    let upserted!: () => void;
    const upsertDone = new Promise<void>((r) => {
      upserted = r;
    });
    const commit = database().sql.begin(async (tx) => {
      await tx`INSERT INTO blobs (tenant_id, hash, size, content) VALUES ('t', ${hash}, 17, ${Buffer.from("recurring content")})
               ON CONFLICT (tenant_id, hash) DO UPDATE SET last_used_at = now()`;
      upserted();
      await paused;
      await tx`INSERT INTO inodes (tenant_id, sandbox_id, ino, kind, mode, mtime_ms, size, blob)
               VALUES ('t', ${sb.id}, 999, 'f', 420, 0, 17, ${hash})`;
      await tx`INSERT INTO dentries (tenant_id, sandbox_id, parent, name, ino) VALUES ('t', ${sb.id}, 1, 'again', 999)`;
    });
    await upsertDone;
    const gc = collectGarbage(database().sql, { graceSeconds: 0 });
    await new Promise((r) => setTimeout(r, 200));
    release();
    await commit;
    await gc;
    const [row] = await database().sql`SELECT count(*)::int AS n FROM blobs WHERE hash = ${hash}`;
    expect(row?.n).toBe(1);
  });

  it("loses nothing when it runs (with no grace period) during concurrent writes", async () => {
    const service = new SandboxService({ backend: createPostgresBackend({ sql: database().sql }) });
    const sandboxes = await Promise.all([0, 1, 2].map(() => service.create(scope)));
    let writing = true;
    let gcRuns = 0;
    let deleted = 0;
    const gcLoop = (async () => {
      while (writing) {
        deleted += (await collectGarbage(database().sql, NOTHING_LOGGED)).deletedBlobs;
        gcRuns++;
      }
    })();
    // Writers rewrite files with contents that recur (so gc'd blobs are re-written) and delete others.
    const expected = new Map<string, string>();
    await Promise.all(
      sandboxes.map(async (sb, s) => {
        for (let round = 0; round < 40; round++) {
          const content = `content-${round % 7}`;
          await service.mutate(scope, sb.id, (vfs) => {
            vfs.writeFile(`/f${round % 5}`, enc(content));
            vfs.writeFile("/scratch", enc(`scratch-${s}-${round}`));
            if (round % 3 === 0) vfs.rm("/scratch");
          });
          expected.set(`${sb.id}/f${round % 5}`, content);
        }
      }),
    );
    writing = false;
    await gcLoop;
    deleted += (await collectGarbage(database().sql, NOTHING_LOGGED)).deletedBlobs;
    expect(gcRuns).toBeGreaterThan(1);
    expect(deleted).toBeGreaterThan(0);

    // Every file's content must still be loadable from the database (fresh caches).
    const fresh = new SandboxService({ backend: createPostgresBackend({ sql: database().sql }) });
    for (const sb of sandboxes) {
      const { value } = await fresh.read(scope, sb.id, async (vfs) => {
        const out: Record<string, string> = {};
        for (const entry of vfs.readdir("/")) {
          if (entry.stat.kind !== "file") continue; // the machine directories (/home, /tmp)
          out[entry.name] = new TextDecoder().decode(await vfs.readFile(`/${entry.name}`));
        }
        return out;
      });
      for (let f = 0; f < 5; f++) expect(value[`f${f}`]).toBe(expected.get(`${sb.id}/f${f}`));
    }
    const [orphans] = await database().sql`
      SELECT count(*)::int AS n FROM inodes i
      WHERE i.blob IS NOT NULL AND NOT EXISTS (SELECT 1 FROM blobs b WHERE b.tenant_id = i.tenant_id AND b.hash = i.blob)`;
    expect(orphans?.n).toBe(0);
  });
});

/** Runs gc passes back to back while `work` runs, then one more; returns how many overlapped it. */
async function whileCollecting(work: () => Promise<void>): Promise<number> {
  let running = true;
  let passes = 0;
  const collector = (async () => {
    for (; running; passes++) await collectGarbage(database().sql, { graceSeconds: 0 });
  })();
  try {
    await work();
  } finally {
    running = false;
    await collector;
  }
  await collectGarbage(database().sql, { graceSeconds: 0 });
  return passes;
}
