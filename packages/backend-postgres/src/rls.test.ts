/**
 * Row-level security is real: policies exist and are FORCE'd, and a query as
 * the app role with another tenant's context sees (and can write) nothing,
 * even when the connection itself is a superuser's.
 */
import { randomBytes } from "node:crypto";
import { createSnapshot, SandboxService } from "@cairn/core";
import postgres, { type Sql } from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPostgresBackend } from "./postgres-backend.js";
import { APP_ROLE } from "./schema.js";
import { ADMIN_URL, createTestDatabase, type TestDatabase, urlFor } from "./test-database.js";
import { indexPendingText } from "./text-index.js";

const TABLES = [
  "sandboxes",
  "inodes",
  "dentries",
  "blobs",
  "blob_text",
  "idempotency_keys",
  "commits",
  "snapshots",
  "layers",
];
const probeRole = `cairn_probe_${randomBytes(4).toString("hex")}`;
let db: TestDatabase;
let probe: Sql;
let sandboxId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  const backend = createPostgresBackend({ sql: db.sql });
  const service = new SandboxService({ backend });
  await backend.claimIdempotencyKey("tenant-a", {
    key: "k1",
    fingerprint: "f",
    windowMs: 60_000,
    leaseMs: 60_000,
  });
  const sb = await service.create(
    { tenantId: "tenant-a" },
    { files: [{ path: "/secret.txt", bytes: new TextEncoder().encode("tenant a's secret") }] },
  );
  sandboxId = sb.id;
  await createSnapshot(service, { tenantId: "tenant-a" }, sb.id);
  // A login role that is not a superuser, member of the app role: what a real deployment uses.
  await db.sql.unsafe(`CREATE ROLE ${probeRole} LOGIN NOSUPERUSER NOBYPASSRLS IN ROLE ${APP_ROLE}`);
  const url = new URL(urlFor(db.name, ADMIN_URL));
  url.username = probeRole;
  probe = postgres(url.toString(), { max: 1, onnotice: () => {} });
});

afterAll(async () => {
  await probe?.end();
  await db?.sql.unsafe(`DROP ROLE IF EXISTS ${probeRole}`);
  await db?.drop();
});

/** Rows visible in each table as `role` with the tenant context `tenant`. */
async function visible(sql: Sql, tenant: string | null): Promise<Record<string, number>> {
  return sql.begin(async (tx) => {
    await tx`SELECT set_config('role', ${APP_ROLE}, true)`;
    if (tenant !== null) await tx`SELECT set_config('cairn.tenant_id', ${tenant}, true)`;
    const counts: Record<string, number> = {};
    for (const table of TABLES) {
      const [row] = await tx.unsafe(`SELECT count(*)::int AS n FROM ${table}`);
      counts[table] = row?.n as number;
    }
    return counts;
  }) as Promise<Record<string, number>>;
}

describe("row-level security", () => {
  it("is enabled and forced on every tenant table, with a tenant policy", async () => {
    // blob_embeddings exists only where pgvector is installed (migration 13).
    const [embeddings] =
      await db.sql`SELECT to_regclass('public.blob_embeddings') IS NOT NULL AS present`;
    const tables = embeddings?.present ? [...TABLES, "blob_embeddings"] : TABLES;
    const rows = await db.sql<
      Array<{ relname: string; relrowsecurity: boolean; relforcerowsecurity: boolean }>
    >`
      SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class
      WHERE relname = ANY(${tables}) AND relkind = 'r'`;
    expect(rows).toHaveLength(tables.length);
    for (const row of rows)
      expect(row).toMatchObject({ relrowsecurity: true, relforcerowsecurity: true });
    const policies =
      await db.sql`SELECT tablename FROM pg_policies WHERE policyname = 'tenant_isolation'`;
    expect(policies.map((p) => p.tablename).sort()).toEqual([...tables].sort());
  });

  it("the probe role is an ordinary role", async () => {
    const [row] =
      await probe`SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user`;
    expect(row).toMatchObject({ rolsuper: false, rolbypassrls: false });
  });

  it("as the app role, the owning tenant sees its rows", async () => {
    const counts = await visible(probe, "tenant-a");
    expect(counts.sandboxes).toBe(1);
    expect(counts.blobs).toBe(1);
    // The root, a file, /home, /home/user and /tmp: once, in the layer the snapshot froze.
    expect(counts.inodes).toBe(5);
    expect(counts.idempotency_keys).toBe(1);
    expect(counts.commits).toBe(1);
    expect(counts.snapshots).toBe(1);
    expect(counts.layers).toBe(2); // the frozen one, and the sandbox's new (empty) top
  });

  it("as the app role, another tenant's context sees nothing in any table", async () => {
    expect(await visible(probe, "tenant-b")).toEqual(Object.fromEntries(TABLES.map((t) => [t, 0])));
  });

  it("without any tenant context nothing is visible", async () => {
    expect(await visible(probe, null)).toEqual(Object.fromEntries(TABLES.map((t) => [t, 0])));
  });

  it("a superuser connection that switches to the app role is confined too", async () => {
    expect(await visible(db.sql, "tenant-b")).toEqual(
      Object.fromEntries(TABLES.map((t) => [t, 0])),
    );
  });

  it("cannot write rows for another tenant", async () => {
    const attempt = probe.begin(async (tx) => {
      await tx`SELECT set_config('role', ${APP_ROLE}, true), set_config('cairn.tenant_id', 'tenant-b', true)`;
      await tx`INSERT INTO sandboxes (tenant_id, id, version) VALUES ('tenant-a', 'sbx_forged', 1)`;
    });
    await expect(attempt).rejects.toThrow(/row-level security/);
  });

  it("cannot change or delete another tenant's rows (they are invisible)", async () => {
    const changed = await probe.begin(async (tx) => {
      await tx`SELECT set_config('role', ${APP_ROLE}, true), set_config('cairn.tenant_id', 'tenant-b', true)`;
      const updated =
        await tx`UPDATE sandboxes SET name = 'pwned' WHERE id = ${sandboxId} RETURNING 1`;
      const deleted = await tx`DELETE FROM blobs RETURNING 1`;
      return updated.length + deleted.length;
    });
    expect(changed).toBe(0);
  });

  it("the backend API scoped to another tenant finds nothing", async () => {
    const backend = createPostgresBackend({ sql: db.sql });
    expect(await backend.getSandbox("tenant-b", sandboxId)).toBeUndefined();
    expect(await backend.loadTree("tenant-b", sandboxId)).toBeUndefined();
    expect((await backend.listSandboxes("tenant-b", { limit: 10 })).items).toEqual([]);
    expect(await backend.deleteSandbox("tenant-b", sandboxId)).toBe(false);
  });
});

