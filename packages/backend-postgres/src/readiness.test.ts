/** Readiness reads the schema's migration; the pool gauge counts transactions honestly. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "./connect.js";
import { createPostgresBackend } from "./postgres-backend.js";
import { storageReadiness } from "./readiness.js";
import { MIGRATIONS } from "./schema.js";
import { createTestDatabase, SERVER_ONLY, type TestDatabase } from "./test-database.js";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ max: 2 });
});
afterAll(() => db?.drop());

const newest = MIGRATIONS.at(-1)?.id ?? 0;

describe("storageReadiness", () => {
  it("is ready with every migration, and names the gap when one is missing", async () => {
    expect(await storageReadiness(db.sql)).toEqual({
      migrations: { applied: newest, expected: newest },
      problems: [],
    });
    await db.sql`DELETE FROM cairn_migrations WHERE id = ${newest}`;
    try {
      const behind = await storageReadiness(db.sql);
      // The one before in the list: ids may have gaps while branches land.
      const previous = MIGRATIONS.at(-2)?.id ?? 0;
      expect(behind.migrations).toEqual({ applied: previous, expected: newest });
      expect(behind.problems).toEqual([
        `database schema is at migration ${previous}, this server needs ${newest}`,
      ]);
    } finally {
      const last = MIGRATIONS.at(-1);
      await db.sql`INSERT INTO cairn_migrations (id, name) VALUES (${newest}, ${last?.name ?? ""})`;
    }
  });

  it("rejects when the database cannot be reached", async () => {
    const nowhere = connect("postgres://postgres@127.0.0.1:1/none", { connectTimeout: 1 });
    try {
      await expect(storageReadiness(nowhere)).rejects.toThrow();
    } finally {
      await nowhere.end({ timeout: 0 });
    }
  });
});

describe.skipIf(SERVER_ONLY !== undefined)(
  `poolStats${SERVER_ONLY ? ` (skipped: ${SERVER_ONLY})` : ""}`,
  () => {
    it("counts transactions holding a connection and those waiting for one", async () => {
      const sql = connect(db.url, { max: 2 });
      const backend = createPostgresBackend({ sql });
      try {
        expect(backend.poolStats?.()).toEqual({ max: 2, inUse: 0, waiting: 0 });
        // Reads of a locked table on a pool of two: two hold connections, the third waits.
        let release = () => {};
        const released = new Promise<void>((resolve) => {
          release = resolve;
        });
        let locked = () => {};
        const isLocked = new Promise<void>((resolve) => {
          locked = resolve;
        });
        const holder = db.sql.begin(async (tx) => {
          await tx`LOCK TABLE sandboxes IN ACCESS EXCLUSIVE MODE`;
          locked();
          await released;
        });
        await isLocked;
        const reads = Array.from({ length: 3 }, () => backend.getSandbox("t", "sbx_none"));
        await expect.poll(() => backend.poolStats?.()).toEqual({ max: 2, inUse: 2, waiting: 1 });
        release();
        await holder;
        await Promise.all(reads);
        expect(backend.poolStats?.()).toEqual({ max: 2, inUse: 0, waiting: 0 });
      } finally {
        await sql.end();
      }
    });
  },
);
