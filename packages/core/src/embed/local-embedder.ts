/**
 * The built-in embedder: no network, no model. Feature hashing of a text's
 * words, their identifier parts and their character trigrams into a fixed
 * number of dimensions, weighted by log(1 + count), signed by a second hash,
 * then normalised. Texts that share words, identifier parts or word pieces
 * (`retry`, `retries`, `retryWithBackoff`) come out close; synonyms with no
 * letters in common (`car`, `automobile`) do not: it is a lexical similarity,
 * not a semantic model.
 */
import { forEachTerm } from "../text/terms.js";
import { type Embedder, MAX_EMBEDDED_CHARS, normalize } from "./embedder.js";

export const LOCAL_EMBEDDER_DIMENSIONS = 256;

/** How much a trigram counts next to a whole word (1). */
const TRIGRAM_WEIGHT = 0.5;

/** FNV-1a, 32 bits: fast, stable across runs and machines. */
function fnv1a(text: string, seed = 0x811c9dc5): number {
  let h = seed;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function localEmbedding(text: string, dimensions = LOCAL_EMBEDDER_DIMENSIONS): Float32Array {
  const counts = new Map<string, number>();
  const add = (feature: string, weight: number) =>
    counts.set(feature, (counts.get(feature) ?? 0) + weight);
  forEachTerm(text.slice(0, MAX_EMBEDDED_CHARS), (term) => {
    add(`w:${term}`, 1);
    const padded = `^${term}$`;
    for (let i = 0; i + 3 <= padded.length; i++) add(`t:${padded.slice(i, i + 3)}`, TRIGRAM_WEIGHT);
  });
  const v = new Float32Array(dimensions);
  for (const [feature, count] of counts) {
    const h = fnv1a(feature);
    const sign = fnv1a(feature, 0x9747b28c) & 1 ? 1 : -1;
    v[h % dimensions]! += sign * Math.log1p(count);
  }
  return normalize(v);
}

/** The local embedder as an {@link Embedder}. */
export function createLocalEmbedder(dimensions = LOCAL_EMBEDDER_DIMENSIONS): Embedder {
  return {
    model: `cairn-local-hash-v1-${dimensions}`,
    dimensions,
    // No provider to spare: bigger batches only save backlog queries.
    batchSize: 256,
    embed: async (texts) => texts.map((t) => localEmbedding(t, dimensions)),
  };
}
