/**
 * Garbage collection of blobs no inode references. Safe while writes continue:
 * a commit touches `last_used_at` of every blob it writes (taking the row lock),
 * and gc only deletes blobs untouched for the grace period, re-checked under that lock.
 */
import type { Sql } from "postgres";

export interface GcReport {
  deletedBlobs: number;
  deletedBytes: number;
}

/**
 * Run as the schema owner (the role that ran the migrations): it sees every tenant.
 *
 * @example
 * const { deletedBlobs } = await collectGarbage(sql, { graceSeconds: 3600 });
 */
export async function collectGarbage(
  sql: Sql,
  options: { graceSeconds?: number } = {},
): Promise<GcReport> {
  const grace = options.graceSeconds ?? 3600;
  const [row] = await sql<Array<{ n: number; bytes: number }>>`
    WITH gone AS (
      DELETE FROM blobs b
      WHERE b.last_used_at < now() - make_interval(secs => ${grace})
        AND NOT EXISTS (SELECT 1 FROM inodes i WHERE i.tenant_id = b.tenant_id AND i.blob = b.hash)
      RETURNING b.size
    )
    SELECT count(*)::float8 AS n, coalesce(sum(size), 0)::float8 AS bytes FROM gone`;
  return { deletedBlobs: row?.n ?? 0, deletedBytes: row?.bytes ?? 0 };
}
