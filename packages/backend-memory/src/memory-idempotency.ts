/** Idempotency records in memory, with the same rules as the Postgres table. */
import type { IdempotencyStore, StoredResponse } from "@cairn/core";

interface Entry {
  fingerprint: string;
  response: StoredResponse | null;
  /** Set by the commit the keyed request made (the same call that applies it). */
  applied: { sandboxId: string; version: number } | null;
  createdAt: number;
  updatedAt: number;
}

const copy = (r: StoredResponse): StoredResponse => ({
  status: r.status,
  headers: { ...r.headers },
  body: r.body.slice(),
});

export interface MemoryIdempotency {
  store: IdempotencyStore;
  /** Marks a pending claim applied: called by the commit its request makes. */
  markApplied(tenantId: string, key: string, sandboxId: string, version: number): void;
}

export function createMemoryIdempotencyStore(now: () => number): MemoryIdempotency {
  /** `${tenantId}/${key}` → entry. */
  const entries = new Map<string, Entry>();
  const store: IdempotencyStore = {
    async claimIdempotencyKey(tenantId, claim) {
      const id = `${tenantId}/${claim.key}`;
      const at = now();
      const entry = entries.get(id);
      const expired = entry && at - entry.createdAt >= claim.windowMs;
      const abandoned = entry && !entry.response && at - entry.updatedAt >= claim.leaseMs;
      if (!entry || expired || (abandoned && !entry.applied)) {
        entries.set(id, {
          fingerprint: claim.fingerprint,
          response: null,
          applied: null,
          createdAt: at,
          updatedAt: at,
        });
        return { state: "claimed" };
      }
      if (entry.fingerprint !== claim.fingerprint) return { state: "mismatch" };
      if (!entry.response) {
        return abandoned && entry.applied
          ? { state: "applied", ...entry.applied }
          : { state: "in_progress" };
      }
      return { state: "done", response: copy(entry.response) };
    },
    async completeIdempotencyKey(tenantId, key, response) {
      const entry = entries.get(`${tenantId}/${key}`);
      if (entry) Object.assign(entry, { response: copy(response), updatedAt: now() });
    },
    async releaseIdempotencyKey(tenantId, key) {
      const entry = entries.get(`${tenantId}/${key}`);
      // A request that committed keeps its claim, with its lease over: retries get `applied`.
      if (entry?.applied && !entry.response) entry.updatedAt = Number.NEGATIVE_INFINITY;
      else entries.delete(`${tenantId}/${key}`);
    },
    async renewIdempotencyKey(tenantId, key) {
      const entry = entries.get(`${tenantId}/${key}`);
      if (entry && !entry.response) entry.updatedAt = now();
    },
  };
  return {
    store,
    markApplied(tenantId, key, sandboxId, version) {
      const entry = entries.get(`${tenantId}/${key}`);
      if (entry && !entry.response) entry.applied = { sandboxId, version };
    },
  };
}
