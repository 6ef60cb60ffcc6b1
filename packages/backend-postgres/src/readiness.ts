/** Readiness and pool usage for operators: is the schema current, how busy is the pool. */
import type { PoolStats, StorageReadiness } from "@cairn/core";
import type { Sql } from "postgres";
import { MIGRATIONS } from "./schema.js";

/** A readiness probe must answer quickly, whatever the driver's connect timeout. */
const READINESS_TIMEOUT_MS = 2000;

/**
 * The applied schema against the newest migration this code knows. A database migrated
 * further (by a newer replica during a rolling upgrade) is ready: migrations only add.
 */
export async function storageReadiness(sql: Sql): Promise<StorageReadiness> {
  const expected = MIGRATIONS.at(-1)?.id ?? 0;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`database did not answer within ${READINESS_TIMEOUT_MS} ms`)),
      READINESS_TIMEOUT_MS,
    );
  });
  try {
    const query = async () => {
      const [table] = await sql`SELECT to_regclass('cairn_migrations') IS NOT NULL AS present`;
      if (!table?.present) return 0;
      const [row] = await sql`SELECT coalesce(max(id), 0)::int AS applied FROM cairn_migrations`;
      return Number(row?.applied ?? 0);
    };
    const applied = await Promise.race([query(), timeout]);
    const problems =
      applied < expected
        ? [`database schema is at migration ${applied}, this server needs ${expected}`]
        : [];
    return { migrations: { applied, expected }, problems };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Counts Cairn's own transactions: those waiting for a pooled connection and those holding
 * one. postgres.js does not expose its queues, and every backend call runs in a transaction
 * (`inTenant`), so this is the pool as Cairn uses it; key lookups outside a transaction are
 * not counted.
 */
export class PoolGauge {
  private inUse = 0;
  private waiting = 0;

  constructor(private readonly max: number) {}

  /** Runs `begin` (which calls back once it holds a connection) and keeps count. */
  async track<T>(begin: (acquired: () => void) => Promise<T>): Promise<T> {
    let holding = false;
    this.waiting++;
    try {
      return await begin(() => {
        if (holding) return; // a retried callback holds the same connection
        holding = true;
        this.waiting--;
        this.inUse++;
      });
    } finally {
      if (holding) this.inUse--;
      else this.waiting--;
    }
  }

  stats(): PoolStats {
    return { max: this.max, inUse: this.inUse, waiting: this.waiting };
  }
}
