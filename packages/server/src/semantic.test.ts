/**
 * Semantic search against a real OpenAI-compatible HTTP provider: one that embeds (with the
 * local embedder behind HTTP), and one that answers 500 — writes still succeed, failures are
 * counted and retried in the background, and search falls back to text ranking with a note.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createMemoryBackend } from "@cairn/backend-memory";
import { createHttpEmbedder, localEmbedding } from "@cairn/core";
import { afterEach, describe, expect, it } from "vitest";
import { createApp } from "./app.js";
import { createMetrics } from "./metrics/metrics.js";
import { type SemanticSearch, startSemanticSearch } from "./semantic.js";

interface Provider {
  url: string;
  requests: Array<{ model: string; input: string[]; auth: string | undefined }>;
  /** Answer 500 while true. */
  failing: boolean;
  close(): Promise<void>;
}

async function startProvider(failing: boolean): Promise<Provider> {
  const provider = { requests: [], failing } as unknown as Provider;
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      const json = JSON.parse(body) as { model: string; input: string[] };
      provider.requests.push({ ...json, auth: req.headers.authorization });
      if (req.url !== "/v1/embeddings" || provider.failing) {
        res.writeHead(500, { "content-type": "application/json" });
        res.end('{"error":{"message":"model overloaded"}}');
        return;
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          data: json.input.map((text, index) => ({
            index,
            embedding: Array.from(localEmbedding(text, 64)),
          })),
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  provider.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  provider.close = () => new Promise((resolve) => server.close(() => resolve()));
  return provider;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function setup(failing: boolean) {
  const provider = await startProvider(failing);
  cleanups.push(() => provider.close());
  const backend = createMemoryBackend();
  const semantic: SemanticSearch = startSemanticSearch({
    backend,
    embedder: createHttpEmbedder({ url: provider.url, model: "test-embed", apiKey: "sk-test" }),
    retryMs: 20,
  });
  cleanups.push(() => semantic.close());
  const metrics = createMetrics({ processMetrics: false });
  const app = createApp({ backend, apiKey: "k", semantic, metrics });
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await app.request(path, {
      method,
      headers: { authorization: "Bearer k", "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  const created = await call("POST", "/v1/sandboxes", {
    files: [
      { path: "/net/retry.ts", content: "retry the request with backoff\n" },
      { path: "/kitchen/bread.md", content: "bake bread in the oven\n" },
    ],
  });
  expect(created.status).toBe(201);
  return { provider, semantic, call, metrics, id: created.json.id as string };
}

describe("semantic search with an HTTP embeddings provider", () => {
  it("embeds committed content in the background and ranks by it", async () => {
    const { provider, semantic, call, id } = await setup(false);
    await semantic.indexer!.idle();
    expect(semantic.stats()).toMatchObject({ embedded: 2, failures: 0 });
    const res = await call(
      "GET",
      `/v1/sandboxes/${id}/fs/search?q=retrying+requests&mode=semantic`,
    );
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ mode: "semantic", missingEmbeddings: 0, note: null });
    expect((res.json.hits as Array<{ path: string }>)[0]!.path).toBe("/net/retry.ts");
    expect(provider.requests[0]).toMatchObject({ model: "test-embed", auth: "Bearer sk-test" });
    // Each blob once, plus the query: content is never embedded on the request path.
    const embeddedTexts = provider.requests.flatMap((r) => r.input);
    expect(embeddedTexts.filter((t) => t.startsWith("retry the request"))).toHaveLength(1);
    expect(embeddedTexts.at(-1)).toBe("retrying requests");
  });

  it("a failing provider fails no write: failures are counted and retried; search falls back with a note", async () => {
    const { provider, semantic, call, metrics, id } = await setup(true);
    const write = await call("POST", `/v1/sandboxes/${id}/exec`, {
      script: "echo 'retry later' > /more.txt",
    });
    expect(write.status).toBe(200);
    expect((write.json.commit as { status: string }).status).toBe("committed");
    await expect.poll(() => semantic.stats().failures, { timeout: 5000 }).toBeGreaterThan(1);
    expect(semantic.stats().lastError).toMatch(/answered 500/);

    const res = await call("GET", `/v1/sandboxes/${id}/fs/search?q=retry&mode=hybrid`);
    expect(res.status).toBe(200);
    expect(res.json.mode).toBe("text");
    expect(res.json.note).toMatch(/embeddings provider failed.*500.*ranked by text/);
    const text = await call("GET", `/v1/sandboxes/${id}/fs/search?q=retry`);
    expect(res.json).toEqual({ ...text.json, note: res.json.note });
    expect((res.json.hits as unknown[]).length).toBe(2);
    expect(semantic.stats().queryFailures).toBe(1);
    // The same fallback inside a script: text ranking, with the note on stderr.
    const inScript = await call("POST", `/v1/sandboxes/${id}/exec`, {
      script: "search --json --hybrid retry",
    });
    expect(inScript.json.exitCode).toBe(0);
    expect(JSON.parse(inScript.json.stdout as string)).toEqual(res.json);
    const plain = await call("POST", `/v1/sandboxes/${id}/exec`, {
      script: "search --hybrid retry",
    });
    expect(plain.json.stderr).toMatch(/^search: the embeddings provider failed.*ranked by text/);
    expect(semantic.stats().queryFailures).toBe(3);
    const scraped = await metrics.registry.metrics();
    expect(scraped).toMatch(/^cairn_embedding_failures [1-9]\d*$/m);
    expect(scraped).toMatch(/^cairn_embedding_query_failures 3$/m);

    // The provider recovers: the backlog catches up on its own, and semantic search works.
    provider.failing = false;
    await expect
      .poll(
        async () => (await call("GET", `/v1/sandboxes/${id}/fs/search?q=retry&mode=semantic`)).json,
        {
          timeout: 10_000,
        },
      )
      .toMatchObject({ mode: "semantic", missingEmbeddings: 0, note: null });
    expect(semantic.stats().lastError).toBeNull();
  });

  it("without a provider, semantic mode is 400 semantic_search_unavailable", async () => {
    const app = createApp({ backend: createMemoryBackend(), apiKey: null });
    const created = await app.request("/v1/sandboxes", {
      method: "POST",
      body: "{}",
      headers: { "content-type": "application/json" },
    });
    const { id } = (await created.json()) as { id: string };
    const res = await app.request(`/v1/sandboxes/${id}/fs/search?q=x&mode=semantic`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: string }).code).toBe("semantic_search_unavailable");
  });
});
