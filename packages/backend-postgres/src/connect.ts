/** Opens a postgres.js pool with settings that suit Cairn (and transaction poolers). */
import postgres, { type Sql } from "postgres";

export interface ConnectOptions {
  /** Pool size (default 10). */
  max?: number;
  /** Set false behind a transaction pooler (PgBouncer transaction mode). Default true. */
  prepare?: boolean;
  /** Seconds to wait for a connection (default 10). */
  connectTimeout?: number;
  /**
   * Seconds to wait before reconnecting after the `retries`-th failed connection in a row
   * (default: 0.1 s doubling, with jitter, at most 1 s; see {@link reconnectDelay}).
   */
  backoff?: (retries: number) => number;
  onNotice?: (message: string) => void;
}

/**
 * @example
 * const sql = connect(process.env.DATABASE_URL!);
 */
export function connect(url: string, options: ConnectOptions = {}): Sql {
  return postgres(url, {
    max: options.max ?? 10,
    prepare: options.prepare ?? true,
    connect_timeout: options.connectTimeout ?? 10,
    backoff: options.backoff ?? reconnectDelay,
    idle_timeout: 60,
    max_lifetime: 60 * 30,
    onnotice: (notice) => options.onNotice?.(String(notice.message)),
    connection: { application_name: "cairn" },
  });
}

/**
 * How long a pooled connection waits before reconnecting, in seconds. postgres.js's own
 * default grows to 10-20 s after 7 failures anywhere in the pool and only resets on a
 * successful connect, so a database blip of under a second (a restart, a failover) left
 * requests hanging for up to 20 s after the database was back. Capped at 1 s, matching
 * the `Retry-After: 1` clients get while it is down.
 */
export function reconnectDelay(retries: number): number {
  return Math.min(0.05 * 2 ** retries, 1) * (0.5 + Math.random() / 2);
}
