/**
 * Section 15: semantic search. How fast the background backlog embeds a 10k-file sandbox with
 * the built-in local embedder, and semantic (and hybrid) search over it over HTTP on Postgres
 * with pgvector.
 */
import { createPostgresBackend } from "@cairn/backend-postgres";
import { createLocalEmbedder, EmbeddingIndexer, SandboxService, type Scope } from "@cairn/core";
import { createApp, startSemanticSearch, startServer } from "@cairn/server";
import type { Sql } from "postgres";
import { generateCorpus } from "./corpus.js";
import { type Row, verdict } from "./report.js";
import { formatMs, median } from "./stats.js";

export interface SemanticBenchOptions {
  sql: Sql;
  files: number;
  runs: number;
  rows: Row[];
  notes: string[];
}

const SCOPE: Scope = { tenantId: "default" };
const QUERIES = [
  "retry the request after an error",
  "parse the config options",
  "commit the tree version",
];

export async function semanticBench(o: SemanticBenchOptions): Promise<void> {
  const backend = createPostgresBackend({ sql: o.sql });
  const store = backend.embeddings!;
  const why = await store.unavailable();
  if (why) {
    o.rows.push({ id: "15", what: "semantic search", cairn: "skipped", verdict: "info" });
    o.notes.push(`15: ${why}`);
    return;
  }
  const embedder = createLocalEmbedder();
  const service = new SandboxService({ backend });
  const corpus = generateCorpus({ files: o.files, meanFileBytes: 2000, seed: 15 });
  const big = await service.create(SCOPE, { files: corpus.files });
  await backend.idle();

  // 15a: the backlog, step by step, as the server's runs it (batches of 32 blobs).
  const indexer = new EmbeddingIndexer({ store, embedder });
  const started = performance.now();
  let embedded = 0;
  for (let done = await indexer.step(); done > 0; done = await indexer.step()) embedded += done;
  const backlogMs = performance.now() - started;
  const perSecond = embedded / (backlogMs / 1000);
  o.rows.push({
    id: "15a",
    what: `embedding backlog, local embedder (${embedded} blobs, ${(corpus.totalBytes / 1e6).toFixed(0)} MB)`,
    cairn: `${perSecond.toFixed(0)} blobs/s (${formatMs(backlogMs)})`,
    verdict: "info",
  });

  // 15b, 15c: search over HTTP. The backlog is empty, so the server's own stays idle. The
  // server is a fresh backend, as another process would be: nothing cached (the backlog's
  // store cached what it embedded), so its first search reads every vector.
  const served = createPostgresBackend({ sql: o.sql });
  const semantic = startSemanticSearch({ backend: served, embedder, pollMs: 60_000 });
  const apiKey = "bench-semantic-key-0123456789";
  const server = await startServer({
    app: createApp({
      backend: served,
      service: new SandboxService({ backend: served }),
      apiKey,
      semantic,
    }),
    port: 0,
  });
  try {
    for (const [id, mode, target] of [
      ["15b", "semantic", 50],
      ["15c", "hybrid", undefined],
    ] as const) {
      const samples: number[] = [];
      let missing = 0;
      let hits = 0;
      let first = 0;
      for (let i = 0; i < o.runs + 1; i++) {
        const q = encodeURIComponent(QUERIES[i % QUERIES.length]!);
        const t = performance.now();
        const res = await fetch(
          `${server.url}/v1/sandboxes/${big.id}/fs/search?q=${q}&mode=${mode}`,
          {
            headers: { authorization: `Bearer ${apiKey}` },
          },
        );
        const body = (await res.json()) as {
          hits: unknown[];
          missingEmbeddings: number;
          mode: string;
        };
        if (res.status !== 200 || body.mode !== mode) {
          throw new Error(`15: ${res.status} ${JSON.stringify(body).slice(0, 200)}`);
        }
        if (i === 0) {
          // Warm-up: the tree is loaded once, and (first mode) every vector read and cached.
          first = performance.now() - t;
          continue;
        }
        samples.push(performance.now() - t);
        missing = Math.max(missing, body.missingEmbeddings);
        hits = body.hits.length;
      }
      const p50 = median(samples);
      o.rows.push({
        id,
        what: `${mode} search over ${o.files} files, p50 (HTTP, Postgres + pgvector)`,
        cairn: `p50 ${formatMs(p50)}`,
        reference: `${hits} hits, ${missing} missing embeddings; first search ${formatMs(first)}${id === "15b" ? " (fresh process: tree and vectors read)" : ""}`,
        ...(target === undefined ? {} : { target: `≤ ${target} ms p50` }),
        verdict: target === undefined ? "info" : verdict(p50 <= target),
      });
    }
  } finally {
    await server.close();
    await semantic.close();
  }
}
