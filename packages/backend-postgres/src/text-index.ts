/**
 * The text copy of UTF-8 blobs behind the trigram index, filled after commits
 * rather than inside them: extracting trigrams from 50 MB took ~7 s of a 10 s
 * bulk write. Blobs wait as `text_state = 'p'` until indexed; anything that
 * searches must treat those as candidates.
 */
import { tryDecodeUtf8 } from "@cairn/core";
import type { Sql, TransactionSql } from "postgres";

/** Blobs larger than this, or holding NUL, are not text for the index. */
export const MAX_INDEXED_TEXT_BYTES = 1 << 20;

export interface TextCandidate {
  hash: string;
  bytes: Uint8Array;
}

/** The text of a blob worth indexing, or undefined (binary, NUL, too large). */
export function indexableText(
  bytes: Uint8Array,
  maxBytes = MAX_INDEXED_TEXT_BYTES,
): string | undefined {
  if (bytes.length > maxBytes || bytes.includes(0)) return undefined;
  return tryDecodeUtf8(bytes);
}

/** Inserts the text rows and marks the blobs indexed, in the caller's (tenant) transaction. */
export async function writeBlobText(
  tx: TransactionSql,
  tenantId: string,
  texts: Array<{ hash: string; body: string }>,
): Promise<void> {
  if (texts.length === 0) return;
  // Arrays rather than a VALUES list: one statement shape, prepared once per connection.
  await tx`INSERT INTO blob_text (tenant_id, hash, body)
           SELECT ${tenantId}, x.hash, x.body
           FROM unnest(${tx.array(texts.map((t) => t.hash))}::text[], ${tx.array(texts.map((t) => t.body))}::text[]) AS x(hash, body)
           ON CONFLICT DO NOTHING`;
  await tx`UPDATE blobs SET text_state = 'i'
           WHERE tenant_id = ${tenantId} AND hash = ANY(${tx.array(texts.map((t) => t.hash))}::text[])
             AND text_state = 'p'`;
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
      const byTenant = new Map<string, Array<{ hash: string; body: string }>>();
      const notText: Array<{ tenant_id: string; hash: string }> = [];
      for (const row of rows) {
        const body = indexableText(row.content);
        if (body === undefined) notText.push(row);
        else {
          const list = byTenant.get(row.tenant_id) ?? [];
          list.push({ hash: row.hash, body });
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
