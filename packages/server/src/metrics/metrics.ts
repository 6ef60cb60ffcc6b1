/**
 * Prometheus metrics (prom-client): one registry per server, with the series Cairn records and a
 * seam (`registry`, `addCollector`) for other parts, e.g. a worker pool's queue and worker gauges.
 */
import type {
  Backend,
  CacheStats,
  CommitEvent,
  SandboxService,
  ServiceCacheStats,
} from "@cairn/core";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** How an exec ended, as counted: its commit status, or why it failed. */
export type ExecOutcome =
  | "committed"
  | "unchanged"
  | "discarded"
  | "conflict"
  | "timeout"
  | "limits"
  | "aborted"
  | "error";

/** Why a request was turned away before its handler ran. */
export type Rejection = "rate_limited" | "auth_failures" | "key_in_flight" | "scripts";

export interface MetricsOptions {
  /** Register into this registry instead of a new one. */
  registry?: Registry;
  /** Node process metrics (CPU, memory, event loop lag, GC); default true. */
  processMetrics?: boolean;
  /** Labels of `cairn_build_info`. */
  build?: { version: string };
}

const SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * @example
 * const metrics = createMetrics();
 * const app = createApp({ backend, apiKey, metrics });
 * new Gauge({ name: "cairn_workers_busy", help: "...", registers: [metrics.registry] });
 * const text = await metrics.registry.metrics();
 */
export class CairnMetrics {
  readonly registry: Registry;
  readonly requests: Counter<"operation" | "status">;
  readonly requestSeconds: Histogram<"operation" | "status">;
  readonly execs: Counter<"outcome">;
  readonly execSeconds: Histogram<"outcome">;
  readonly commits: Counter<"result">;
  readonly commitRetries: Counter;
  readonly rejections: Counter<"reason">;
  readonly sseStreams: Gauge;
  readonly draining: Gauge;
  private readonly collectors: Array<() => void> = [];
  private readonly services: SandboxService[] = [];
  private readonly backends: Backend[] = [];

  constructor(options: MetricsOptions = {}) {
    this.registry = options.registry ?? new Registry();
    const registers = [this.registry];
    if (options.processMetrics !== false)
      collectDefaultMetrics({ register: this.registry, prefix: "cairn_" });
    new Gauge({
      name: "cairn_build_info",
      help: "The server's version and Node.js version; always 1.",
      labelNames: ["version", "node"],
      registers,
    }).set({ version: options.build?.version ?? "unknown", node: process.versions.node }, 1);
    this.requests = new Counter({
      name: "cairn_http_requests_total",
      help: "HTTP requests by the spec's operationId (other for paths outside the spec) and status.",
      labelNames: ["operation", "status"],
      registers,
    });
    this.requestSeconds = new Histogram({
      name: "cairn_http_request_duration_seconds",
      help: "Time to the response's headers (a stream's body may go on), by operation and status.",
      labelNames: ["operation", "status"],
      buckets: SECONDS,
      registers,
    });
    this.execs = new Counter({
      name: "cairn_exec_total",
      help: "Execs (a script or a batch) by outcome: committed, unchanged, discarded, conflict, timeout, limits, aborted, error.",
      labelNames: ["outcome"],
      registers,
    });
    this.execSeconds = new Histogram({
      name: "cairn_exec_duration_seconds",
      help: "Exec time from the request to its result (scripts and commit), by outcome.",
      labelNames: ["outcome"],
      buckets: SECONDS,
      registers,
    });
    this.commits = new Counter({
      name: "cairn_commit_attempts_total",
      help: "Compare-and-set commits by result: committed, conflict (lost a race), exhausted (conflicts given to the client).",
      labelNames: ["result"],
      registers,
    });
    this.commitRetries = new Counter({
      name: "cairn_commit_retries_total",
      help: "Work run again after its commit lost a race with another writer.",
      registers,
    });
    this.rejections = new Counter({
      name: "cairn_rejections_total",
      help: "Requests turned away by a limit: rate_limited (per key), auth_failures (per address), key_in_flight, scripts (server-wide exec gate).",
      labelNames: ["reason"],
      registers,
    });
    this.sseStreams = new Gauge({
      name: "cairn_sse_streams_open",
      help: "Server-sent event streams (streamed execs) open now.",
      registers,
    });
    this.draining = new Gauge({
      name: "cairn_draining",
      help: "1 while the server is draining (not ready, finishing its requests), else 0.",
      registers,
    });
    const metrics = this;
    new Gauge({
      name: "cairn_scrape_collectors",
      help: "Collectors run for this scrape (service caches, database pool, others added later).",
      registers,
      collect() {
        for (const collect of metrics.collectors) collect();
        this.set(metrics.collectors.length);
      },
    });
  }

