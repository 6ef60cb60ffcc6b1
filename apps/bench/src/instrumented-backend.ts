/** A Backend wrapper that counts calls and the time spent in each method (for "where the time went"). */
import type { Backend } from "@cairn/core";

export interface MethodStats {
  calls: number;
  ms: number;
  /** Hashes asked about (readBlobs, grepCandidates) or inodes in the change set (commit, createSandbox). */
  items: number;
}

export type BackendStats = Record<string, MethodStats>;

export class InstrumentedBackend {
  readonly backend: Backend;
  private stats: BackendStats = {};

  constructor(inner: Backend) {
    const record = (method: string, ms: number, items: number) => {
      let s = this.stats[method];
      if (!s) {
        s = { calls: 0, ms: 0, items: 0 };
        this.stats[method] = s;
      }
      s.calls++;
      s.ms += ms;
      s.items += items;
    };
    const timed =
      <A extends unknown[], R>(
        method: string,
        fn: (...args: A) => Promise<R>,
        items: (...args: A) => number,
      ) =>
      async (...args: A): Promise<R> => {
        const started = performance.now();
        try {
          return await fn(...args);
        } finally {
          record(method, performance.now() - started, items(...args));
        }
      };
    const none = (..._args: unknown[]) => 0;
    this.backend = {
      createSandbox: timed(
        "createSandbox",
        inner.createSandbox.bind(inner),
        (_s, c) => c.upsertInodes.length,
      ),
      getSandbox: timed("getSandbox", inner.getSandbox.bind(inner), none),
      listSandboxes: timed("listSandboxes", inner.listSandboxes.bind(inner), none),
      deleteSandbox: timed("deleteSandbox", inner.deleteSandbox.bind(inner), none),
      loadTree: timed("loadTree", inner.loadTree.bind(inner), none),
      readBlobs: timed("readBlobs", inner.readBlobs.bind(inner), (_t, hashes) => hashes.length),
      commit: timed("commit", inner.commit.bind(inner), (_t, _id, c) => c.upsertInodes.length),
      // Passed through only when the inner backend has an index, as the server checks for it.
      ...(inner.grepCandidates && {
        grepCandidates: timed(
          "grepCandidates",
          inner.grepCandidates.bind(inner),
          (_t, hashes) => hashes.length,
        ),
      }),
      createSnapshot: timed("createSnapshot", inner.createSnapshot.bind(inner), none),
      listSnapshots: inner.listSnapshots.bind(inner),
      getSnapshot: inner.getSnapshot.bind(inner),
      deleteSnapshot: inner.deleteSnapshot.bind(inner),
      loadSnapshotTree: timed("loadSnapshotTree", inner.loadSnapshotTree.bind(inner), none),
      forkSandbox: timed("forkSandbox", inner.forkSandbox.bind(inner), none),
      listCommits: inner.listCommits.bind(inner),
      getCommit: inner.getCommit.bind(inner),
      claimIdempotencyKey: inner.claimIdempotencyKey.bind(inner),
      completeIdempotencyKey: inner.completeIdempotencyKey.bind(inner),
      releaseIdempotencyKey: inner.releaseIdempotencyKey.bind(inner),
      close: () => inner.close?.() ?? Promise.resolve(),
    };
  }

  /** Starts a fresh count. */
  reset(): void {
    this.stats = {};
  }

  snapshot(): BackendStats {
    return structuredClone(this.stats);
  }

  /** Runs `fn` and returns what the backend did meanwhile. */
  async measure<T>(fn: () => Promise<T>): Promise<{ value: T; stats: BackendStats }> {
    this.reset();
    const value = await fn();
    return { value, stats: this.snapshot() };
  }
}

/** `readBlobs 10000× (812 ms, 10000 hashes), loadTree 1× (0.4 ms)` */
export function describeStats(stats: BackendStats): string {
  const parts = Object.entries(stats).map(([method, s]) => {
    const unit = method === "readBlobs" || method === "grepCandidates" ? "hashes" : "inodes";
    const items = s.items > 0 ? `, ${s.items} ${unit}` : "";
    return `${method} ${s.calls}× (${s.ms.toFixed(1)} ms${items})`;
  });
  return parts.length > 0 ? parts.join(", ") : "no backend calls";
}
