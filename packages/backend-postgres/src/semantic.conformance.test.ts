/**
 * Semantic search end to end: the conformance cases for `mode=semantic|hybrid` with the built-in
 * embedder on PostgreSQL and on embedded PGlite, both with pgvector; where pgvector cannot be
 * created, migration 13 still succeeds and semantic search answers 400
 * semantic_search_unavailable while text search works; a PGlite data directory migrated before
 * PGlite loaded pgvector gains the table (migration 17).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ReferenceServer, startReferenceServer } from "@cairn/conformance";
import { describeConformance } from "@cairn/conformance/vitest";
import { type Backend, createLocalEmbedder } from "@cairn/core";
import { PGlite } from "@electric-sql/pglite";
import { btree_gin } from "@electric-sql/pglite/contrib/btree_gin";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { describe, expect, it } from "vitest";
import { connect } from "./connect.js";
import { connectEmbedded } from "./embedded.js";
import { migrate } from "./migrate.js";
import { createPostgresBackend } from "./postgres-backend.js";
import {
  createPgliteTestBackend,
  createRestrictedDatabase,
  createTestDatabase,
  SERVER_ONLY,
} from "./test-database.js";

const SEMANTIC_CASES = ["search/search-files/semantic-*", "search/search-files/hybrid-*"];

describeConformance({
  name: "postgres backend (pgvector), semantic search",
  createBackend: async () => {
    const db = await createTestDatabase();
    const backend = createPostgresBackend({ sql: db.sql });
    return {
      ...backend,
      close: async () => {
        await backend.close?.();
        await db.drop();
      },
    };
  },
  embedder: createLocalEmbedder(),
  only: SEMANTIC_CASES,
});

// The cases skip on a server without semantic search; the tests below fail instead if PGlite
// has none, so this run cannot pass by skipping.
describeConformance({
  name: "pglite (embedded) backend (pgvector), semantic search",
  createBackend: createPgliteTestBackend,
  embedder: createLocalEmbedder(),
  only: SEMANTIC_CASES,
});

/** `fetch` on the server with its key, JSON in and out. */
function caller(server: ReferenceServer) {
  return (path: string, init: RequestInit = {}) =>
    fetch(`${server.baseUrl}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${server.apiKey}`, "content-type": "application/json" },
    });
}

/** Creates a sandbox holding one file about retries; returns its id. */
async function sandboxAboutRetries(call: ReturnType<typeof caller>): Promise<string> {
  const created = await call("/v1/sandboxes", {
    method: "POST",
    body: JSON.stringify({ files: [{ path: "/a.md", content: "retry with backoff\n" }] }),
  });
  expect(created.status).toBe(201);
  return ((await created.json()) as { id: string }).id;
}

/** Semantic search until the file has its embedding (made in the background after the commit). */
async function semanticHits(call: ReturnType<typeof caller>, id: string): Promise<unknown> {
  for (let i = 0; i < 200; i++) {
    const res = await call(`/v1/sandboxes/${id}/fs/search?q=retrying&mode=semantic`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { mode: string; missingEmbeddings: number; hits: unknown };
    expect(body.mode).toBe("semantic");
    if (body.missingEmbeddings === 0) return body.hits;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("the file still has no embedding after 20 s");
}

describe("semantic search on embedded PGlite", () => {
  it("has pgvector: migration 13 creates blob_embeddings and the search ranks by similarity", async () => {
    const server = await startReferenceServer({
      createBackend: createPgliteTestBackend,
      embedder: createLocalEmbedder(),
      scriptWorkers: 0,
    });
    try {
      const call = caller(server);
      const id = await sandboxAboutRetries(call);
      expect(await semanticHits(call, id)).toMatchObject([{ path: "/a.md" }]);
    } finally {
      await server.close();
    }
  });

  it("a data directory migrated without pgvector gains blob_embeddings (migration 17)", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "cairn-pglite-old-"));
    try {
      // As PGlite was started before it loaded pgvector: migration 13 created nothing...
      const old = await PGlite.create({ dataDir, extensions: { pg_trgm, btree_gin } });
      const socket = new PGLiteSocketServer({ db: old, host: "127.0.0.1", port: 0 });
      await socket.start();
      const oldSql = connect(`postgres://postgres@${socket.getServerConn()}/postgres`, { max: 1 });
      await migrate(oldSql);
      // ...by a Cairn that had no migration 17 yet.
      await oldSql`DELETE FROM cairn_migrations WHERE id = 17`;
      const [before] = await oldSql`SELECT to_regclass('public.blob_embeddings') AS t`;
      expect(before?.t).toBeNull();
      await oldSql.end();
      await socket.stop();
      await old.close();

      const embedded = await connectEmbedded({ dataDir });
      const report = await migrate(embedded.sql);
      expect(report.applied).toEqual(["17: blob embeddings where migration 13 found no pgvector"]);
      const [after] = await embedded.sql`SELECT to_regclass('public.blob_embeddings') AS t`;
      expect(after?.t).toBe("blob_embeddings");
      const backend: Backend = {
        ...createPostgresBackend({ sql: embedded.sql }),
        close: () => embedded.close(),
      };
      const server = await startReferenceServer({
        createBackend: () => backend,
        embedder: createLocalEmbedder(),
        scriptWorkers: 0,
      });
      try {
        const call = caller(server);
        expect(await semanticHits(call, await sandboxAboutRetries(call))).toMatchObject([
          { path: "/a.md" },
        ]);
      } finally {
        await server.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(SERVER_ONLY !== undefined)(
  `semantic search on PostgreSQL without pgvector${SERVER_ONLY ? ` (skipped: ${SERVER_ONLY})` : ""}`,
  () => {
    it("migrates with a notice, answers 400 semantic_search_unavailable, and text search still works", async () => {
      // The migrating role may not create extensions, as where pgvector is not installed.
      const db = await createRestrictedDatabase("novector");
      try {
        await migrate(db.sql);
        expect(db.notices.filter((n) => /pgvector unavailable/.test(n))).toHaveLength(2);
        const server = await startReferenceServer({
          createBackend: () => createPostgresBackend({ sql: db.sql }),
          embedder: createLocalEmbedder(),
          scriptWorkers: 0,
        });
        try {
          const call = caller(server);
          const id = await sandboxAboutRetries(call);
          const semantic = await call(`/v1/sandboxes/${id}/fs/search?q=retry&mode=hybrid`);
          expect(semantic.status).toBe(400);
          expect(semantic.headers.get("content-type")).toMatch(/^application\/problem\+json/);
          const problem = (await semantic.json()) as { code: string; detail: string };
          expect(problem.code).toBe("semantic_search_unavailable");
          expect(problem.detail).toMatch(/pgvector/);
          const text = await call(`/v1/sandboxes/${id}/fs/search?q=retry`);
          expect(((await text.json()) as { hits: unknown[] }).hits).toHaveLength(1);
        } finally {
          await server.close();
        }
      } finally {
        await db.drop();
      }
    });
  },
);
