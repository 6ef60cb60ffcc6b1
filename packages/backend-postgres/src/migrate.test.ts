/** Migrations run once under concurrency, are idempotent, and leave the schema usable. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "./connect.js";
import { migrate } from "./migrate.js";
import { MIGRATIONS } from "./schema.js";
import { createTestDatabase, dropCairnSchema, type TestDatabase } from "./test-database.js";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  // Start from nothing: drop what createTestDatabase migrated.
  await dropCairnSchema(db.sql);
});
afterAll(() => db?.drop());

describe("migrate", () => {
  it("applies every migration exactly once when replicas boot at the same time", async () => {
    const pools = Array.from({ length: 5 }, () => connect(db.url, { max: 2 }));
    try {
      const reports = await Promise.all(pools.map((sql) => migrate(sql)));
      const applied = reports.flatMap((r) => r.applied);
      expect(applied).toHaveLength(MIGRATIONS.length);
      const rows = await db.sql`SELECT id FROM cairn_migrations ORDER BY id`;
      expect(rows.map((r) => r.id)).toEqual(MIGRATIONS.map((m) => m.id));
    } finally {
      await Promise.all(pools.map((sql) => sql.end()));
    }
  });

  it("compresses content, its text and the commit log with lz4 where the server has it", async () => {
    const rows = await db.sql<Array<{ col: string; method: string }>>`
      SELECT attrelid::regclass || '.' || attname AS col, attcompression AS method
      FROM pg_attribute
      WHERE (attrelid, attname) IN (('blobs'::regclass, 'content'), ('blob_text'::regclass, 'body'),
                                    ('commits'::regclass, 'changes'), ('commits'::regclass, 'undo'))
      ORDER BY 1`;
    // 'l': lz4 (every Debian and upstream build of PostgreSQL 14+ has it).
    expect(rows).toEqual(
      ["blob_text.body", "blobs.content", "commits.changes", "commits.undo"].map((col) => ({
        col,
        method: "l",
      })),
    );
  });

  it("is a no-op the second time", async () => {
    expect(await migrate(db.sql)).toEqual({ applied: [], current: MIGRATIONS.at(-1)!.id });
  });

  it("works through a pool without prepared statements (transaction poolers)", async () => {
    const sql = connect(db.url, { max: 1, prepare: false });
    try {
      expect((await migrate(sql)).applied).toEqual([]);
    } finally {
      await sql.end();
    }
  });
});
