/** Migration 16 on a database with data: sandboxes and copied snapshots become layers. */
import { forkSandbox, SandboxService } from "@cairn/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "./migrate.js";
import { createPostgresBackend } from "./postgres-backend.js";
import { MIGRATIONS } from "./schema.js";
import { createTestDatabase, dropCairnSchema, type TestDatabase } from "./test-database.js";

const scope = { tenantId: "old" };
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
  // Back to migration 15, then a sandbox and a snapshot as migration 11's code stored them.
  await dropCairnSchema(db.sql);
  await db.sql`CREATE TABLE cairn_migrations (
    id integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`;
  for (const m of MIGRATIONS.filter((m) => m.id < 16)) {
    await db.sql.begin(async (tx) => {
      await tx.unsafe(m.sql);
      await tx`INSERT INTO cairn_migrations (id, name) VALUES (${m.id}, ${m.name})`;
    });
  }
  await db.sql.unsafe(`
    INSERT INTO sandboxes (tenant_id, id, version) VALUES ('old', 'sbx_old', 2);
    INSERT INTO blobs (tenant_id, hash, size, content) VALUES
      ('old', 'h1', 2, 'v1'), ('old', 'h2', 2, 'v2');
    INSERT INTO inodes (tenant_id, sandbox_id, ino, kind, mode, mtime_ms, size, blob) VALUES
      ('old', 'sbx_old', 1, 'd', 493, 0, 0, NULL), ('old', 'sbx_old', 2, 'f', 420, 0, 2, 'h2');
    INSERT INTO dentries (tenant_id, sandbox_id, parent, name, ino) VALUES ('old', 'sbx_old', 1, 'a', 2);
    INSERT INTO snapshots (tenant_id, id, sandbox_id, version, files, bytes)
      VALUES ('old', 'snp_old', 'sbx_old', 1, 2, 2);
    INSERT INTO snapshot_inodes (tenant_id, snapshot_id, ino, kind, mode, mtime_ms, size, blob) VALUES
      ('old', 'snp_old', 1, 'd', 493, 0, 0, NULL), ('old', 'snp_old', 2, 'f', 420, 0, 2, 'h1'),
      ('old', 'snp_old', 3, 'f', 420, 0, 2, 'h1');
    INSERT INTO snapshot_dentries (tenant_id, snapshot_id, parent, name, ino) VALUES
      ('old', 'snp_old', 1, 'a', 2), ('old', 'snp_old', 1, 'gone-since', 3);`);
  expect((await migrate(db.sql)).applied).toEqual(
    MIGRATIONS.filter((m) => m.id >= 16).map((m) => `${m.id}: ${m.name}`),
  );
});
afterAll(() => db?.drop());

const dec = (b: Uint8Array) => new TextDecoder().decode(b);

describe("migration 16 (copy-on-write layers) on existing data", () => {
  it("keeps every sandbox's and snapshot's tree, and forks of an old snapshot work", async () => {
    const backend = createPostgresBackend({ sql: db.sql });
    const service = new SandboxService({ backend });
    const tree = await backend.loadTree("old", "sbx_old");
    expect(tree).toMatchObject({ version: 2 });
    expect(tree !== "unchanged" && tree?.dentries).toEqual([{ parent: 1, name: "a", ino: 2 }]);
    const snapshot = await backend.loadSnapshotTree("old", "snp_old");
    expect(snapshot?.dentries).toHaveLength(2);
    const fork = await forkSandbox(service, scope, { snapshotId: "snp_old" });
    const { value } = await service.read(scope, fork.id, async (vfs) => [
      dec(await vfs.readFile("/a")),
      vfs.exists("/gone-since"),
    ]);
    expect(value).toEqual(["v1", true]);
    // The old sandbox and its snapshot go; the fork keeps the snapshot's layer alive.
    await service.delete(scope, "sbx_old");
    const layers = await db.sql`SELECT id, refs::int AS refs FROM layers ORDER BY id`;
    expect(layers.map((l) => [l.id, l.refs])).toEqual([
      [expect.stringMatching(/^lyr_/), 1], // the fork's own top
      ["snp_old", 1],
    ]);
    const [rows] = await db.sql`
      SELECT count(*)::int AS n FROM inodes WHERE sandbox_id IN ('sbx_old', 'snp_old')`;
    expect(rows?.n).toBe(3); // the snapshot's three, held by the fork
    const fresh = new SandboxService({ backend: createPostgresBackend({ sql: db.sql }) });
    const again = await fresh.read(scope, fork.id, async (vfs) => dec(await vfs.readFile("/a")));
    expect(again.value).toBe("v1");
  });
});
