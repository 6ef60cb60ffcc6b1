/**
 * Semantic search on the server: the embedder chosen by configuration, the
 * background backlog that embeds committed content, and what a search in
 * `semantic` or `hybrid` mode asks of them.
 */
import {
  type Backend,
  type Embedder,
  EmbeddingIndexer,
  type EmbeddingIndexerStats,
  type ScriptSemantic,
  type SearchMode,
  type SemanticRanking,
  termsOf,
} from "@cairn/core";
import { ProblemError } from "./problem.js";

export interface SemanticSearch {
  readonly embedder: Embedder;
  /** Absent when the backend cannot store vectors. */
  readonly indexer: EmbeddingIndexer | undefined;
  /** Queries whose embedding failed (each answered by text ranking). */
  queryFailures: number;
  stats(): EmbeddingIndexerStats & { queryFailures: number };
  close(): Promise<void>;
}

/**
 * Starts embedding the backend's committed content in the background with `embedder`.
 * @example
 * const semantic = startSemanticSearch({ backend, embedder: createLocalEmbedder() });
 * const app = createApp({ backend, apiKey, semantic });
 */
export function startSemanticSearch(options: {
  backend: Backend;
  embedder: Embedder;
  onError?: (error: unknown) => void;
  pollMs?: number;
  retryMs?: number;
}): SemanticSearch {
  const store = options.backend.embeddings;
  const indexer = store
    ? new EmbeddingIndexer({
        store,
        embedder: options.embedder,
        onError: options.onError,
        pollMs: options.pollMs,
        retryMs: options.retryMs,
      })
    : undefined;
  indexer?.start();
  const semantic: SemanticSearch = {
    embedder: options.embedder,
    indexer,
    queryFailures: 0,
    stats: () => ({
      ...(indexer?.stats() ?? { embedded: 0, failures: 0, lastError: null }),
      queryFailures: semantic.queryFailures,
    }),
    close: async () => {
      await indexer?.close();
    },
  };
  return semantic;
}

/**
 * What `mode` asks of a search: nothing (text), a semantic ranking, or a
 * fallback to text with a note when the query could not be embedded. Throws
 * 400 semantic_search_unavailable when this server or its storage has no way to.
 */
export async function semanticRanking(
  semantic: SemanticSearch | undefined,
  backend: Backend,
  tenantId: string,
  mode: SearchMode,
  query: string,
): Promise<{ ranking?: SemanticRanking; note: string | null }> {
  if (mode === "text") return { note: null };
  const store = backend.embeddings;
  if (!semantic || !store) {
    throw new ProblemError(
      400,
      "semantic_search_unavailable",
      semantic
        ? "this server's storage cannot hold embeddings"
        : "semantic search is off on this server (start it with an embeddings provider: cairn serve --embeddings)",
    );
  }
  const why = await store.unavailable();
  if (why) throw new ProblemError(400, "semantic_search_unavailable", why);
  if (termsOf(query).length === 0) {
    throw new ProblemError(400, "invalid_request", `mode=${mode} needs words in q`);
  }
  let vector: Float32Array;
  try {
    [vector] = (await semantic.embedder.embed([query])) as [Float32Array];
  } catch (error) {
    semantic.queryFailures++;
    const why = error instanceof Error ? error.message : String(error);
    return { note: `the embeddings provider failed to embed the query (${why}); ranked by text` };
  }
  const model = semantic.embedder.model;
  return {
    ranking: {
      mode,
      similarities: (hashes) => store.similarities(tenantId, model, vector, hashes),
    },
    note: null,
  };
}

/**
 * `search --semantic|--hybrid` inside a script of `tenantId`: the same checks, provider and
 * stored vectors as the API's search, answered as data (a worker thread may be asking).
 */
export function scriptSemantic(
  semantic: SemanticSearch | undefined,
  backend: Backend,
  tenantId: string,
): ScriptSemantic {
  return async (mode, query, hashes) => {
    let asked: Awaited<ReturnType<typeof semanticRanking>>;
    try {
      asked = await semanticRanking(semantic, backend, tenantId, mode, query);
    } catch (error) {
      if (error instanceof ProblemError) return { unavailable: error.message };
      throw error;
    }
    if (!asked.ranking) return { fallback: asked.note ?? "ranked by text" };
    return { similarities: await asked.ranking.similarities([...hashes]) };
  };
}
