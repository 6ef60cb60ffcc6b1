/** @cairn/backend-postgres: the Cairn backend on Postgres, with PGlite as the embedded default. */

export { type AuditRow, type AuditTable, auditTable } from "./audit-table.js";
export { type ConnectOptions, connect } from "./connect.js";
export { isConnectionError } from "./connection-errors.js";
export { connectEmbedded, type EmbeddedPostgres, startEmbeddedPostgres } from "./embedded.js";
export { sweepExpiredSandboxes } from "./expiry.js";
export { collectGarbage, type GcReport } from "./gc.js";
export { type MigrationReport, migrate } from "./migrate.js";
export {
  createPostgresBackend,
  type PostgresBackend,
  type PostgresBackendOptions,
} from "./postgres-backend.js";
export { APP_ROLE, MIGRATIONS } from "./schema.js";
export { indexPendingText } from "./text-index.js";
