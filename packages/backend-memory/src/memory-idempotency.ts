/** Idempotency records in memory, with the same rules as the Postgres table. */
import type { IdempotencyStore, StoredResponse } from "@cairn/core";

interface Entry {
  fingerprint: string;
  response: StoredResponse | null;
  createdAt: number;
  updatedAt: number;
}

const copy = (r: StoredResponse): StoredResponse => ({
  status: r.status,
  headers: { ...r.headers },
  body: r.body.slice(),
});

export function createMemoryIdempotencyStore(now: () => number): IdempotencyStore {
  /** `${tenantId}/${key}` → entry. */
  const entries = new Map<string, Entry>();
  return {
    async claimIdempotencyKey(tenantId, claim) {
      const id = `${tenantId}/${claim.key}`;
      const at = now();
      const entry = entries.get(id);
      const expired = entry && at - entry.createdAt >= claim.windowMs;
      const abandoned = entry && !entry.response && at - entry.updatedAt >= claim.leaseMs;
      if (!entry || expired || abandoned) {
        entries.set(id, {
          fingerprint: claim.fingerprint,
          response: null,
          createdAt: at,
          updatedAt: at,
        });
        return { state: "claimed" };
      }
      if (entry.fingerprint !== claim.fingerprint) return { state: "mismatch" };
      if (!entry.response) return { state: "in_progress" };
      return { state: "done", response: copy(entry.response) };
    },
    async completeIdempotencyKey(tenantId, key, response) {
      const entry = entries.get(`${tenantId}/${key}`);
      if (entry) Object.assign(entry, { response: copy(response), updatedAt: now() });
    },
    async releaseIdempotencyKey(tenantId, key) {
      entries.delete(`${tenantId}/${key}`);
    },
    async renewIdempotencyKey(tenantId, key) {
      const entry = entries.get(`${tenantId}/${key}`);
      if (entry && !entry.response) entry.updatedAt = now();
    },
  };
}
