/**
 * The script worker pool: scripts run in worker threads, never on the thread
 * that answers HTTP. Each worker has a V8 heap cap and runs a few jobs at once
 * (interleaved at their yields); jobs wait in a bounded queue that is fair
 * across tenants. A worker over its cap, or holding a job past its deadline,
 * is terminated and replaced; its other jobs run again (they had committed
 * nothing: commits happen here, after a job is done).
 */

import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { ScriptSemanticAnswer } from "../embed/script-semantic.js";
import { FsError, type FsErrorCode, VersionConflictError } from "../errors.js";
import {
  ExecAbortedError,
  type JobOutcome,
  type RunRequest,
  type ScriptRunner,
} from "../exec/exec.js";
import type { Snapshot } from "../sandbox-service.js";
import { FairQueue } from "./fair-queue.js";
import { PoolBusyError, PoolUnavailableError, ScriptMemoryError } from "./pool-errors.js";
import type { FromWorker, SerializedError, ToWorker, WorkerConfig } from "./protocol.js";

export interface WorkerPoolOptions {
  /** Worker threads (default: the number of cores). */
  workers?: number;
  /** V8 old-generation heap cap of each worker, in MiB (default 512). */
  heapMb?: number;
  /** Jobs one worker runs at once, interleaved (default 4). */
  jobsPerWorker?: number;
  /** Jobs that may wait for a worker; beyond, `run` fails with PoolBusyError (default 1024). */
  maxQueued?: number;
  /** How long a job may go on after its deadline or abort before its worker is terminated (default 1 s). */
  graceMs?: number;
  /** Budgets of each worker's tree and content caches (default 64 MiB and 32 MiB). */
  treeCacheBytes?: number;
  contentCacheBytes?: number;
  /** Each worker prepares its warm python interpreter at start, not at its first python3 run. */
  warmPython?: boolean;
  /**
   * How much lower the workers' CPU priority is than the HTTP thread's (Linux thread niceness,
   * default 10; 0 keeps them equal): with every core running scripts, reads, health checks and
   * hand-offs still get the CPU when they need it.
   */
  niceness?: number;
}

export interface WorkerPoolStats {
  workers: number;
  running: number;
  queued: number;
  /** Workers replaced so far (memory cap, deadline, crash). */
  replaced: number;
}

interface Task {
  id: number;
  request: RunRequest;
  tenant: string;
  resolve(outcome: JobOutcome): void;
  reject(error: unknown): void;
  /** Runs alone on its worker (a re-run after a worker beside others ran out of memory). */
  solo: boolean;
  /** Output already went to the caller: the job cannot run again. */
  spoke: boolean;
  slot?: Slot;
  /** The snapshot it runs on, once it started. */
  snapshot?: Snapshot;
  /** The error storage gave while loading content for this job. */
  storageFailure?: unknown;
  graceTimer?: NodeJS.Timeout;
  onAbort: () => void;
}

interface Slot {
  worker: Worker;
  tasks: Map<number, Task>;
  /** Tree versions this worker was sent, by tree key. */
  trees: Map<string, number>;
  /** Settles once the worker has run its warm-up, or has exited. */
  warm: Promise<void>;
  warmDone: () => void;
  /** Kept empty for a job that must run alone. */
  reserved?: boolean;
  /** Why it is being terminated, once it is. */
  ending?: "deadline" | "close";
  memoryError?: boolean;
}

const WORKER_URL = new URL("./script-worker.js", import.meta.url);

/**
 * @example
 * const pool = new WorkerPool({ workers: 2, heapMb: 256 });
 * await execScript(service, scope, id, { script: "sort big.txt", runner: pool });
 * await pool.close();
 */
export class WorkerPool implements ScriptRunner {
  readonly size: number;
  readonly heapMb: number;
  private readonly jobsPerWorker: number;
  private readonly maxQueued: number;
  private readonly graceMs: number;
  private readonly config: WorkerConfig;
  private readonly slots: Slot[] = [];
  private readonly queue = new FairQueue<Task>();
  private readonly perTenant = new Map<string, number>();
  private nextId = 1;
  private closed = false;
  private replaced = 0;

