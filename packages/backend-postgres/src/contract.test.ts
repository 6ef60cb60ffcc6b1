/** The storage contract on PostgreSQL and on the embedded PGlite default. */
import { describeBackendContract } from "@cairn/conformance/vitest";
import { createPostgresBackend } from "./postgres-backend.js";
import { createPgliteTestBackend, createTestDatabase } from "./test-database.js";

describeBackendContract({
  name: "postgres",
  createBackend: async () => {
    const db = await createTestDatabase();
    return { ...createPostgresBackend({ sql: db.sql }), close: () => db.drop() };
  },
});

describeBackendContract({ name: "pglite", createBackend: createPgliteTestBackend });