  /**
   * Runs `collect` before every scrape: the place to set gauges from state (queue length,
   * busy workers). Collectors run in the order they were added.
   */
  addCollector(collect: () => void): void {
    this.collectors.push(collect);
  }

  execFinished(outcome: ExecOutcome, seconds: number): void {
    this.execs.inc({ outcome });
    this.execSeconds.observe({ outcome }, seconds);
  }

  /**
   * Commit attempts and retries, and the caches' bytes and hit ratios, of `service`. Several
   * services (several apps on one registry) are summed; one service is counted once.
   */
  observeService(service: SandboxService): void {
    if (this.services.includes(service)) return;
    this.services.push(service);
    service.onCommit((event: CommitEvent) => {
      if (event === "retry") this.commitRetries.inc();
      else this.commits.inc({ result: event });
    });
    if (this.services.length > 1) return;
    const registers = [this.registry];
    const labelNames = ["cache"] as const;
    const bytes = new Gauge({
      name: "cairn_cache_bytes",
      help: "Bytes held by a per-process cache (trees, contents).",
      labelNames,
      registers,
    });
    const budget = new Gauge({
      name: "cairn_cache_budget_bytes",
      help: "A cache's byte budget (--cache-mb, split between trees and contents).",
      labelNames,
      registers,
    });
    const entries = new Gauge({
      name: "cairn_cache_entries",
      help: "Entries held by a cache.",
      labelNames,
      registers,
    });
    const lookups = new Gauge({
      name: "cairn_cache_lookups",
      help: "Cache lookups since start by result (hit, miss); a tree hit is a cached tree storage confirmed current.",
      labelNames: ["cache", "result"],
      registers,
    });
    const ratio = new Gauge({
      name: "cairn_cache_hit_ratio",
      help: "Hits over lookups since start (0 before any lookup).",
      labelNames,
      registers,
    });
    this.addCollector(() => {
      const total = sumStats(this.services.map((s) => s.cacheStats()));
      for (const [cache, s] of Object.entries(total)) {
        bytes.set({ cache }, s.bytes);
        budget.set({ cache }, s.budgetBytes);
        entries.set({ cache }, s.entries);
        lookups.set({ cache, result: "hit" }, s.hits);
        lookups.set({ cache, result: "miss" }, s.misses);
        const looked = s.hits + s.misses;
        ratio.set({ cache }, looked === 0 ? 0 : s.hits / looked);
      }
    });
  }

  /** The database pool, when the backend reports it (several backends are summed). */
  observeBackend(backend: Backend): void {
    if (!backend.poolStats || this.backends.includes(backend)) return;
    this.backends.push(backend);
    if (this.backends.length > 1) return;
    const gauge = (name: string, help: string) =>
      new Gauge({ name, help, registers: [this.registry] });
    const max = gauge("cairn_db_pool_max", "Connections the pool may open.");
    const inUse = gauge("cairn_db_pool_in_use", "Connections held by a Cairn transaction now.");
    const waiting = gauge(
      "cairn_db_pool_waiting",
      "Cairn transactions waiting for a free connection now.",
    );
    this.addCollector(() => {
      const stats = this.backends.map((b) => b.poolStats?.() ?? { max: 0, inUse: 0, waiting: 0 });
      max.set(stats.reduce((sum, s) => sum + s.max, 0));
      inUse.set(stats.reduce((sum, s) => sum + s.inUse, 0));
      waiting.set(stats.reduce((sum, s) => sum + s.waiting, 0));
    });
  }
}

function sumStats(all: ServiceCacheStats[]): ServiceCacheStats {
  const zero = { bytes: 0, budgetBytes: 0, entries: 0, hits: 0, misses: 0 };
  const add = (a: CacheStats, b: CacheStats): CacheStats => ({
    bytes: a.bytes + b.bytes,
    budgetBytes: a.budgetBytes + b.budgetBytes,
    entries: a.entries + b.entries,
    hits: a.hits + b.hits,
    misses: a.misses + b.misses,
  });
  return all.reduce(
    (sum, s) => ({ trees: add(sum.trees, s.trees), contents: add(sum.contents, s.contents) }),
    { trees: zero, contents: zero },
  );
}

export function createMetrics(options?: MetricsOptions): CairnMetrics {
  return new CairnMetrics(options);
}
