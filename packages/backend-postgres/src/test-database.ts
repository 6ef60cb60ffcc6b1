/** Test support: a fresh database per suite on the machine's Postgres, dropped afterwards. */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Backend } from "@cairn/core";
import postgres, { type Sql } from "postgres";
import { afterAll, beforeAll } from "vitest";
import { connect } from "./connect.js";
import { connectEmbedded } from "./embedded.js";
import { migrate } from "./migrate.js";
import { createPostgresBackend } from "./postgres-backend.js";
import { APP_ROLE } from "./schema.js";

export const ADMIN_URL =
  process.env.CAIRN_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** Drops what the migrations made (tables, the grep function), for tests that migrate from nothing. */
export async function dropCairnSchema(sql: Sql): Promise<void> {
  await sql.unsafe(
    "DROP TABLE layers, snapshots, commits, audit_log, api_keys, tenants, idempotency_keys, blob_text, blobs, dentries, inodes, sandboxes, cairn_migrations CASCADE",
  );
  await sql.unsafe("DROP FUNCTION cairn_grep_candidates(text), cairn_flush_text_index()");
}

export interface TestDatabase {
  name: string;
  url: string;
  /** A pool on the new database, as the admin role, migrated. */
  sql: Sql;
  drop(): Promise<void>;
}

/**
 * Why a suite that needs a Postgres server cannot run on the test Postgres, or undefined.
 * `npm test` sets CAIRN_TEST_POSTGRES=pglite when it fell back to embedded PGlite: one session
 * per database taken in turns, so no lock waits between sessions, no pool contention, no
 * shared libraries (auto_explain) and no roles without extension rights.
 */
export const SERVER_ONLY: string | undefined =
  process.env.CAIRN_TEST_POSTGRES === "pglite"
    ? "needs a Postgres server, and the tests fell back to PGlite"
    : undefined;

export function urlFor(database: string, base = ADMIN_URL): string {
  const url = new URL(base);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function createTestDatabase(options: { max?: number } = {}): Promise<TestDatabase> {
  const name = `cairn_test_${randomBytes(6).toString("hex")}`;
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = urlFor(name);
  const sql = connect(url, { max: options.max ?? 10 });
  await migrate(sql);
  return {
    name,
    url,
    sql,
    async drop() {
      await sql.end({ timeout: 5 }).catch(() => {});
      const admin2 = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
      await admin2.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin2.end();
    },
  };
}

export interface RestrictedDatabase {
  /** A pool as the role that owns the schema (not migrated yet). */
  sql: Sql;
  /** Notices the pool received (migrations say what they could not create). */
  notices: string[];
  drop(): Promise<void>;
}

/**
 * A database whose migrating role owns the schema but is no superuser and has no CREATE on the
 * database, so it can create no extension (pg_trgm is there: an admin installed it), as on a
 * managed server. Needs a Postgres server (see SERVER_ONLY).
 */
export async function createRestrictedDatabase(label: string): Promise<RestrictedDatabase> {
  const suffix = randomBytes(6).toString("hex");
  const database = `cairn_test_${label}_${suffix}`;
  const role = `cairn_${label}_${suffix}`;
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE ${database}`);
    await admin.unsafe(`CREATE ROLE ${role} LOGIN`);
    await admin.unsafe(`DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${APP_ROLE}') THEN
          CREATE ROLE ${APP_ROLE} NOLOGIN;
        END IF;
      EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`);
    await admin.unsafe(`GRANT ${APP_ROLE} TO ${role}`);
  } finally {
    await admin.end();
  }
  const inDb = postgres(urlFor(database), { max: 1, onnotice: () => {} });
  try {
    await inDb.unsafe(`CREATE EXTENSION pg_trgm; ALTER SCHEMA public OWNER TO ${role}`);
  } finally {
    await inDb.end();
  }
  const url = new URL(urlFor(database));
  url.username = role;
  const notices: string[] = [];
  const sql = connect(url.toString(), { max: 2, onNotice: (message) => notices.push(message) });
  return {
    sql,
    notices,
    async drop() {
      await sql.end({ timeout: 5 }).catch(() => {});
      const admin2 = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
      await admin2.unsafe(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin2.unsafe(`DROP ROLE IF EXISTS ${role}`);
      await admin2.end();
    },
  };
}

/** A fresh test database for the suite in which this is called (created before, dropped after). */
export function useTestDatabase(): () => TestDatabase {
  let db: TestDatabase | undefined;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db?.drop());
  return () => {
    if (!db) throw new Error("the test database exists only inside tests");
    return db;
  };
}

/** A migrated backend on embedded PGlite in a temp dir; close() removes everything. */
export async function createPgliteTestBackend(): Promise<Backend> {
  const dataDir = mkdtempSync(join(tmpdir(), "cairn-pglite-"));
  const embedded = await connectEmbedded({ dataDir });
  await migrate(embedded.sql);
  return {
    ...createPostgresBackend({ sql: embedded.sql }),
    close: async () => {
      await embedded.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
