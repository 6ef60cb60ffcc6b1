/** Vectors for semantic search, kept in memory and compared there. */
import { dot, type EmbeddingStore, type PendingEmbedding } from "@cairn/core";

/**
 * The store over the backend's blobs (`tenantId/hash` → bytes, in the order
 * they were first stored). Blobs are never deleted here, so neither are vectors.
 */
export function createMemoryEmbeddingStore(blobs: ReadonlyMap<string, Uint8Array>): EmbeddingStore {
  /** model → `tenantId/hash` → vector (null: not text). */
  const vectors = new Map<string, Map<string, Float32Array | null>>();
  const of = (model: string) => {
    let map = vectors.get(model);
    if (!map) {
      map = new Map();
      vectors.set(model, map);
    }
    return map;
  };
  return {
    unavailable: async () => undefined,
    async pending(model, limit) {
      const done = of(model);
      const rows: PendingEmbedding[] = [];
      for (const [key, bytes] of blobs) {
        if (rows.length >= limit) break;
        if (done.has(key)) continue;
        const slash = key.indexOf("/");
        rows.push({ tenantId: key.slice(0, slash), hash: key.slice(slash + 1), bytes });
      }
      return rows;
    },
    async put(model, rows) {
      const map = of(model);
      for (const row of rows) map.set(`${row.tenantId}/${row.hash}`, row.vector);
    },
    async similarities(tenantId, model, vector, hashes) {
      const map = of(model);
      const scores = new Map<string, number>();
      let missing = 0;
      for (const hash of hashes) {
        const stored = map.get(`${tenantId}/${hash}`);
        if (stored === undefined) missing++;
        else if (stored !== null) scores.set(hash, dot(vector, stored));
      }
      return { scores, missing };
    },
  };
}
