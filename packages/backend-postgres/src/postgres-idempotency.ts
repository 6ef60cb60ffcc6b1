/** Idempotency records in Postgres: one row per (tenant, key), claimed with one upsert. */
import type { IdempotencyState, IdempotencyStore } from "@cairn/core";
import type { TransactionSql } from "postgres";

type InTenant = <T>(tenantId: string, fn: (tx: TransactionSql) => Promise<T>) => Promise<T>;

interface Row {
  fingerprint: string;
  status: number | null;
  headers: Record<string, string> | null;
  body: Uint8Array | null;
}

export function postgresIdempotencyStore(inTenant: InTenant): IdempotencyStore {
  return {
    claimIdempotencyKey(tenantId, claim) {
      return inTenant(tenantId, async (tx): Promise<IdempotencyState> => {
        // Takes the key if it is free, expired, or held by a claim nobody finished in time.
        const claimed = await tx`
          INSERT INTO idempotency_keys (tenant_id, key, fingerprint)
          VALUES (${tenantId}, ${claim.key}, ${claim.fingerprint})
          ON CONFLICT (tenant_id, key) DO UPDATE
            SET fingerprint = excluded.fingerprint, status = NULL, headers = NULL, body = NULL,
                created_at = now(), updated_at = now()
            WHERE idempotency_keys.created_at < now() - make_interval(secs => ${claim.windowMs / 1000})
               OR (idempotency_keys.status IS NULL
                   AND idempotency_keys.updated_at < now() - make_interval(secs => ${claim.leaseMs / 1000}))
          RETURNING 1`;
        if (claimed.length > 0) return { state: "claimed" };
        const [row] = await tx<Row[]>`
          SELECT fingerprint, status, headers, body FROM idempotency_keys
          WHERE tenant_id = ${tenantId} AND key = ${claim.key}`;
        // The conflicting row is locked until its writer's transaction ends, so it is still here.
        if (!row || row.fingerprint !== claim.fingerprint) return { state: "mismatch" };
        if (row.status === null) return { state: "in_progress" };
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
      await inTenant(tenantId, (tx) =>
        tx`DELETE FROM idempotency_keys WHERE tenant_id = ${tenantId} AND key = ${key}`.execute(),
      );
    },
  };
}
