/** The messages between the worker pool (main thread) and a script worker. */
import type { ChangeSet, GrepQuery, SandboxRecord } from "../backend.js";
import type { ScriptSemanticAnswer } from "../embed/script-semantic.js";
import type { ExecBatchOutcome, ExecJob, ExecOutcome } from "../exec/exec.js";
import type { OutputStream } from "../exec/output.js";
import type { Quota } from "../quota.js";
import type { PackedTree } from "../tree-wire.js";

/** Main thread → worker. */
export type ToWorker =
  | {
      type: "run";
      id: number;
      job: ExecJob;
      tenantId: string;
      /** Names the sandbox's tree in the worker's cache (`tenant/sandbox`). */
      treeKey: string;
      record: SandboxRecord;
      /** Sent when the worker is not known to hold the tree at `record.version`. */
      tree?: PackedTree;
      quota?: Quota;
      timeoutMs: number;
      /** Whether the main thread can ask storage's text index (see `candidates`). */
      textIndex: boolean;
      /** Whether the main thread can rank by meaning (see `similarities`). */
      semantic: boolean;
    }
  | { type: "tree"; id: number; tree: PackedTree }
  | { type: "blobs"; id: number; request: number; blobs?: Map<string, Uint8Array>; failed?: true }
  /** Answers `candidates` `request`: the hashes that may match, or none when it could not narrow. */
  | { type: "candidates"; id: number; request: number; hashes?: ReadonlySet<string> }
  /** Answers `similarities` `request` (absent: asking failed). */
  | { type: "similarities"; id: number; request: number; answer?: ScriptSemanticAnswer }
  | { type: "abort"; id: number }
  /** Job `id`'s changes were committed as `version`: the worker may keep the tree they make. */
  | { type: "committed"; id: number; version: number };

/** Worker → main thread. */
export type FromWorker =
  /** The worker has run its warm-up (see warm-up.ts), whether or not it succeeded. */
  | { type: "warm" }
  | { type: "need-tree"; id: number }
  | { type: "load"; id: number; request: number; hashes: string[] }
  /** Which of the stored `hashes` may match `query` (a grep in the script). */
  | { type: "candidates"; id: number; request: number; hashes: string[]; query: GrepQuery }
  /** How similar the stored `hashes` are to `query` (a `search --semantic|--hybrid` in the script). */
  | {
      type: "similarities";
      id: number;
      request: number;
      mode: "semantic" | "hybrid";
      query: string;
      hashes: string[];
    }
  | { type: "output"; id: number; stream: OutputStream; bytes: Uint8Array }
  | { type: "done"; id: number; result: ExecOutcome | ExecBatchOutcome; changes?: ChangeSet }
  | { type: "failed"; id: number; error: SerializedError };

/** An error thrown in a worker, as data (the main thread rebuilds the core's error classes). */
export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  syscall?: string;
  path?: string;
  sandboxId?: string;
}

/** What the worker is started with. */
export interface WorkerConfig {
  /** Budget for trees the worker keeps between jobs. */
  treeCacheBytes: number;
  /** Budget for file contents the worker keeps between jobs. */
  contentCacheBytes: number;
  /** Prepare the worker's warm python interpreter when it starts. */
  warmPython?: boolean;
  /** Added to the worker thread's niceness (Linux), so the HTTP thread comes first. */
  niceness?: number;
}
