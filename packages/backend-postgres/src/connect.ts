/** Opens a postgres.js pool with settings that suit Cairn (and transaction poolers). */
import postgres, { type Sql } from "postgres";

export interface ConnectOptions {
  /** Pool size (default 10). */
  max?: number;
  /** Set false behind a transaction pooler (PgBouncer transaction mode). Default true. */
  prepare?: boolean;
  /** Seconds to wait for a connection (default 10). */
  connectTimeout?: number;
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
    idle_timeout: 60,
    max_lifetime: 60 * 30,
    onnotice: (notice) => options.onNotice?.(String(notice.message)),
    connection: { application_name: "cairn" },
  });
}
