/** Migrations: idempotent, run at boot under a transaction-scoped advisory lock (pooler-safe). */
import type { Sql } from "postgres";
import { MIGRATIONS } from "./schema.js";

/** Arbitrary constant naming Cairn's migration lock. */
const MIGRATION_LOCK = 0x6361_6972; // "cair"

export interface MigrationReport {
  applied: string[];
  current: number;
}

/**
 * Applies the migrations not yet applied, each in its own transaction, all
 * while holding an advisory lock so concurrent replicas migrate once.
 */
export async function migrate(sql: Sql): Promise<MigrationReport> {
  // Under the lock too: concurrent CREATE TABLE IF NOT EXISTS can still collide on the
  // catalog ("type cairn_migrations already exists") when replicas boot together.
  await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`;
    await tx`CREATE TABLE IF NOT EXISTS cairn_migrations (
      id integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`;
  });
  const applied: string[] = [];
  for (const migration of MIGRATIONS) {
    const ran = await withRetries(() =>
      sql.begin(async (tx) => {
        await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`;
        const [done] = await tx`SELECT 1 FROM cairn_migrations WHERE id = ${migration.id}`;
        if (done) return false;
        await tx.unsafe(migration.sql);
        await tx`INSERT INTO cairn_migrations (id, name) VALUES (${migration.id}, ${migration.name})`;
        return true;
      }),
    );
    if (ran) applied.push(`${migration.id}: ${migration.name}`);
  }
  return { applied, current: MIGRATIONS.at(-1)?.id ?? 0 };
}

/**
 * Roles are cluster-wide: databases migrating at the same moment can collide on
 * `cairn_app` (`tuple concurrently updated`, a duplicate role name, a deadlock).
 * The advisory lock covers one database only, so such a collision is retried.
 */
const TRANSIENT = new Set(["XX000", "23505", "40001", "40P01"]);

async function withRetries<T>(fn: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (attempt >= attempts || code === undefined || !TRANSIENT.has(code)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt * Math.random() + 10));
    }
  }
}
