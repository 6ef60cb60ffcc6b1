/** Idempotency records in Postgres: one row per (tenant, key), claimed with one upsert. */
import type { CommitLogEntry, IdempotencyState, IdempotencyStore } from "@cairn/core";
import type { TransactionSql } from "postgres";

type InTenant = <T>(tenantId: string, fn: (tx: TransactionSql) => Promise<T>) => Promise<T>;

interface Row {
  fingerprint: string;
  status: number | null;
  headers: Record<string, string> | null;
  body: Uint8Array | null;
  applied_sandbox_id: string | null;
  applied_version: number | null;
  abandoned: boolean;
}

export function postgresIdempotencyStore(inTenant: InTenant): IdempotencyStore {
  return {
    claimIdempotencyKey(tenantId, claim) {
      return inTenant(tenantId, async (tx): Promise<IdempotencyState> => {
        // Takes the key if it is free, expired, or held by a claim nobody finished in time
        // and that never committed (a committed one must not run again).
        const claimed = await tx`
          INSERT INTO idempotency_keys (tenant_id, key, fingerprint)
          VALUES (${tenantId}, ${claim.key}, ${claim.fingerprint})
          ON CONFLICT (tenant_id, key) DO UPDATE
            SET fingerprint = excluded.fingerprint, status = NULL, headers = NULL, body = NULL,
                applied_sandbox_id = NULL, applied_version = NULL,
                created_at = now(), updated_at = now()
            WHERE idempotency_keys.created_at < now() - make_interval(secs => ${claim.windowMs / 1000})
               OR (idempotency_keys.status IS NULL AND idempotency_keys.applied_version IS NULL
                   AND idempotency_keys.updated_at < now() - make_interval(secs => ${claim.leaseMs / 1000}))
          RETURNING 1`;
        if (claimed.length > 0) return { state: "claimed" };
        const [row] = await tx<Row[]>`
          SELECT fingerprint, status, headers, body, applied_sandbox_id,
            applied_version::float8 AS applied_version,
            updated_at < now() - make_interval(secs => ${claim.leaseMs / 1000}) AS abandoned
          FROM idempotency_keys
          WHERE tenant_id = ${tenantId} AND key = ${claim.key}`;
        // The conflicting row is locked until its writer's transaction ends, so it is still here.
        if (!row || row.fingerprint !== claim.fingerprint) return { state: "mismatch" };
        if (row.status === null) {
          if (row.applied_version !== null && row.abandoned) {
            return {
              state: "applied",
              sandboxId: row.applied_sandbox_id ?? "",
              version: row.applied_version,
            };
          }
          return { state: "in_progress" };
        }
        return {
          state: "done",
          response: {
            status: row.status,
            headers: row.headers ?? {},
            body: new Uint8Array(row.body ?? new Uint8Array(0)),
          },
        };
      });
    },
    async completeIdempotencyKey(tenantId, key, response) {
      await inTenant(tenantId, (tx) =>
        tx`UPDATE idempotency_keys
           SET status = ${response.status}, headers = ${tx.json(response.headers)},
               body = ${response.body}, updated_at = now()
           WHERE tenant_id = ${tenantId} AND key = ${key}`.execute(),
      );
    },
    async renewIdempotencyKey(tenantId, key) {
      await inTenant(tenantId, (tx) =>
        tx`UPDATE idempotency_keys SET updated_at = now()
           WHERE tenant_id = ${tenantId} AND key = ${key} AND status IS NULL`.execute(),
      );
    },
    async releaseIdempotencyKey(tenantId, key) {
      await inTenant(tenantId, async (tx) => {
        const [deleted] = await tx`
          DELETE FROM idempotency_keys
          WHERE tenant_id = ${tenantId} AND key = ${key} AND applied_version IS NULL
          RETURNING 1`;
        // It committed: its lease ends now, so a retry is answered `applied` at once.
        if (!deleted) {
          await tx`UPDATE idempotency_keys SET updated_at = '-infinity'
             WHERE tenant_id = ${tenantId} AND key = ${key} AND status IS NULL`.execute();
        }
      });
    },
  };
}

/**
 * Marks the keyed request making a commit applied, in that commit's transaction (pipelined
 * with its other statements). Only a pending claim is marked: a completed one keeps its answer.
 */
export function markIdempotencyKeyApplied(
  tx: TransactionSql,
  tenantId: string,
  sandboxId: string,
  version: number,
  log: CommitLogEntry | undefined,
): Promise<unknown> {
  if (log?.idempotencyKey === undefined) return Promise.resolve();
  return tx`
    UPDATE idempotency_keys SET applied_sandbox_id = ${sandboxId}, applied_version = ${version}
    WHERE tenant_id = ${tenantId} AND key = ${log.idempotencyKey} AND status IS NULL`.execute();
}
