/** The whole conformance suite on PostgreSQL (the machine's server, a fresh database). */
import { describeConformance } from "@cairn/conformance/vitest";
import { createPostgresBackend } from "./postgres-backend.js";
import { createTestDatabase } from "./test-database.js";

describeConformance({
  name: "postgres backend",
  createBackend: async () => {
    const db = await createTestDatabase();
    const backend = createPostgresBackend({ sql: db.sql });
    return { ...backend, close: () => db.drop() };
  },
});
