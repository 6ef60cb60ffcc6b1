/**
 * A commit's blobs into `blobs`: arrays of base64 in batches, or for a large commit COPY. The
 * content goes to a temporary table in Postgres's binary COPY format, then into `blobs` in one
 * INSERT … SELECT: the array path spent most of a 50 MB load parsing the array literal, and
 * binary COPY sends the bytes as they are. Not for PGlite: its wire server drops the
 * connection on COPY. Either way, blobs the tenant already has are locked (the conflict's
 * update of `last_used_at`, or a share lock), so a concurrent gc cannot delete a blob this commit
 * uses. A large commit locks those first and copies only the rest: a tree created again (a
 * template, a repository pushed anew) sends its content to Postgres once.
 */
import type { TransactionSql } from "postgres";

export interface BlobRow {
  hash: string;
  bytes: Uint8Array;
  /** text_state: 'p' text to index, 'n' not text. */
  state: "p" | "n";
}

/** Commits whose content adds up to this much go through COPY. */
export const COPY_MIN_BYTES = 1 << 20;

/** Rows per multi-row INSERT (Postgres allows 65,535 parameters per statement). */
export const BLOB_BATCH = 2000;

/** COPY data is written in chunks of about this size. */
const CHUNK_BYTES = 1 << 20;

const SIGNATURE = Buffer.from("PGCOPY\n\xff\r\n\0", "latin1");
/** Flags and header-extension length, both 0. */
const HEADER_REST = Buffer.alloc(8);
const TRAILER = Buffer.from([0xff, 0xff]);

/** The rows as binary COPY data for columns (hash text, size bigint, state "char", content bytea). */
export function* binaryCopyChunks(rows: readonly BlobRow[]): Generator<Buffer> {
  let parts: Buffer[] = [SIGNATURE, HEADER_REST];
  let size = SIGNATURE.length + HEADER_REST.length;
  for (const row of rows) {
    const hash = Buffer.from(row.hash, "utf8");
    const head = Buffer.allocUnsafe(2 + 4 + hash.length + 4 + 8 + 4 + 1 + 4);
    let at = head.writeInt16BE(4, 0);
    at = head.writeInt32BE(hash.length, at);
    at += hash.copy(head, at);
    at = head.writeInt32BE(8, at);
    at = head.writeBigInt64BE(BigInt(row.bytes.length), at);
    at = head.writeInt32BE(1, at);
    at = head.writeUInt8(row.state.charCodeAt(0), at);
    head.writeInt32BE(row.bytes.length, at);
    parts.push(head, Buffer.from(row.bytes.buffer, row.bytes.byteOffset, row.bytes.byteLength));
    size += head.length + row.bytes.length;
    if (size >= CHUNK_BYTES) {
      yield Buffer.concat(parts, size);
      parts = [];
      size = 0;
    }
  }
  parts.push(TRAILER);
  yield Buffer.concat(parts, size + TRAILER.length);
}

/**
 * Inserts the blobs in batches of arrays. One statement shape whatever the batch size (arrays,
 * not a VALUES list), so it is prepared once; content travels as base64, which the server decodes.
 */
export function insertBlobs(
  tx: TransactionSql,
  tenantId: string,
  rows: readonly BlobRow[],
): Promise<unknown> {
  const batches: Promise<unknown>[] = [];
  for (let i = 0; i < rows.length; i += BLOB_BATCH) {
    const batch = rows.slice(i, i + BLOB_BATCH);
    batches.push(tx`
      INSERT INTO blobs (tenant_id, hash, size, content, text_state)
      SELECT ${tenantId}, x.hash, x.size, decode(x.content, 'base64'), x.state FROM unnest(
        ${tx.array(batch.map((b) => b.hash))}::text[],
        ${tx.array(batch.map((b) => b.bytes.length))}::bigint[],
        ${tx.array(batch.map((b) => Buffer.from(b.bytes.buffer, b.bytes.byteOffset, b.bytes.byteLength).toString("base64")))}::text[],
        ${tx.array(batch.map((b) => b.state))}::"char"[]) AS x(hash, size, content, state)
      ON CONFLICT (tenant_id, hash) DO UPDATE SET last_used_at = now()`);
  }
  return Promise.all(batches);
}

/**
 * The rows whose blobs the tenant does not store yet. The stored ones are locked until the commit
 * ends: gc skips locked blobs (`FOR UPDATE SKIP LOCKED`), and once this commit's inodes reference
 * them they are no longer garbage. A share lock, not the conflict's update: updating 10,000 rows
 * rewrites them with their inline content (110–155 ms, against ~35 ms for the lock).
 */
export async function unstoredBlobs(
  tx: TransactionSql,
  tenantId: string,
  rows: readonly BlobRow[],
): Promise<readonly BlobRow[]> {
  const stored = await tx<Array<{ hash: string }>>`
    SELECT hash FROM blobs
    WHERE tenant_id = ${tenantId} AND hash = ANY(${tx.array(rows.map((r) => r.hash))}::text[])
    FOR KEY SHARE`;
  if (stored.length === 0) return rows;
  const have = new Set(stored.map((r) => r.hash));
  return rows.filter((r) => !have.has(r.hash));
}

/**
 * Inserts the blobs the tenant does not store yet through a temporary table dropped at commit,
 * filled with binary COPY.
 */
export async function copyBlobs(
  tx: TransactionSql,
  tenantId: string,
  all: readonly BlobRow[],
): Promise<void> {
  const rows = await unstoredBlobs(tx, tenantId, all);
  if (rows.length === 0) return;
  await tx`CREATE TEMP TABLE cairn_blob_stage (hash text, size bigint, state "char", content bytea)
           ON COMMIT DROP`;
  // Stored as sent: compressing here would be undone by the INSERT below, which compresses.
  await tx`ALTER TABLE pg_temp.cairn_blob_stage ALTER COLUMN content SET STORAGE EXTERNAL`;
  const sink = await tx`COPY pg_temp.cairn_blob_stage (hash, size, state, content)
                        FROM STDIN (FORMAT binary)`.writable();
  await new Promise<void>((resolve, reject) => {
    sink.on("error", reject);
    sink.on("finish", resolve);
    const chunks = binaryCopyChunks(rows);
    const pump = () => {
      for (let next = chunks.next(); !next.done; next = chunks.next()) {
        if (!sink.write(next.value)) {
          sink.once("drain", pump);
          return;
        }
      }
      sink.end();
    };
    pump();
  });
  await tx`INSERT INTO blobs (tenant_id, hash, size, content, text_state)
           SELECT ${tenantId}, hash, size, content, state FROM pg_temp.cairn_blob_stage
           ON CONFLICT (tenant_id, hash) DO UPDATE SET last_used_at = now()`;
  await tx`DROP TABLE pg_temp.cairn_blob_stage`;
}
