/**
 * The embedding backlog: after commits, blobs that have no vector yet are
 * embedded in the background, a batch at a time, never on a request's path.
 * A provider that fails costs nothing but time: the batch stays pending and is
 * retried after a growing pause, and every failure is counted.
 */
import { tryDecodeUtf8 } from "../encoding.js";
import type { Embedder, EmbeddingStore, PendingEmbedding } from "./embedder.js";

export interface EmbeddingIndexerOptions {
  store: EmbeddingStore;
  embedder: Embedder;
  /** Blobs per provider call (default: the embedder's `batchSize`, else 32). */
  batch?: number;
  /** Idle poll, for commits made by other processes (default 30 s: on Postgres each look scans the blobs). */
  pollMs?: number;
  /** First pause after a failure, doubled up to 60 s (default 1 s). */
  retryMs?: number;
  onError?: (error: unknown) => void;
}

export interface EmbeddingIndexerStats {
  /** Blobs given a vector (or found not to be text). */
  embedded: number;
  /** Provider calls or stores that failed. */
  failures: number;
  /** The last failure's message, while the backlog has not recovered from it. */
  lastError: string | null;
}

/**
 * Blobs holding NUL, or not UTF-8, are not text and get no vector. The
 * beginning of a longer blob may end inside a character: up to 3 bytes are cut.
 */
function textOf({ bytes, truncated }: PendingEmbedding): string | undefined {
  if (bytes.includes(0)) return undefined;
  for (let cut = 0; cut <= (truncated ? 3 : 0) && cut < bytes.length; cut++) {
    const text = tryDecodeUtf8(bytes.subarray(0, bytes.length - cut));
    if (text !== undefined) return text;
  }
  return undefined;
}

export class EmbeddingIndexer {
  private readonly batch: number;
  private readonly pollMs: number;
  private readonly retryMs: number;
  private readonly stats_: EmbeddingIndexerStats = { embedded: 0, failures: 0, lastError: null };
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private woken = false;
  private idleWaiters: Array<() => void> = [];
  private backlogEmpty = false;
  /** After a failure, commits do not cut the pause short (closing does). */
  private backingOff = false;

  constructor(private readonly options: EmbeddingIndexerOptions) {
    this.batch = options.batch ?? options.embedder.batchSize ?? 32;
    this.pollMs = options.pollMs ?? 30_000;
    this.retryMs = options.retryMs ?? 1_000;
  }

  get model(): string {
    return this.options.embedder.model;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Something was committed: look for new blobs now. */
  wake(): void {
    this.backlogEmpty = false;
    this.woken = true;
    if (!this.backingOff) this.wakeUp?.();
  }

  /** Resolves when the backlog is empty (after a wake, once it was looked at). */
  idle(): Promise<void> {
    if (this.backlogEmpty && !this.woken) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stats(): EmbeddingIndexerStats {
    return { ...this.stats_ };
  }

  async close(): Promise<void> {
    this.running = false;
    this.wakeUp?.();
    await this.loop;
  }

  /** Embeds one batch; the number of blobs done (0: nothing pending). */
  async step(): Promise<number> {
    const { store, embedder } = this.options;
    // Storage that cannot hold vectors (Postgres without pgvector) has no backlog.
    if ((await store.unavailable()) !== undefined) return 0;
    const rows = await store.pending(embedder.model, this.batch);
    if (rows.length === 0) return 0;
    const texts = rows.map(textOf);
    const inputs = texts.filter((t): t is string => t !== undefined);
    const vectors = await embedder.embed(inputs);
    let k = 0;
    await store.put(
      embedder.model,
      rows.map((r, i) => ({
        tenantId: r.tenantId,
        hash: r.hash,
        vector: texts[i] === undefined ? null : vectors[k++]!,
      })),
    );
    this.stats_.embedded += rows.length;
    this.stats_.lastError = null;
    return rows.length;
  }

  private async run(): Promise<void> {
    let pause = this.retryMs;
    while (this.running) {
      this.woken = false;
      let done: number;
      try {
        done = await this.step();
        pause = this.retryMs;
      } catch (error) {
        this.stats_.failures++;
        this.stats_.lastError = error instanceof Error ? error.message : String(error);
        this.options.onError?.(error);
        this.backingOff = true;
        await this.sleep(pause);
        this.backingOff = false;
        pause = Math.min(pause * 2, 60_000);
        continue;
      }
      if (done > 0) continue;
      if (!this.woken) {
        this.backlogEmpty = true;
        for (const resolve of this.idleWaiters.splice(0)) resolve();
        await this.sleep(this.pollMs);
      }
    }
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /** Waits `ms`, or less when woken or closed. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref?.();
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = undefined;
        done();
      };
    });
  }
}
