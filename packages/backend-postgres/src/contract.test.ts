/** The storage contract on PostgreSQL and on the embedded PGlite default. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeBackendContract } from "@cairn/conformance/vitest";
import { connect } from "./connect.js";
import { startEmbeddedPostgres } from "./embedded.js";
import { migrate } from "./migrate.js";
import { createPostgresBackend } from "./postgres-backend.js";
import { createTestDatabase } from "./test-database.js";

describeBackendContract({
  name: "postgres",
  createBackend: async () => {
    const db = await createTestDatabase();
    return { ...createPostgresBackend({ sql: db.sql }), close: () => db.drop() };
  },
});

describeBackendContract({
  name: "pglite",
  createBackend: async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "cairn-pglite-"));
    const pg = await startEmbeddedPostgres({ dataDir });
    const sql = connect(pg.url, { max: 1 });
    await migrate(sql);
    return {
      ...createPostgresBackend({ sql }),
      close: async () => {
        await sql.end({ timeout: 5 });
        await pg.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  },
});
