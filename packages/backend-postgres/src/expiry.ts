/**
 * The expiry sweeper: deletes expired sandboxes of every tenant, safe in many processes at once.
 *
 * An expired sandbox is already gone for every request (each lookup carries `LIVE`, rows.ts);
 * this only reclaims its rows. Each batch is one statement: it locks expired rows with
 * `FOR UPDATE SKIP LOCKED`, so sweepers running together in every replica split the work and
 * each sandbox is deleted exactly once, and a row a commit holds is left for the next round
 * (the commit itself cannot apply: its UPDATE carries `LIVE`). The delete cascades to the
 * tree, the commit log and the sandbox's snapshots, and wakes its watchers.
 */
import type { SweptSandbox } from "@cairn/core";
import type { Sql } from "postgres";

/** NOTIFY channel for commits and deletions; the payload is `tenantId/sandboxId`. */
export const COMMITS_CHANNEL = "cairn_commits";

/**
 * Deletes up to `limit` expired sandboxes in one transaction. Runs as the connection's own
 * role: the schema owner (the role that ran the migrations) sees every tenant; under another
 * role row-level security hides all sandboxes and it sweeps nothing.
 *
 * @example
 * const swept = await sweepExpiredSandboxes(sql, { limit: 100 });
 */
export async function sweepExpiredSandboxes(
  sql: Sql,
  options: { limit?: number } = {},
): Promise<SweptSandbox[]> {
  const limit = options.limit ?? 100;
  return sql.begin(async (tx) => {
    const rows = await tx<Array<{ tenant_id: string; id: string }>>`
      DELETE FROM sandboxes s USING (
        SELECT tenant_id, id FROM sandboxes
        WHERE expires_at <= now() OR idle_expires_at <= now()
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED
      ) x
      WHERE s.tenant_id = x.tenant_id AND s.id = x.id
      RETURNING s.tenant_id, s.id`;
    if (rows.length > 0) {
      await tx`
        SELECT pg_notify(${COMMITS_CHANNEL}, p)
        FROM unnest(${tx.array(rows.map((r) => `${r.tenant_id}/${r.id}`))}::text[]) p`;
    }
    return rows.map((r) => ({ tenantId: r.tenant_id, id: r.id }));
  });
}
