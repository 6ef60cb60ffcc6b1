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
  await sql`CREATE TABLE IF NOT EXISTS cairn_migrations (
    id integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`.catch(
    async (error: { code?: string }) => {
      // Two processes racing on CREATE TABLE IF NOT EXISTS can collide on the catalog.
      if (error.code !== "23505" && error.code !== "42P07") throw error;
    },
  );
  const applied: string[] = [];
  for (const migration of MIGRATIONS) {
    await sql.begin(async (tx) => {
      await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`;
      const [done] = await tx`SELECT 1 FROM cairn_migrations WHERE id = ${migration.id}`;
      if (done) return;
      await tx.unsafe(migration.sql);
      await tx`INSERT INTO cairn_migrations (id, name) VALUES (${migration.id}, ${migration.name})`;
      applied.push(`${migration.id}: ${migration.name}`);
    });
  }
  return { applied, current: MIGRATIONS.at(-1)?.id ?? 0 };
}
