/** Which siblings to fetch beside the blobs a read misses: enough for a directory of sources, never a flood. */
import type { PrefetchCandidate } from "./vfs.js";

const PREFETCH_MAX_BLOBS = 1000;
const PREFETCH_MAX_BYTES = 8 << 20;
const PREFETCH_MAX_FILE_BYTES = 256 << 10;

/**
 * `missing` plus the candidates that fit the bounds and are not `known` (cached, or already
 * being fetched), in order.
 */
export function withPrefetch(
  missing: readonly string[],
  candidates: readonly PrefetchCandidate[],
  known: (hash: string) => boolean,
): string[] {
  const wanted = new Set(missing);
  let budget = PREFETCH_MAX_BYTES;
  for (const candidate of candidates) {
    if (wanted.size >= PREFETCH_MAX_BLOBS) break;
    if (candidate.size > PREFETCH_MAX_FILE_BYTES || candidate.size > budget) continue;
    if (wanted.has(candidate.hash) || known(candidate.hash)) continue;
    wanted.add(candidate.hash);
    budget -= candidate.size;
  }
  return [...wanted];
}
