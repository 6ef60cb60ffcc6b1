/** A least-recently-used map bounded by a byte budget (per-process caches). */

export interface CacheStats {
  bytes: number;
  budgetBytes: number;
  entries: number;
  hits: number;
  misses: number;
}

export class ByteBudgetLru<K, V> {
  private readonly entries = new Map<K, { value: V; bytes: number }>();
  private used = 0;
  private hits = 0;
  private misses = 0;

  constructor(
    private readonly budgetBytes: number,
    private readonly sizeOf: (value: V) => number,
  ) {}

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Bytes and entries held now; hits and misses of `get` since the cache was made. */
  stats(): CacheStats {
    return {
      bytes: this.used,
      budgetBytes: this.budgetBytes,
      entries: this.entries.size,
      hits: this.hits,
      misses: this.misses,
    };
  }

  /** Whether `key` is cached, without refreshing its recency. */
  peek(key: K): boolean {
    return this.entries.has(key);
  }

  set(key: K, value: V): void {
    this.delete(key);
    const bytes = this.sizeOf(value);
    if (bytes > this.budgetBytes) return;
    this.entries.set(key, { value, bytes });
    this.used += bytes;
    for (const [oldest, entry] of this.entries) {
      if (this.used <= this.budgetBytes) break;
      this.entries.delete(oldest);
      this.used -= entry.bytes;
    }
  }

  delete(key: K): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.used -= entry.bytes;
  }
}
