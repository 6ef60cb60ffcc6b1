/** The bench database: a fresh `cairn_bench_<random>` on the machine's Postgres, dropped at the end. */
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import postgres, { type Sql } from "postgres";

export const ADMIN_URL =
  process.env.CAIRN_BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export interface BenchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

export async function createBenchDatabase(adminUrl = ADMIN_URL): Promise<BenchDatabase> {
  const name = `cairn_bench_${randomBytes(5).toString("hex")}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    name,
    url: url.toString(),
    async drop() {
      if (dropped) return;
      dropped = true;
      const admin2 = postgres(adminUrl, { max: 1, onnotice: () => {} });
      try {
        await admin2.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await admin2.end();
      }
    },
  };
}

/** The Postgres server's version string and a few settings that shape write speed. */
export async function serverFacts(sql: Sql): Promise<string> {
  const [row] = await sql<Array<{ v: string; sc: string; fs: string; sb: string }>>`
    SELECT current_setting('server_version') AS v, current_setting('synchronous_commit') AS sc,
           current_setting('fsync') AS fs, current_setting('shared_buffers') AS sb`;
  return `PostgreSQL ${row!.v} (synchronous_commit=${row!.sc}, fsync=${row!.fs}, shared_buffers=${row!.sb})`;
}

const COPY_SIGNATURE = Buffer.from("PGCOPY\n\xff\r\n\0", "latin1");

/** Rows as Postgres binary COPY format: (path text, content bytea). */
function* binaryCopyChunks(rows: ReadonlyArray<{ path: string; bytes: Uint8Array }>) {
  const header = Buffer.alloc(COPY_SIGNATURE.length + 8);
  COPY_SIGNATURE.copy(header, 0);
  yield header; // flags 0, header extension length 0
  const batch: Buffer[] = [];
  let batchBytes = 0;
  for (const row of rows) {
    const path = Buffer.from(row.path, "utf8");
    const head = Buffer.alloc(2 + 4 + path.length + 4);
    head.writeInt16BE(2, 0);
    head.writeInt32BE(path.length, 2);
    path.copy(head, 6);
    head.writeInt32BE(row.bytes.length, 6 + path.length);
    batch.push(head, Buffer.from(row.bytes.buffer, row.bytes.byteOffset, row.bytes.byteLength));
    batchBytes += head.length + row.bytes.length;
    if (batchBytes >= 1 << 20) {
      yield Buffer.concat(batch);
      batch.length = 0;
      batchBytes = 0;
    }
  }
  const trailer = Buffer.alloc(2);
  trailer.writeInt16BE(-1, 0);
  batch.push(trailer);
  yield Buffer.concat(batch);
}

/**
 * Streams `rows` into a fresh scratch table with `COPY ... FROM STDIN (FORMAT binary)`
 * in one transaction; returns the elapsed milliseconds (table creation excluded).
 */
export async function copyIntoScratch(
  sql: Sql,
  table: string,
  rows: ReadonlyArray<{ path: string; bytes: Uint8Array }>,
): Promise<number> {
  await sql.unsafe(
    `DROP TABLE IF EXISTS ${table}; CREATE TABLE ${table} (path text, content bytea)`,
  );
  const started = performance.now();
  await sql.begin(async (tx) => {
    const writable = await tx
      .unsafe(`COPY ${table} (path, content) FROM STDIN (FORMAT binary)`)
      .writable();
    await pipeline(Readable.from(binaryCopyChunks(rows)), writable);
  });
  return performance.now() - started;
}
