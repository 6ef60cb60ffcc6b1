/** The per-process cache of semantic search's vectors, within a byte budget. */

/** What a cached entry costs besides its numbers: the key and the maps' bookkeeping. */
const ENTRY_OVERHEAD_BYTES = 200;

const bytesOf = (v: Float32Array | null) => (v ? v.byteLength : 0) + ENTRY_OVERHEAD_BYTES;

/**
 * Vectors by (tenant, model) group and hash, within a byte budget. A search looks up every
 * content in its scope (10,000 for a large sandbox), so a lookup is two map reads and never
 * reorders anything: a group's recency is refreshed once per search, and when the budget is
 * exceeded the least recently searched group loses its oldest vectors first.
 */
export class VectorCache {
  private readonly groups = new Map<string, Map<string, Float32Array | null>>();
  private used = 0;

  constructor(private readonly budgetBytes: number) {}

  /** The group's vectors (undefined: not cached), marked as the most recently used. */
  group(key: string): ReadonlyMap<string, Float32Array | null> | undefined {
    const group = this.groups.get(key);
    if (group) {
      this.groups.delete(key);
      this.groups.set(key, group);
    }
    return group;
  }

  set(key: string, hash: string, vector: Float32Array | null): void {
    let group = this.groups.get(key);
    if (!group) {
      group = new Map();
      this.groups.set(key, group);
    }
    if (group.has(hash)) return;
    group.set(hash, vector);
    this.used += bytesOf(vector);
    for (const [oldestKey, oldest] of this.groups) {
      if (this.used <= this.budgetBytes) break;
      for (const [h, v] of oldest) {
        if (this.used <= this.budgetBytes) break;
        oldest.delete(h);
        this.used -= bytesOf(v);
      }
      if (oldest.size === 0) this.groups.delete(oldestKey);
    }
  }

  /** Bytes held now (an estimate: the numbers plus a fixed overhead per entry). */
  get bytes(): number {
    return this.used;
  }
}
