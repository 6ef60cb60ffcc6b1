/**
 * How often each search term occurs in a stored blob, remembered per content
 * hash: content never changes under a hash, so a word counted once for a blob
 * is never counted again, and ranked search reads only the blobs it has not
 * counted yet (and the few hits it shows).
 */
import { ByteBudgetLru } from "../lru.js";

/** One tenant's counts: a term → occurrences map per hash, or null for content that is not text. */
export interface TermCountMemo {
  get(hash: string): ReadonlyMap<string, number> | null | undefined;
  /** Records counts for more terms (merged with those known), or that the content is not text. */
  add(hash: string, counts: ReadonlyMap<string, number> | null): void;
}

/** Bytes an entry is taken to hold: its key, the map, and each term with its count. */
function sizeOf(counts: Map<string, number> | null): number {
  let bytes = 160;
  if (counts) for (const term of counts.keys()) bytes += 40 + 2 * term.length;
  return bytes;
}

/** The memo of every tenant in one process, bounded by a byte budget (least recently used go). */
export class TermCountMemos {
  private readonly entries: ByteBudgetLru<string, Map<string, number> | null>;

  constructor(budgetBytes = 64 << 20) {
    this.entries = new ByteBudgetLru(budgetBytes, sizeOf);
  }

  forTenant(tenantId: string): TermCountMemo {
    const key = (hash: string) => `${tenantId}/${hash}`;
    return {
      get: (hash) => this.entries.get(key(hash)),
      add: (hash, counts) => {
        const known = this.entries.get(key(hash));
        if (counts === null || known === null || known === undefined) {
          this.entries.set(key(hash), counts === null ? null : new Map(counts));
          return;
        }
        for (const [term, n] of counts) known.set(term, n);
        this.entries.set(key(hash), known); // re-measured
      },
    };
  }
}
