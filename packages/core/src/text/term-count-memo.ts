/**
 * How often each search term occurs in a stored blob, remembered per content
 * hash: content never changes under a hash, so a word counted once for a blob
 * is never counted again, and ranked search reads only the blobs it has not
 * counted yet (and the few hits it shows).
 */

/** One tenant's counts: a term → occurrences map per hash, or null for content that is not text. */
export interface TermCountMemo {
  get(hash: string): ReadonlyMap<string, number> | null | undefined;
  /** Records counts for more terms (merged with those known), or that the content is not text. */
  add(hash: string, counts: ReadonlyMap<string, number> | null): void;
}

interface Entry {
  counts: Map<string, number> | null;
  bytes: number;
  /** The memo's clock when last used: the least recently used go first. */
  used: number;
}

/** Bytes an entry is taken to hold: its hash, the map, and each term with its count. */
function sizeOf(counts: Map<string, number> | null): number {
  let bytes = 200;
  if (counts) for (const term of counts.keys()) bytes += 40 + 2 * term.length;
  return bytes;
}

/**
 * The memo of every tenant in one process, bounded by a byte budget. A search
 * looks up every file in scope (10,000 and more), so a lookup only stamps the
 * entry with a clock; eviction, when the budget is passed, drops the least
 * recently stamped quarter at once.
 */
export class TermCountMemos {
  private readonly tenants = new Map<string, Map<string, Entry>>();
  private bytes = 0;
  private clock = 0;

  constructor(private readonly budgetBytes = 64 << 20) {}

  forTenant(tenantId: string): TermCountMemo {
    const entries = () => {
      let found = this.tenants.get(tenantId);
      if (!found) {
        found = new Map();
        this.tenants.set(tenantId, found);
      }
      return found;
    };
    return {
      get: (hash) => {
        const entry = this.tenants.get(tenantId)?.get(hash);
        if (!entry) return undefined;
        entry.used = ++this.clock;
        return entry.counts;
      },
      add: (hash, counts) => {
        const map = entries();
        const known = map.get(hash);
        let merged: Map<string, number> | null;
        if (counts === null || !known?.counts) merged = counts === null ? null : new Map(counts);
        else {
          merged = known.counts;
          for (const [term, n] of counts) merged.set(term, n);
        }
        const bytes = sizeOf(merged);
        this.bytes += bytes - (known?.bytes ?? 0);
        map.set(hash, { counts: merged, bytes, used: ++this.clock });
        if (this.bytes > this.budgetBytes) this.evict();
      },
    };
  }

  /** Drops the least recently used entries until three quarters of the budget is left. */
  private evict(): void {
    const all: Array<{ tenant: Map<string, Entry>; hash: string; entry: Entry }> = [];
    for (const tenant of this.tenants.values()) {
      for (const [hash, entry] of tenant) all.push({ tenant, hash, entry });
    }
    all.sort((a, b) => a.entry.used - b.entry.used);
    for (const { tenant, hash, entry } of all) {
      if (this.bytes <= (this.budgetBytes * 3) / 4) break;
      tenant.delete(hash);
      this.bytes -= entry.bytes;
    }
    for (const [id, tenant] of this.tenants) if (tenant.size === 0) this.tenants.delete(id);
  }
}
