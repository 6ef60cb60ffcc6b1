import { describe, expect, it } from "vitest";
import { dot, type EmbeddingStore, type PendingEmbedding } from "./embedder.js";
import { EmbeddingIndexer } from "./embedding-indexer.js";
import { createLocalEmbedder, localEmbedding } from "./local-embedder.js";

describe("the local embedder", () => {
  it("is deterministic, unit length, and closer for texts that share words and their pieces", () => {
    const a = localEmbedding("retry the failed request with backoff");
    expect(localEmbedding("retry the failed request with backoff")).toEqual(a);
    expect(dot(a, a)).toBeCloseTo(1, 5);
    const related = localEmbedding("export function retryRequest(retries) {}");
    const unrelated = localEmbedding("bake the bread in a hot oven");
    expect(dot(a, related)).toBeGreaterThan(dot(a, unrelated) + 0.1);
  });

  it("gives text without words a zero vector", () => {
    expect([...localEmbedding("  --  ")].every((x) => x === 0)).toBe(true);
  });
});

/** A store over a list of pending blobs, recording what was put. */
function fakeStore(pending: PendingEmbedding[]) {
  const put: Array<{ hash: string; vector: Float32Array | null }> = [];
  const store: EmbeddingStore = {
    unavailable: async () => undefined,
    pending: async (_model, limit) =>
      pending.filter((p) => !put.some((r) => r.hash === p.hash)).slice(0, limit),
    put: async (_model, rows) => {
      put.push(...rows.map(({ hash, vector }) => ({ hash, vector })));
    },
    similarities: async () => ({ scores: new Map(), missing: 0 }),
  };
  return { store, put };
}

const bytes = (s: string) => new TextEncoder().encode(s);

describe("EmbeddingIndexer.step", () => {
  it("embeds text, records binary as null, and cuts a truncated blob at a character boundary", async () => {
    const euro = bytes("price: 5 €");
    const { store, put } = fakeStore([
      { tenantId: "t", hash: "text", bytes: bytes("retry") },
      { tenantId: "t", hash: "binary", bytes: new Uint8Array([0, 1, 2]) },
      { tenantId: "t", hash: "cut", bytes: euro.subarray(0, euro.length - 1), truncated: true },
      { tenantId: "t", hash: "invalid", bytes: euro.subarray(0, euro.length - 1) },
    ]);
    const indexer = new EmbeddingIndexer({ store, embedder: createLocalEmbedder(), batch: 10 });
    expect(await indexer.step()).toBe(4);
    expect(await indexer.step()).toBe(0);
    const byHash = new Map(put.map((r) => [r.hash, r.vector]));
    expect(byHash.get("text")).toEqual(localEmbedding("retry"));
    expect(byHash.get("binary")).toBeNull();
    expect(byHash.get("cut")).toEqual(localEmbedding("price: 5 "));
    expect(byHash.get("invalid")).toBeNull();
    expect(indexer.stats()).toEqual({ embedded: 4, failures: 0, lastError: null });
  });

  it("does nothing where storage cannot hold vectors", async () => {
    const { store } = fakeStore([{ tenantId: "t", hash: "h", bytes: bytes("x") }]);
    const indexer = new EmbeddingIndexer({
      store: { ...store, unavailable: async () => "no pgvector" },
      embedder: createLocalEmbedder(),
    });
    expect(await indexer.step()).toBe(0);
  });

  it("counts a failing provider, keeps the blobs pending, and catches up when it recovers", async () => {
    const { store, put } = fakeStore([{ tenantId: "t", hash: "h", bytes: bytes("x") }]);
    let failing = true;
    const local = createLocalEmbedder();
    const indexer = new EmbeddingIndexer({
      store,
      embedder: {
        ...local,
        embed: async (texts) => {
          if (failing) throw new Error("provider down");
          return local.embed(texts);
        },
      },
      retryMs: 5,
    });
    indexer.start();
    await expect.poll(() => indexer.stats().failures).toBeGreaterThan(1);
    expect(indexer.stats().lastError).toBe("provider down");
    expect(put).toEqual([]);
    failing = false;
    await expect.poll(() => put.length, { timeout: 5000 }).toBe(1);
    await indexer.close();
    expect(indexer.stats().lastError).toBeNull();
  });
});