  constructor(options: WorkerPoolOptions = {}) {
    this.size = Math.max(1, options.workers ?? availableParallelism());
    this.heapMb = options.heapMb ?? 512;
    this.jobsPerWorker = Math.max(1, options.jobsPerWorker ?? 4);
    this.maxQueued = options.maxQueued ?? 1024;
    this.graceMs = options.graceMs ?? 1000;
    this.config = {
      treeCacheBytes: options.treeCacheBytes ?? 64 << 20,
      contentCacheBytes: options.contentCacheBytes ?? 32 << 20,
      warmPython: options.warmPython === true,
      niceness: options.niceness ?? 10,
    };
    for (let i = 0; i < this.size; i++) this.slots.push(this.spawn());
  }

  /**
   * Resolves once every worker has run its warm-up (a fresh worker's first scripts run
   * uncompiled code, several times slower): a server can wait for it before taking traffic.
   */
  warmed(): Promise<void> {
    return Promise.all(this.slots.map((slot) => slot.warm)).then(() => {});
  }

  get stats(): WorkerPoolStats {
    let running = 0;
    for (const slot of this.slots) running += slot.tasks.size;
    return {
      workers: this.slots.length,
      running,
      queued: this.queue.size,
      replaced: this.replaced,
    };
  }

  run(request: RunRequest): Promise<JobOutcome> {
    if (this.closed) return Promise.reject(new PoolUnavailableError("the server is shutting down"));
    if (request.signal.aborted) return Promise.reject(new ExecAbortedError());
    if (this.queue.size >= this.maxQueued)
      return Promise.reject(new PoolBusyError(this.queue.size));
    return new Promise<JobOutcome>((resolve, reject) => {
      const task: Task = {
        id: this.nextId++,
        request,
        tenant: request.scope.tenantId,
        resolve,
        reject,
        solo: false,
        spoke: false,
        onAbort: () => this.abort(task),
      };
      request.signal.addEventListener("abort", task.onAbort, { once: true });
      this.queue.push(task.tenant, task);
      this.pump();
    });
  }

  /** Fails what waits, terminates the workers; running jobs end with PoolUnavailableError. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const task of this.queue.drain()) {
      this.settle(task, () => task.reject(new PoolUnavailableError("the server is shutting down")));
    }
    await Promise.all(
      this.slots.map((slot) => {
        slot.ending = "close";
        return slot.worker.terminate();
      }),
    );
  }

  // ---- dispatch -----------------------------------------------------------

  /** Jobs one tenant may run at once: all but one per worker, which stay free for others. */
  private get tenantCap(): number {
    const total = this.size * this.jobsPerWorker;
    return total > this.size ? total - this.size : total;
  }

  private pump(): void {
    while (this.queue.size > 0 && !this.closed) {
      const task = this.queue.take((tenant, head) => {
        if ((this.perTenant.get(tenant) ?? 0) >= this.tenantCap) return false;
        if (this.freeSlot(head)) return true;
        // A job that must run alone gets the next worker to empty, instead of waiting forever.
        if (head.solo) this.reserveWorker();
        return false;
      });
      if (!task) return;
      this.start(task, this.freeSlot(task)!);
    }
  }

  /** Takes no new jobs on the least busy worker until it is empty, for a job that runs alone. */
  private reserveWorker(): void {
    if (this.slots.some((slot) => slot.reserved && !slot.ending)) return;
    let best: Slot | undefined;
    for (const slot of this.slots) {
      if (!slot.ending && (!best || slot.tasks.size < best.tasks.size)) best = slot;
    }
    if (best) best.reserved = true;
  }

  /** The least busy worker that can take `task`. */
  private freeSlot(task: Task): Slot | undefined {
    let best: Slot | undefined;
    for (const slot of this.slots) {
      if (slot.ending || (slot.reserved && !task.solo)) continue;
      const busy = slot.tasks.size;
      if (busy >= this.jobsPerWorker || (task.solo && busy > 0)) continue;
      if ([...slot.tasks.values()].some((t) => t.solo)) continue;
      if (!best || busy < best.tasks.size) best = slot;
    }
    return best;
  }

