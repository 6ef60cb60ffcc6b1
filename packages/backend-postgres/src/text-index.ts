/**
 * The text copy of UTF-8 blobs behind the trigram index, filled after commits
 * rather than inside them: extracting trigrams from 50 MB took ~7 s of a 10 s
 * bulk write. Blobs wait as `text_state = 'p'` until indexed; anything that
 * searches must treat those as candidates.
 */
import { isUtf8 } from "node:buffer";
import type { Sql, TransactionSql } from "postgres";

/** Blobs larger than this, or holding NUL, are not text for the index. */
export const MAX_INDEXED_TEXT_BYTES = 1 << 20;

/** Whether a blob is text worth indexing: valid UTF-8, no NUL, not too large. */
export function isIndexableText(bytes: Uint8Array, maxBytes = MAX_INDEXED_TEXT_BYTES): boolean {
  return bytes.length <= maxBytes && !bytes.includes(0) && isUtf8(bytes);
}

/**
 * Copies the blobs' text into `blob_text` and marks them indexed, in the caller's (tenant)
 * transaction. The text is decoded from the stored content by Postgres, so it never travels
 * again (the blobs were checked with `isIndexableText`, and Postgres's UTF-8 rules agree).
 */
export async function writeBlobText(
  tx: TransactionSql,
  tenantId: string,
  hashes: readonly string[],
): Promise<void> {
  if (hashes.length === 0) return;
  const list = tx.array([...hashes]);
  await tx`INSERT INTO blob_text (tenant_id, hash, body)
           SELECT ${tenantId}, hash, convert_from(content, 'UTF8') FROM blobs
           WHERE tenant_id = ${tenantId} AND hash = ANY(${list}::text[]) AND text_state = 'p'
           ON CONFLICT DO NOTHING`;
  await tx`UPDATE blobs SET text_state = 'i'
           WHERE tenant_id = ${tenantId} AND hash = ANY(${list}::text[]) AND text_state = 'p'`;
  // The rows went to the trigram index's pending list: merge them in one pass (migration 18).
  await tx`SELECT cairn_flush_text_index()`;
}

/**
 * Indexes every pending blob of every tenant (run as the schema owner, e.g. by
 * `cairn gc`): catches up after a crash between a commit and its indexing.
 */
export async function indexPendingText(
  sql: Sql,
  options: { batch?: number } = {},
): Promise<number> {
  const batch = options.batch ?? 200;
  let indexed = 0;
  for (;;) {
    const done = await sql.begin(async (tx) => {
      const rows = await tx<Array<{ tenant_id: string; hash: string; content: Buffer }>>`
        SELECT tenant_id, hash, content FROM blobs WHERE text_state = 'p'
        LIMIT ${batch} FOR UPDATE SKIP LOCKED`;
      const byTenant = new Map<string, string[]>();
      const notText: Array<{ tenant_id: string; hash: string }> = [];
      for (const row of rows) {
        if (!isIndexableText(row.content)) notText.push(row);
        else {
          const list = byTenant.get(row.tenant_id) ?? [];
          list.push(row.hash);
          byTenant.set(row.tenant_id, list);
        }
      }
      for (const [tenantId, texts] of byTenant) await writeBlobText(tx, tenantId, texts);
      for (const row of notText) {
        await tx`UPDATE blobs SET text_state = 'n' WHERE tenant_id = ${row.tenant_id} AND hash = ${row.hash}`;
      }
      return rows.length;
    });
    indexed += done;
    if (done < batch) return indexed;
  }
}
