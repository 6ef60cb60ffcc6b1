/**
 * Vectors for semantic search in `blob_embeddings` (pgvector, migration 13):
 * the backlog reads and writes as the schema owner across tenants, as the
 * text index's catch-up does; a search compares inside its tenant's transaction.
 */
import type { EmbeddingStore, PendingEmbedding } from "@cairn/core";
import type { Sql, TransactionSql } from "postgres";

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
      // Text blobs (pending or indexed by the text index; not binary, not over its size limit).
      const rows = await sql<Array<{ tenant_id: string; hash: string; content: Buffer }>>`
        SELECT b.tenant_id, b.hash, b.content FROM blobs b
        WHERE b.text_state <> 'n' AND NOT EXISTS (
          SELECT 1 FROM blob_embeddings e
          WHERE e.tenant_id = b.tenant_id AND e.model = ${model} AND e.hash = b.hash)
        LIMIT ${limit}`;
      return rows.map(
        (r): PendingEmbedding => ({
          tenantId: r.tenant_id,
          hash: r.hash,
          bytes: new Uint8Array(r.content.buffer, r.content.byteOffset, r.content.byteLength),
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
      const rows = await inTenant(
        tenantId,
        (tx) => tx<Array<{ hash: string; score: number | null; missing: boolean }>>`
          SELECT b.hash,
                 -(e.embedding <#> ${vectorText(vector)}::vector) AS score,
                 e.hash IS NULL AND b.text_state <> 'n' AS missing
          FROM blobs b LEFT JOIN blob_embeddings e
            ON e.tenant_id = b.tenant_id AND e.model = ${model} AND e.hash = b.hash
          WHERE b.tenant_id = ${tenantId} AND b.hash = ANY(${tx.array(hashes as string[])}::text[])`,
      );
      const scores = new Map<string, number>();
      let missing = 0;
      for (const row of rows) {
        if (row.missing) missing++;
        else if (row.score !== null) scores.set(row.hash, Number(row.score));
      }
      return { scores, missing };
    },
  };
}