  /** Takes the job's place on `slot`, then its snapshot (fresh, now that it runs), then sends it. */
  private start(task: Task, slot: Slot): void {
    task.slot = slot;
    slot.reserved = false;
    slot.tasks.set(task.id, task);
    this.perTenant.set(task.tenant, (this.perTenant.get(task.tenant) ?? 0) + 1);
    task.request.snapshot().then(
      (snapshot) => {
        if (task.slot !== slot || slot.ending) return; // aborted, or its worker is gone
        task.snapshot = snapshot;
        this.send(task, slot, snapshot);
      },
      (error: unknown) => {
        if (task.slot === slot) this.settle(task, () => task.reject(error));
      },
    );
  }

  private send(task: Task, slot: Slot, snapshot: Snapshot): void {
    const { request } = task;
    const { record, tree } = snapshot;
    const treeKey = `${task.tenant}/${request.sandboxId}`;
    const known = slot.trees.get(treeKey) === tree.version;
    if (!known) {
      if (slot.trees.size > 10_000) slot.trees.clear();
      slot.trees.set(treeKey, tree.version);
    }
    this.post(slot, {
      type: "run",
      id: task.id,
      job: request.job,
      tenantId: task.tenant,
      treeKey,
      record,
      tree: known ? undefined : tree.pack(),
      quota: request.scope.quota,
      timeoutMs: request.timeoutMs,
      textIndex: request.candidates !== undefined,
      semantic: request.semantic !== undefined,
    });
  }

  private post(slot: Slot, message: ToWorker): void {
    slot.worker.postMessage(message);
  }

  // ---- a job's end ----------------------------------------------------------

  /** Runs `end` once for a task that leaves the pool, and frees its place. */
  private settle(task: Task, end: () => void): void {
    task.request.signal.removeEventListener("abort", task.onAbort);
    clearTimeout(task.graceTimer);
    const slot = task.slot;
    if (slot?.tasks.delete(task.id)) {
      const left = (this.perTenant.get(task.tenant) ?? 1) - 1;
      if (left > 0) this.perTenant.set(task.tenant, left);
      else this.perTenant.delete(task.tenant);
    }
    task.slot = undefined;
    end();
    this.pump();
  }

  /** The caller gave up (deadline or disconnect): drop it if queued, else stop it. */
  private abort(task: Task): void {
    if (this.queue.remove(task.tenant, task)) {
      this.settle(task, () => task.reject(new ExecAbortedError()));
      return;
    }
    const slot = task.slot;
    if (!slot) return;
    if (!task.snapshot) {
      // Still taking its snapshot: the worker never heard of it.
      this.settle(task, () => task.reject(new ExecAbortedError()));
      return;
    }
    this.post(slot, { type: "abort", id: task.id });
    // A job that ignores the abort (one long command) costs its worker, not the caller's time.
    task.graceTimer = setTimeout(() => {
      if (task.slot !== slot || slot.ending) return;
      slot.ending = "deadline";
      this.settle(task, () => task.reject(new ExecAbortedError()));
      void slot.worker.terminate();
    }, this.graceMs);
  }

