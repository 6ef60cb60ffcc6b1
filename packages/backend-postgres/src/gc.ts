/**
 * Garbage collection of blobs no inode (of any layer, whoever holds it) references, safe while
 * writes continue.
 *
 * Each batch runs in one transaction: first lock unreferenced candidates
 * (`FOR UPDATE SKIP LOCKED`: a blob an in-flight commit is writing is locked by
 * that commit's upsert, or by its share lock on content it already had, and skipped), then
 * delete them in a second statement,
 * which takes a fresh snapshot and so re-checks references against every commit
 * that finished in between. A commit that reaches a locked candidate waits, and
 * after the delete inserts the blob again from the bytes it carries. Every tree row of every
 * layer (a sandbox's own, or one frozen for snapshots and forks, layers.ts) is in `inodes`,
 * so one reference check covers them all; a snapshot or fork copies no rows, it holds the
 * layers whose rows already reference the blobs, and those rows go only with their last holder.
 */
import { type CommitRetention, DEFAULT_COMMIT_RETENTION } from "@cairn/core";
import type { Sql } from "postgres";
import { sweepExpiredSandboxes } from "./expiry.js";

export interface GcReport {
  deletedBlobs: number;
  deletedBytes: number;
  /** Idempotency records past their replay window. */
  deletedIdempotencyKeys: number;
  /** Commit log entries past the retention (age, or beyond the newest N of their sandbox). */
  deletedCommits: number;
  /** Expired sandboxes deleted (with their snapshots and logs), as the expiry sweeper does. */
  deletedSandboxes: number;
}

const BATCH = 1000;

/**
 * A logged commit whose undo brings the blob back (restore or diff to a version still in the
 * log reads it), through the GIN index on the undo's hashes; the tenant is checked on the row.
 */
const UNDO_REFERENCES = `
  SELECT 1 FROM commits c
  WHERE c.undo IS NOT NULL
    AND jsonb_path_query_array(c.undo, '$.upsertInodes[*].blob') @> jsonb_build_array(b.hash)
    AND c.tenant_id = b.tenant_id`;

/**
 * Run as the schema owner (the role that ran the migrations): it sees every tenant.
 *
 * @example
 * const { deletedBlobs } = await collectGarbage(sql, { graceSeconds: 3600 });
 */
export async function collectGarbage(
  sql: Sql,
  options: {
    graceSeconds?: number;
    idempotencyWindowSeconds?: number;
    commitRetention?: Partial<CommitRetention>;
  } = {},
): Promise<GcReport> {
  const retention = { ...DEFAULT_COMMIT_RETENTION, ...options.commitRetention };
  // First, so the blobs only expired sandboxes referenced are unreferenced below.
  let deletedSandboxes = 0;
  for (let swept = BATCH; swept === BATCH; ) {
    swept = (await sweepExpiredSandboxes(sql, { limit: BATCH })).length;
    deletedSandboxes += swept;
  }
  const grace = options.graceSeconds ?? 3600;
  const window = options.idempotencyWindowSeconds ?? 24 * 3600;
  const expired = await sql`
    DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(secs => ${window})`;
  const aged = await sql`
    DELETE FROM commits WHERE at < now() - make_interval(secs => ${retention.maxAgeMs / 1000})`;
  // Past the newest N: only sandboxes with more than N commits are looked at row by row.
  const surplus = await sql`
    DELETE FROM commits c USING (
      SELECT tenant_id, sandbox_id, max(version) - ${retention.maxCommits} AS below
      FROM commits GROUP BY tenant_id, sandbox_id HAVING count(*) > ${retention.maxCommits}
    ) x
    WHERE c.tenant_id = x.tenant_id AND c.sandbox_id = x.sandbox_id AND c.version <= x.below`;
  const report: GcReport = {
    deletedBlobs: 0,
    deletedBytes: 0,
    deletedIdempotencyKeys: expired.count,
    deletedCommits: aged.count + surplus.count,
    deletedSandboxes,
  };
  for (;;) {
    const batch = await sql.begin(async (tx) => {
      const candidates = await tx<Array<{ tenant_id: string; hash: string }>>`
        SELECT tenant_id, hash FROM blobs b
        WHERE b.last_used_at < now() - make_interval(secs => ${grace})
          AND NOT EXISTS (SELECT 1 FROM inodes i WHERE i.tenant_id = b.tenant_id AND i.blob = b.hash)
          AND NOT EXISTS (${tx.unsafe(UNDO_REFERENCES)})
        LIMIT ${BATCH}
        FOR UPDATE SKIP LOCKED`;
      if (candidates.length === 0) return { found: 0, deleted: 0, bytes: 0 };
      const [row] = await tx<Array<{ n: number; bytes: number }>>`
        WITH gone AS (
          DELETE FROM blobs b
          USING unnest(${tx.array(candidates.map((c) => c.tenant_id))}::text[],
                       ${tx.array(candidates.map((c) => c.hash))}::text[]) AS x(tenant_id, hash)
          WHERE b.tenant_id = x.tenant_id AND b.hash = x.hash
            AND NOT EXISTS (SELECT 1 FROM inodes i WHERE i.tenant_id = b.tenant_id AND i.blob = b.hash)
              AND NOT EXISTS (${tx.unsafe(UNDO_REFERENCES)})
          RETURNING b.size
        )
        SELECT count(*)::float8 AS n, coalesce(sum(size), 0)::float8 AS bytes FROM gone`;
      return { found: candidates.length, deleted: row?.n ?? 0, bytes: row?.bytes ?? 0 };
    });
    report.deletedBlobs += batch.deleted;
    report.deletedBytes += batch.bytes;
    if (batch.found < BATCH) return report;
  }
}
