/**
 * Semantic search end to end: the conformance cases for `mode=semantic|hybrid` with the built-in
 * embedder on PostgreSQL with pgvector; on PGlite, which has no pgvector, migration 13 still
 * succeeds and semantic search answers 400 semantic_search_unavailable while text search works.
 */
import { startReferenceServer } from "@cairn/conformance";
import { describeConformance } from "@cairn/conformance/vitest";
import { createLocalEmbedder } from "@cairn/core";
import { describe, expect, it } from "vitest";
import { createPostgresBackend } from "./postgres-backend.js";
import { createPgliteTestBackend, createTestDatabase } from "./test-database.js";

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
  only: ["search/search-files/semantic-*", "search/search-files/hybrid-*"],
});

describe("semantic search on PGlite (no pgvector)", () => {
  it("migrates, answers 400 semantic_search_unavailable, and text search still works", async () => {
    const server = await startReferenceServer({
      createBackend: createPgliteTestBackend,
      embedder: createLocalEmbedder(),
      scriptWorkers: 0,
    });
    try {
      const call = (path: string, init: RequestInit = {}) =>
        fetch(`${server.baseUrl}${path}`, {
          ...init,
          headers: {
            authorization: `Bearer ${server.apiKey}`,
            "content-type": "application/json",
          },
        });
      const created = await call("/v1/sandboxes", {
        method: "POST",
        body: JSON.stringify({ files: [{ path: "/a.md", content: "retry with backoff\n" }] }),
      });
      expect(created.status).toBe(201);
      const { id } = (await created.json()) as { id: string };
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
  });
});
