/** Where `cairn` keeps sandboxes: a Postgres URL, the embedded PGlite default, or memory. */
import { resolve } from "node:path";
import { createMemoryBackend } from "@cairn/backend-memory";
import {
  connect,
  connectEmbedded,
  createPostgresBackend,
  type MigrationReport,
  migrate,
} from "@cairn/backend-postgres";
import type { Backend } from "@cairn/core";
import type { Sql } from "postgres";

export type StorageChoice =
  | { kind: "postgres"; url: string }
  | { kind: "embedded"; dataDir: string }
  | { kind: "memory" };

export interface OpenStorage {
  backend: Backend;
  /** The SQL pool (absent for memory). */
  sql?: Sql;
  /** One line for the startup banner; never contains a password. */
  description: string;
  migrations?: MigrationReport;
  close(): Promise<void>;
}

export const DEFAULT_DATA_DIR = ".cairn-data";

/** Picks storage from flags and environment: --memory, then a database URL, then the data dir. */
export function chooseStorage(values: {
  memory?: boolean;
  databaseUrl?: string;
  dataDir?: string;
}): StorageChoice {
  if (values.memory) return { kind: "memory" };
  if (values.databaseUrl) return { kind: "postgres", url: values.databaseUrl };
  return { kind: "embedded", dataDir: resolve(values.dataDir ?? DEFAULT_DATA_DIR) };
}

/** Opens the pool without touching the schema (for `cairn migrate` and `cairn gc`). */
export async function openSql(choice: Exclude<StorageChoice, { kind: "memory" }>) {
  if (choice.kind === "postgres") {
    const sql = connect(choice.url);
    return {
      sql,
      description: `PostgreSQL at ${redact(choice.url)}`,
      close: () => sql.end({ timeout: 5 }),
    };
  }
  const embedded = await connectEmbedded({ dataDir: choice.dataDir });
  return { ...embedded, description: `embedded PGlite in ${choice.dataDir} (persistent)` };
}

/** Opens storage and runs pending migrations (under an advisory lock). */
export async function openStorage(choice: StorageChoice): Promise<OpenStorage> {
  if (choice.kind === "memory") {
    return {
      backend: createMemoryBackend(),
      description: "in memory (NOT persisted: every sandbox is lost when this process stops)",
      close: async () => {},
    };
  }
  const opened = await openSql(choice);
  try {
    const migrations = await migrate(opened.sql);
    return { backend: createPostgresBackend({ sql: opened.sql }), ...opened, migrations };
  } catch (error) {
    await opened.close();
    throw error;
  }
}

/** A connection URL without its password. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparseable URL)";
  }
}
