/** The tool suite on real Postgres (the machine's server, a fresh database). */
import { createPostgresBackend } from "@cairn/backend-postgres";
import { createTestDatabase } from "./test-server.js";
import { describeTools } from "./test-tool-cases.js";

describeTools("postgres", async () => {
  const db = await createTestDatabase();
  return { ...createPostgresBackend({ sql: db.sql }), close: () => db.drop() };
});
