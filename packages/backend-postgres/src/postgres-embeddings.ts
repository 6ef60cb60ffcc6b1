/**
 * Vectors for semantic search in `blob_embeddings` (pgvector, migration 13):
 * the backlog reads and writes as the schema owner across tenants, as the
 * text index's catch-up does; a search reads the vectors it lacks inside its
 * tenant's transaction and compares in the process, where they stay cached.
 */
import { dot, type EmbeddingStore, MAX_EMBEDDED_CHARS, type PendingEmbedding } from "@cairn/core";
import type { Sql, TransactionSql } from "postgres";
import { VectorCache } from "./vector-cache.js";

/** Bytes of a pending blob read for embedding: enough for MAX_EMBEDDED_CHARS characters. */
const PENDING_BYTES = MAX_EMBEDDED_CHARS * 4;
/** Hashes asked about per statement when a search reads the vectors it lacks. */
const HASHES_PER_READ = 10_000;
/** Default budget of the per-process cache of vectors. */
export const DEFAULT_EMBEDDING_CACHE_BYTES = 64 << 20;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

type InTenant = <T>(tenantId: string, fn: (tx: TransactionSql) => Promise<T>) => Promise<T>;

/** pgvector's text form of a vector: `[0.1,0.2,...]`. */
function vectorText(v: Float32Array): string {
  return `[${Array.from(v).join(",")}]`;
}

/**
 * A vector from pgvector's binary form (`vector_send`): int16 dimensions, int16 unused, then
 * big-endian float4s.
 */
function vectorOf(bytes: Uint8Array): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const vector = new Float32Array(view.getInt16(0));
  const raw = new Uint8Array(vector.buffer);
  raw.set(bytes.subarray(4, 4 + raw.length));
  if (LITTLE_ENDIAN) Buffer.from(vector.buffer).swap32();
  return vector;
}

/**
 * @param cacheBytes budget of the cache of vectors by tenant, model and hash. A vector never
 * changes (it is the model's for that content), so a cached one is never stale: a search
 * reads from the database only the vectors of contents it has not seen, and compares in the
 * process (in double precision, as the memory backend does).
 */
export function postgresEmbeddingStore(
  sql: Sql,
  inTenant: InTenant,
  cacheBytes = DEFAULT_EMBEDDING_CACHE_BYTES,
): EmbeddingStore {
  /** Groups `tenant \0 model`; null for content that is not text. */
  const cache = new VectorCache(cacheBytes);
  let present: boolean | undefined;
  return {
    async unavailable() {
      if (present === undefined) {
        const [row] = await sql<Array<{ present: boolean }>>`
          SELECT to_regclass('public.blob_embeddings') IS NOT NULL AS present`;
        // Only a yes is cached: pgvector may be installed (and migration 13's SQL run) later.
        if (row?.present) present = true;
        else
          return (
            "this database has no pgvector (the `vector` extension) for embeddings: install it " +
            "(e.g. postgresql-15-pgvector) and create the blob_embeddings table as docs/search.md says"
          );
      }
      return undefined;
    },
    async pending(model, limit) {
      // Every blob gets a row (binary ones a NULL), so a search can tell "not yet" from "never";
      // only the beginning of a large one is read, which is all that is embedded.
      const rows = await sql<
        Array<{ tenant_id: string; hash: string; content: Buffer; size: string }>
      >`
        SELECT b.tenant_id, b.hash, substring(b.content FROM 1 FOR ${PENDING_BYTES}) AS content, b.size
        FROM blobs b
        WHERE NOT EXISTS (
          SELECT 1 FROM blob_embeddings e
          WHERE e.tenant_id = b.tenant_id AND e.model = ${model} AND e.hash = b.hash)
        LIMIT ${limit}`;
      return rows.map(
        (r): PendingEmbedding => ({
          tenantId: r.tenant_id,
          hash: r.hash,
          bytes: new Uint8Array(r.content.buffer, r.content.byteOffset, r.content.byteLength),
          truncated: Number(r.size) > r.content.byteLength,
        }),
      );
    },
    async put(model, rows) {
      if (rows.length === 0) return;
      // A blob deleted by gc meanwhile is simply not embedded (the join drops it).
      const inserted = await sql<Array<{ tenant_id: string; hash: string }>>`
        INSERT INTO blob_embeddings (tenant_id, hash, model, embedding)
        SELECT x.tenant_id, x.hash, ${model}, x.embedding::vector
        FROM unnest(${sql.array(rows.map((r) => r.tenantId))}::text[],
                    ${sql.array(rows.map((r) => r.hash))}::text[],
                    ${sql.array(rows.map((r) => (r.vector ? vectorText(r.vector) : null)))}::text[])
          AS x(tenant_id, hash, embedding)
        JOIN blobs b ON b.tenant_id = x.tenant_id AND b.hash = x.hash
        ON CONFLICT DO NOTHING
        RETURNING tenant_id, hash`;
      // What this process embedded is cached as stored (the text form round-trips a float4
      // exactly), so its searches need not read it back; a row another replica stored first
      // is left to be read.
      const vectors = new Map(rows.map((r) => [`${r.tenantId}\0${r.hash}`, r.vector]));
      for (const row of inserted) {
        const vector = vectors.get(`${row.tenant_id}\0${row.hash}`);
        if (vector !== undefined)
          cache.set(`${row.tenant_id}\0${model}`, row.hash, vector?.slice() ?? null);
      }
    },
    async similarities(tenantId, model, vector, hashes) {
      const key = `${tenantId}\0${model}`;
      const group = cache.group(key);
      const scores = new Map<string, number>();
      const unknown = new Set<string>();
      for (const hash of hashes) {
        const cached = group?.get(hash);
        if (cached === undefined) unknown.add(hash);
        else if (cached) scores.set(hash, dot(vector, cached));
      }
      if (unknown.size === 0) return { scores, missing: 0 };
      // Only what the cache lacks is read, and then cached. By the list of hashes rather than
      // all the tenant's vectors: as fast when the scope is the whole tenant (10k: ~20 MB
      // either way), and bounded by the scope when the tenant is much larger.
      const lacking = [...unknown];
      const rows = await inTenant(tenantId, async (tx) => {
        const read: Array<{ hash: string; v: Buffer | null }> = [];
        for (let at = 0; at < lacking.length; at += HASHES_PER_READ) {
          const chunk = lacking.slice(at, at + HASHES_PER_READ);
          for (const row of await tx<Array<{ hash: string; v: Buffer | null }>>`
            SELECT hash, vector_send(embedding) AS v FROM blob_embeddings
            WHERE tenant_id = ${tenantId} AND model = ${model}
              AND hash = ANY(${tx.array(chunk)}::text[])`)
            read.push(row);
        }
        return read;
      });
      let found = 0;
      for (const row of rows) {
        const stored = row.v ? vectorOf(row.v) : null;
        cache.set(key, row.hash, stored);
        found++;
        if (stored) scores.set(row.hash, dot(vector, stored));
      }
      return { scores, missing: unknown.size - found };
    },
  };
}
