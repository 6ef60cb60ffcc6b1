/** The key store contract (tenants and API keys, migration 8) on PostgreSQL and on PGlite. */
import { describeKeyStoreContract } from "@cairn/conformance/vitest";
import { createPostgresBackend } from "./postgres-backend.js";
import { createPgliteTestBackend, createTestDatabase } from "./test-database.js";

describeKeyStoreContract({
  name: "postgres",
  createBackend: async () => {
    const db = await createTestDatabase();
    return { ...createPostgresBackend({ sql: db.sql }), close: () => db.drop() };
  },
});

describeKeyStoreContract({ name: "pglite", createBackend: createPgliteTestBackend });
