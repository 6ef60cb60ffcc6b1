/**
 * Vectors for semantic search in `blob_embeddings` (pgvector, migration 13):
 * the backlog reads and writes as the schema owner across tenants, as the
 * text index's catch-up does; a search compares inside its tenant's transaction.
 */
import { type EmbeddingStore, MAX_EMBEDDED_CHARS, type PendingEmbedding } from "@cairn/core";
import type { Sql, TransactionSql } from "postgres";

/** Bytes of a pending blob read for embedding: enough for MAX_EMBEDDED_CHARS characters. */
const PENDING_BYTES = MAX_EMBEDDED_CHARS * 4;
/** Past this many hashes, a search reads all the tenant's vectors for the model instead. */
const SCAN_TENANT_OVER = 1000;

type InTenant = <T>(tenantId: string, fn: (tx: TransactionSql) => Promise<T>) => Promise<T>;

/** pgvector's text form of a vector: `[0.1,0.2,...]`. */
function vectorText(v: Float32Array): string {
  return `[${Array.from(v).join(",")}]`;
}

export function postgresEmbeddingStore(sql: Sql, inTenant: InTenant): EmbeddingStore {
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
      await sql`
        INSERT INTO blob_embeddings (tenant_id, hash, model, embedding)
        SELECT x.tenant_id, x.hash, ${model}, x.embedding::vector
        FROM unnest(${sql.array(rows.map((r) => r.tenantId))}::text[],
                    ${sql.array(rows.map((r) => r.hash))}::text[],
                    ${sql.array(rows.map((r) => (r.vector ? vectorText(r.vector) : null)))}::text[])
          AS x(tenant_id, hash, embedding)
        JOIN blobs b ON b.tenant_id = x.tenant_id AND b.hash = x.hash
        ON CONFLICT DO NOTHING`;
    },
    async similarities(tenantId, model, vector, hashes) {
      if (hashes.length === 0) return { scores: new Map(), missing: 0 };
      const q = vectorText(vector);
      // A long list of hashes costs more to send and join than reading the tenant's vectors
      // (10k files: ~140 ms against ~15 ms); a short one is cheaper than a large tenant's.
      const rows = await inTenant(tenantId, (tx) =>
        hashes.length > SCAN_TENANT_OVER
          ? tx<Array<{ hash: string; score: number | null }>>`
              SELECT hash, -(embedding <#> ${q}::vector) AS score FROM blob_embeddings
              WHERE tenant_id = ${tenantId} AND model = ${model}`
          : tx<Array<{ hash: string; score: number | null }>>`
              SELECT hash, -(embedding <#> ${q}::vector) AS score FROM blob_embeddings
              WHERE tenant_id = ${tenantId} AND model = ${model}
                AND hash = ANY(${tx.array(hashes as string[])}::text[])`,
      );
      const wanted = new Set(hashes);
      const scores = new Map<string, number>();
      let present = 0;
      for (const row of rows) {
        if (!wanted.has(row.hash)) continue;
        present++;
        if (row.score !== null) scores.set(row.hash, Number(row.score));
      }
      return { scores, missing: wanted.size - present };
    },
  };
}
