/**
 * The Postgres store of vectors and its per-process cache: what a search is answered from the
 * cache is what the database holds, a tenant never gets another's vectors (even for the same
 * content), content without a vector stays missing until it has one, and the budget holds.
 */
import { createHash } from "node:crypto";
import { createLocalEmbedder, SandboxService } from "@cairn/core";
import { describe, expect, it } from "vitest";
import { createPostgresBackend } from "./postgres-backend.js";
import { useTestDatabase } from "./test-database.js";
import { VectorCache } from "./vector-cache.js";

const database = useTestDatabase();
const embedder = createLocalEmbedder();
const enc = (s: string) => new TextEncoder().encode(s);

/** A sandbox of `tenantId` holding `texts`; returns their content hashes, in order. */
async function contents(tenantId: string, texts: string[]): Promise<string[]> {
  const backend = createPostgresBackend({ sql: database().sql });
  const service = new SandboxService({ backend });
  const files = texts.map((text, i) => ({ path: `/f${i}.txt`, bytes: enc(text) }));
  await service.create({ tenantId }, { files });
  await backend.idle();
  return files.map((f) => createHash("sha256").update(f.bytes).digest("hex"));
}

describe("the Postgres embedding store", () => {
  it("answers from its cache what the database holds, per tenant, and counts what has no vector", async ({
    skip,
  }) => {
    const why = await createPostgresBackend({ sql: database().sql }).embeddings!.unavailable();
    if (why) skip(`no pgvector on the test server: ${why}`);
    const texts = ["retry a failed request", "bake the bread", "parse the config file"];
    const hashesA = await contents("emb-a", texts);
    // Tenant b holds the same first content: the same hash, but not tenant a's vector.
    const hashesB = await contents("emb-b", [texts[0]!, "simmer the soup"]);
    expect(hashesB[0]).toBe(hashesA[0]);
    const vectors = await embedder.embed(texts);
    const writer = createPostgresBackend({ sql: database().sql }).embeddings!;
    await writer.put(
      embedder.model,
      hashesA.slice(0, 2).map((hash, i) => ({ tenantId: "emb-a", hash, vector: vectors[i]! })),
    );
    const [query] = await embedder.embed(["retrying requests"]);

    // The writer cached what it stored; a fresh store (another replica) reads the database.
    const fresh = createPostgresBackend({ sql: database().sql }).embeddings!;
    for (const store of [writer, fresh, fresh]) {
      const answer = await store.similarities("emb-a", embedder.model, query!, hashesA);
      expect(answer.missing).toBe(1);
      expect([...answer.scores.keys()].sort()).toEqual(hashesA.slice(0, 2).sort());
      // pgvector's own inner product agrees (it sums in single precision).
      const rows = await database().sql<Array<{ hash: string; score: number }>>`
        SELECT hash, -(embedding <#> ${`[${Array.from(query!).join(",")}]`}::vector) AS score
        FROM blob_embeddings WHERE tenant_id = 'emb-a'`;
      for (const row of rows) expect(answer.scores.get(row.hash)).toBeCloseTo(row.score, 5);
    }
    const read = await fresh.similarities("emb-a", embedder.model, query!, hashesA);
    expect(await writer.similarities("emb-a", embedder.model, query!, hashesA)).toEqual(read);

    for (const store of [writer, fresh]) {
      expect(await store.similarities("emb-b", embedder.model, query!, hashesB)).toEqual({
        scores: new Map(),
        missing: 2,
      });
      // Another model's vectors are not these.
      expect(await store.similarities("emb-a", "other", query!, hashesA)).toMatchObject({
        missing: 3,
      });
    }

    // The third content gets its vector (stored by another replica): found from then on.
    await createPostgresBackend({ sql: database().sql }).embeddings!.put(embedder.model, [
      { tenantId: "emb-a", hash: hashesA[2]!, vector: vectors[2]! },
      { tenantId: "emb-b", hash: hashesB[1]!, vector: null },
    ]);
    for (const store of [writer, fresh]) {
      const answer = await store.similarities("emb-a", embedder.model, query!, hashesA);
      expect(answer.missing).toBe(0);
      expect(answer.scores.size).toBe(3);
      // Content that is not text has no score and is not missing.
      expect(await store.similarities("emb-b", embedder.model, query!, hashesB)).toEqual({
        scores: new Map(),
        missing: 1,
      });
    }

    // A long scope is read in several statements: the real contents come after 10,000 others.
    const others = Array.from({ length: 10_000 }, (_, i) => i.toString(16).padStart(64, "0"));
    const cold = createPostgresBackend({ sql: database().sql }).embeddings!;
    const long = await cold.similarities("emb-a", embedder.model, query!, [...others, ...hashesA]);
    expect(long.missing).toBe(10_000);
    expect(long.scores).toEqual(
      (await writer.similarities("emb-a", embedder.model, query!, hashesA)).scores,
    );
  });
});

describe("VectorCache", () => {
  const v = (x: number) => new Float32Array(256).fill(x);
  it("keeps within its budget, dropping the least recently searched group's oldest first", () => {
    const cache = new VectorCache(4 * (1024 + 200));
    cache.set("a", "h1", v(1));
    cache.set("a", "h2", v(2));
    cache.set("b", "h1", v(3));
    cache.set("b", "h2", null);
    expect(cache.bytes).toBe(3 * 1024 + 4 * 200);
    cache.group("a"); // a searched last: b is the least recent
    cache.set("c", "h1", v(4)); // over budget: b's oldest goes
    expect([...(cache.group("b")?.keys() ?? [])]).toEqual(["h2"]); // b searched: a is the least recent
    cache.set("c", "h2", v(5)); // a's oldest goes
    cache.set("c", "h3", v(6)); // then a's last, and a with it
    expect(cache.group("a")).toBeUndefined();
    expect([...(cache.group("c")?.keys() ?? [])]).toEqual(["h1", "h2", "h3"]);
    expect(cache.group("c")?.get("h2")).toEqual(v(5));
    expect([...(cache.group("b")?.entries() ?? [])]).toEqual([["h2", null]]);
    expect(cache.bytes).toBe(3 * 1024 + 4 * 200);
  });

  it("holds nothing with a budget of 0", () => {
    const cache = new VectorCache(0);
    cache.set("a", "h1", v(1));
    expect(cache.group("a")).toBeUndefined();
    expect(cache.bytes).toBe(0);
  });
});
