/**
 * Bulk blob writes through COPY: a large commit's content goes to a temporary table in
 * Postgres's binary COPY format, then into `blobs` in one INSERT … SELECT. The array path
 * (one `text[]` of base64) spent most of a 50 MB load parsing that array literal; binary COPY
 * sends the bytes as they are. Not for PGlite: its wire server drops the connection on COPY.
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
 * Inserts the blobs (touching `last_used_at` of those the tenant already has, which locks
 * them against a concurrent gc) through a temporary table dropped at commit.
 */
export async function copyBlobs(
  tx: TransactionSql,
  tenantId: string,
  rows: readonly BlobRow[],
): Promise<void> {
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