  private onMessage(slot: Slot, message: FromWorker): void {
    if (message.type === "warm") {
      slot.warmDone();
      return;
    }
    const task = slot.tasks.get(message.id);
    if (!task) return;
    switch (message.type) {
      case "need-tree":
        this.post(slot, { type: "tree", id: task.id, tree: task.snapshot!.tree.pack() });
        return;
      case "load":
        task.request.load(message.hashes).then(
          (blobs) =>
            this.post(slot, { type: "blobs", id: task.id, request: message.request, blobs }),
          (error: unknown) => {
            task.storageFailure ??= error;
            this.post(slot, { type: "blobs", id: task.id, request: message.request, failed: true });
          },
        );
        return;
      case "candidates": {
        const answer = (hashes?: ReadonlySet<string>) =>
          this.post(slot, { type: "candidates", id: task.id, request: message.request, hashes });
        const asked = task.request.candidates?.(message.hashes, message.query);
        // Unanswered or failed, the grep reads every file: the index only ever saves work.
        if (!asked) answer();
        else asked.then(answer, () => answer());
        return;
      }
      case "similarities": {
        const { request: asked, mode, query, hashes } = message;
        const answer = (reply?: ScriptSemanticAnswer) =>
          this.post(slot, { type: "similarities", id: task.id, request: asked, answer: reply });
        const ranked = task.request.semantic?.(mode, query, hashes);
        // Unanswered or failed, the worker's search fails as a storage error would.
        if (!ranked) answer();
        else ranked.then(answer, () => answer());
        return;
      }
      case "output":
        task.spoke = true;
        task.request.onOutput?.(message.stream, message.bytes);
        return;
      case "done": {
        const treeKey = `${task.tenant}/${task.request.sandboxId}`;
        const committed = (version: number) => {
          if (slot.ending || !this.slots.includes(slot)) return;
          slot.trees.set(treeKey, version);
          this.post(slot, { type: "committed", id: task.id, version });
        };
        const { result, changes } = message;
        const snapshot = task.snapshot!;
        this.settle(task, () => task.resolve({ result, changes, committed, snapshot }));
        return;
      }
      case "failed":
        this.settle(task, () => task.reject(task.storageFailure ?? revive(message.error)));
        return;
    }
  }

  // ---- workers ------------------------------------------------------------

  private spawn(): Slot {
    const worker = new Worker(WORKER_URL, {
      workerData: this.config,
      resourceLimits: { maxOldGenerationSizeMb: this.heapMb },
    });
    worker.unref();
    let warmDone = () => {};
    const warm = new Promise<void>((resolve) => {
      warmDone = resolve;
    });
    const slot: Slot = { worker, tasks: new Map(), trees: new Map(), warm, warmDone };
    worker.on("message", (message: FromWorker) => this.onMessage(slot, message));
    worker.on("error", (error: Error & { code?: string }) => {
      if (error.code === "ERR_WORKER_OUT_OF_MEMORY") slot.memoryError = true;
      else console.error("[cairn] script worker failed", error);
    });
    worker.on("exit", () => this.onExit(slot));
    return slot;
  }

  /** A worker ended: replace it, and re-run or fail the jobs it held. */
  private onExit(slot: Slot): void {
    slot.warmDone();
    const at = this.slots.indexOf(slot);
    if (at >= 0 && !this.closed) {
      this.slots[at] = this.spawn();
      this.replaced++;
    } else if (at >= 0) this.slots.splice(at, 1);
    const tasks = [...slot.tasks.values()];
    const alone = tasks.length === 1;
    for (const task of tasks) {
      if (this.closed) {
        this.settle(task, () =>
          task.reject(new PoolUnavailableError("the server shut down before the script ended")),
        );
      } else if (slot.memoryError && (alone || task.solo || task.spoke)) {
        const detail =
          alone || task.solo
            ? undefined
            : "this script or one beside it went over the memory limit";
        this.settle(task, () => task.reject(new ScriptMemoryError(this.heapMb, detail)));
      } else if (task.spoke) {
        this.settle(task, () =>
          task.reject(
            new PoolUnavailableError("the script's worker was lost; nothing was committed"),
          ),
        );
      } else {
        // It committed nothing and said nothing: run it again, alone if memory was the cause.
        this.settle(task, () => {
          if (task.request.signal.aborted) return task.reject(new ExecAbortedError());
          task.solo = task.solo || slot.memoryError === true;
          task.snapshot = undefined;
          task.request.signal.addEventListener("abort", task.onAbort, { once: true });
          this.queue.push(task.tenant, task, true);
        });
      }
    }
    this.pump();
  }
}

/** An error from a worker as the core's own class, so it maps to the same problem. */
function revive(error: SerializedError): Error {
  let revived: Error;
  if (error.name === "FsError" && error.code) {
    revived = new FsError(error.code as FsErrorCode, error.syscall ?? "", error.path ?? "/");
    revived.message = error.message;
  } else if (error.name === "VersionConflictError") {
    revived = new VersionConflictError(error.sandboxId ?? "", -1);
  } else if (error.name === "ExecAbortedError") {
    revived = new ExecAbortedError();
  } else {
    revived = new Error(error.message);
    revived.name = error.name;
  }
  return revived;
}
