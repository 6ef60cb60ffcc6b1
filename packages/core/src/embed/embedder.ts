/**
 * Embeddings for semantic search: what turns text into a vector, and what a
 * backend stores them in (one vector per content blob and model).
 */

/** Turns texts into unit-length vectors of `dimensions` numbers. */
export interface Embedder {
  /** Names the model and its settings: vectors of different models are never compared. */
  readonly model: string;
  readonly dimensions: number;
  /** Texts per `embed` call the background backlog should send (default 32). */
  readonly batchSize?: number;
  /** One vector per text, in order. Rejects when the provider fails (the caller retries later). */
  embed(texts: readonly string[]): Promise<Float32Array[]>;
}

/** A blob waiting for its vector. */
export interface PendingEmbedding {
  tenantId: string;
  hash: string;
  bytes: Uint8Array;
  /** `bytes` is only the beginning of the blob (it may end inside a UTF-8 character). */
  truncated?: boolean;
}

/** What the vectors of a set of blobs say about one query vector. */
export interface Similarities {
  /** Cosine similarity by blob hash, for blobs that have a vector. */
  scores: Map<string, number>;
  /** Blobs given that have no vector yet (not text is not missing: it never gets one). */
  missing: number;
}

/** A backend's store of vectors (optional capability `Backend.embeddings`). */
export interface EmbeddingStore {
  /** Why vectors cannot be stored here (e.g. Postgres without pgvector), or undefined when they can. */
  unavailable(): Promise<string | undefined>;
  /** Up to `limit` blobs (of any tenant) with no vector for `model` yet, oldest first. */
  pending(model: string, limit: number): Promise<PendingEmbedding[]>;
  /** Stores vectors; `vector: null` records a blob that is not text (nothing to embed). */
  put(
    model: string,
    rows: ReadonlyArray<{ tenantId: string; hash: string; vector: Float32Array | null }>,
  ): Promise<void>;
  /** Similarity of `vector` to the stored vectors of `hashes` (one tenant's). */
  similarities(
    tenantId: string,
    model: string,
    vector: Float32Array,
    hashes: readonly string[],
  ): Promise<Similarities>;
}

/** Text longer than this is embedded by its beginning only (characters). */
export const MAX_EMBEDDED_CHARS = 16_384;

/** Scales `v` to unit length in place (a zero vector stays zero). */
export function normalize(v: Float32Array): Float32Array {
  let sum = 0;
  for (const x of v) sum += x * x;
  const norm = Math.sqrt(sum);
  if (norm > 0) for (let i = 0; i < v.length; i++) v[i]! /= norm;
  return v;
}

/** The dot product: the cosine similarity of two unit vectors. */
export function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) sum += a[i]! * b[i]!;
  return sum;
}