describe("isolation in depth (the API check bypassed on purpose)", () => {
  /** Runs `fn` as the ordinary login role, switched to the app role with `tenant` set. */
  const asTenant = <T>(tenant: string, fn: (tx: postgres.TransactionSql) => Promise<T>) =>
    probe.begin(async (tx) => {
      await tx`SELECT set_config('role', ${APP_ROLE}, true), set_config('cairn.tenant_id', ${tenant}, true)`;
      return fn(tx);
    }) as Promise<T>;

  /** Queries a handler with a broken ownership check would send: no tenant filter at all. */
  const forgetful = (tx: postgres.TransactionSql) =>
    Promise.all([
      tx`SELECT id FROM sandboxes WHERE id = ${sandboxId}`,
      tx`SELECT ino FROM inodes WHERE sandbox_id = ${sandboxId}`,
      tx`SELECT name FROM dentries WHERE sandbox_id = ${sandboxId}`,
      tx`SELECT content FROM blobs`,
      tx`SELECT * FROM cairn_grep_candidates('secret')`,
    ]).then((results) => results.map((rows) => rows.length));

  beforeAll(async () => {
    await indexPendingText(db.sql); // so the grep function has text to find
  });

  it("positive control: the owning tenant's context sees the sandbox through those queries", async () => {
    const counts = await asTenant("tenant-a", forgetful);
    expect(counts.every((n) => n > 0)).toBe(true);
  });

  it("another tenant's context sees nothing of it, though no query names a tenant", async () => {
    expect(await asTenant("tenant-b", forgetful)).toEqual([0, 0, 0, 0, 0]);
  });

  it("the backend on a non-superuser connection, asked for A's sandbox with B's scope, finds nothing", async () => {
    const backend = createPostgresBackend({ sql: probe });
    const [blob] = await db.sql<Array<{ hash: string }>>`SELECT hash FROM blobs LIMIT 1`;
    expect(await backend.getSandbox("tenant-a", sandboxId)).toBeDefined();
    expect(await backend.getSandbox("tenant-b", sandboxId)).toBeUndefined();
    expect(await backend.loadTree("tenant-b", sandboxId)).toBeUndefined();
    expect((await backend.readBlobs("tenant-b", [blob!.hash])).size).toBe(0);
    expect((await backend.readBlobs("tenant-a", [blob!.hash])).size).toBe(1);
  });

  it("the app role cannot read tenants or API keys at all", async () => {
    for (const table of ["tenants", "api_keys"]) {
      await expect(
        asTenant("tenant-a", (tx) => tx.unsafe(`SELECT * FROM ${table}`)),
      ).rejects.toThrow(/permission denied/);
    }
    const [row] = await db.sql<Array<{ relforcerowsecurity: boolean }>>`
      SELECT bool_and(relforcerowsecurity) AS relforcerowsecurity FROM pg_class
      WHERE relname IN ('tenants', 'api_keys') AND relkind = 'r'`;
    expect(row?.relforcerowsecurity).toBe(true);
  });
});
