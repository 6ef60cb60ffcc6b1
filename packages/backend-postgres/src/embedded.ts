/**
 * The embedded default: PGlite (Postgres compiled to WASM) in a data directory,
 * served on a local socket so the same postgres.js code path talks to it.
 */
import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { btree_gin } from "@electric-sql/pglite/contrib/btree_gin";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { vector } from "@electric-sql/pglite-pgvector";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import type { Sql } from "postgres";
import { connect } from "./connect.js";

export interface EmbeddedPostgres {
  /** A postgres:// URL for postgres.js (use a pool of one: PGlite is single-session). */
  url: string;
  dataDir: string;
  close(): Promise<void>;
}

/**
 * @example
 * const pg = await startEmbeddedPostgres({ dataDir: ".cairn-data" });
 * const sql = connect(pg.url, { max: 1 });
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
}): Promise<EmbeddedPostgres> {
  mkdirSync(options.dataDir, { recursive: true });
  const db = await PGlite.create({
    dataDir: options.dataDir,
    // vector: pgvector, for semantic search's blob_embeddings (migration 13).
    extensions: { pg_trgm, btree_gin, vector },
  });
  const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0, maxConnections: 1 });
  await server.start();
  const conn = server.getServerConn();
  return {
    url: `postgres://postgres@${conn}/postgres?sslmode=disable`,
    dataDir: options.dataDir,
    async close() {
      await server.stop();
      await db.close();
    },
  };
}

/**
 * Embedded Postgres with its postgres.js pool: one connection, since PGlite is a
 * single session (requests queue on it). `close()` ends the pool, then PGlite.
 *
 * @example
 * const { sql, close } = await connectEmbedded({ dataDir: ".cairn-data" });
 */
export async function connectEmbedded(options: {
  dataDir: string;
}): Promise<{ sql: Sql; close(): Promise<void> }> {
  const pg = await startEmbeddedPostgres(options);
  const sql = connect(pg.url, { max: 1 });
  return {
    sql,
    async close() {
      await sql.end({ timeout: 5 });
      await pg.close();
    },
  };
}
