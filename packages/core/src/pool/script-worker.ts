/**
 * A script worker thread's entry: runs jobs the pool sends (several at once,
 * interleaved at their yields), on trees and content it gets from the main
 * thread, and sends back results and change sets; it never touches storage.
 */
import { readlinkSync } from "node:fs";
import { getPriority, setPriority } from "node:os";
import { parentPort, workerData } from "node:worker_threads";
import { DefenseInDepthBox } from "just-bash";
import type { ChangeSet } from "../backend.js";
import type { ScriptSemantic, ScriptSemanticAnswer } from "../embed/script-semantic.js";
import { FsError, VersionConflictError } from "../errors.js";
import { type ExecJob, runJob, startDeadline } from "../exec/exec.js";
import { Journal } from "../journal.js";
import { ByteBudgetLru } from "../lru.js";
import type { StoredTextCandidates } from "../narrowing.js";
import { denyMatcher, normalizePolicy } from "../policy.js";
import { withPrefetch } from "../prefetch.js";
import { warmPython } from "../python/python-engine.js";
import { Tree } from "../tree.js";
import { type PackedTree, unpackTree } from "../tree-wire.js";
import { type ContentLoader, Vfs } from "../vfs.js";
import type { FromWorker, SerializedError, ToWorker, WorkerConfig } from "./protocol.js";
import { warmUpWorker } from "./warm-up.js";

const port = parentPort;
if (!port) throw new Error("script-worker runs as a worker thread");
const config = workerData as WorkerConfig;
lowerPriority(config.niceness ?? 0);
/**
 * just-bash patches the realm's globals when a run starts and restores them
 * when the last run ends: ~0.4 ms per script, twice. This thread only runs
 * scripts, so it holds one activation for its life and each run finds the
 * patches in place. They block only inside a script's own async context.
 */
DefenseInDepthBox.getInstance(true).activate();
const trees = new ByteBudgetLru<string, Tree>(config.treeCacheBytes, (t) => t.approxBytes());
const contents = new ByteBudgetLru<string, Uint8Array>(
  config.contentCacheBytes,
  (b) => b.length + 64,
);

interface Running {
  abort: AbortController;
  treeWaiter?: (tree: PackedTree) => void;
  loads: Map<number, { resolve(blobs: Map<string, Uint8Array>): void; reject(e: Error): void }>;
  /** Text index questions sent to the main thread, by request number. */
  asks: Map<number, (hashes: ReadonlySet<string> | undefined) => void>;
  /** Semantic ranking questions sent to the main thread, by request number. */
  ranks: Map<number, (answer: ScriptSemanticAnswer | undefined) => void>;
}
const running = new Map<number, Running>();
/** Change sets sent back, until the main thread says whether they were committed (a few at most). */
const sent = new Map<number, { key: string; base: Tree; changes: ChangeSet }>();
let nextRequest = 0;

const send = (message: FromWorker) => port.postMessage(message);
warmUpWorker()
  .catch((error: unknown) => console.error("[cairn] worker warm-up failed", error))
  .finally(() => send({ type: "warm" }));
if (config.warmPython) {
  warmPython().catch((error: unknown) => console.error("[cairn] python warm-up failed", error));
}

port.on("message", (message: ToWorker) => {
  const job = running.get(message.id);
  switch (message.type) {
    case "run":
      void run(message);
      return;
    case "tree":
      job?.treeWaiter?.(message.tree);
      return;
    case "blobs": {
      const load = job?.loads.get(message.request);
      job?.loads.delete(message.request);
      if (message.blobs) load?.resolve(message.blobs);
      else load?.reject(new Error("storage failed"));
      return;
    }
    case "candidates": {
      const answer = job?.asks.get(message.request);
      job?.asks.delete(message.request);
      answer?.(message.hashes);
      return;
    }
    case "similarities": {
      const answer = job?.ranks.get(message.request);
      job?.ranks.delete(message.request);
      answer?.(message.answer);
      return;
    }
    case "abort":
      job?.abort.abort();
      return;
    case "committed": {
      const done = sent.get(message.id);
      sent.delete(message.id);
      // The next script on this sandbox starts from here instead of a whole new tree.
      if (done) trees.set(done.key, done.base.apply(done.changes, message.version));
      return;
    }
  }
});

async function run(message: Extract<ToWorker, { type: "run" }>): Promise<void> {
  const { id, job, tenantId, treeKey, record } = message;
  const state: Running = {
    abort: new AbortController(),
    loads: new Map(),
    asks: new Map(),
    ranks: new Map(),
  };
  running.set(id, state);
  const deadline = startDeadline({ timeoutMs: message.timeoutMs, signal: state.abort.signal });
  try {
    const tree = await treeFor(id, state, treeKey, record.version, message.tree);
    const load = loader(id, state, tenantId);
    const candidates = message.textIndex ? textIndex(id, state) : undefined;
    const semantic = message.semantic ? semanticRanking(id, state) : undefined;
    const policy = normalizePolicy(record.options.policy);
    const open = () =>
      new Vfs(new Journal(tree), load, {
        readOnly: policy.readOnly,
        deny: denyMatcher(policy),
        candidates,
        semantic,
      });
    const streamed = job.kind === "script" && job.streamed;
    const { result, pending } = await runJob(
      job as ExecJob,
      { record, tree },
      open,
      message.quota,
      deadline,
      streamed ? (stream, bytes) => send({ type: "output", id, stream, bytes }) : undefined,
    );
    deadline.check();
    if (pending && "vfs" in pending) {
      const changes = { ...pending.vfs.journal.toChangeSet(), sandbox: pending.update };
      if (sent.size >= 64) sent.delete(sent.keys().next().value as number);
      sent.set(id, { key: treeKey, base: tree, changes });
      send({ type: "done", id, result, changes });
    } else send({ type: "done", id, result });
  } catch (error) {
    send({ type: "failed", id, error: serialize(error) });
  } finally {
    deadline.dispose();
    running.delete(id);
  }
}

/** The tree at `version`: as sent, from this worker's cache, or asked of the main thread. */
async function treeFor(
  id: number,
  state: Running,
  key: string,
  version: number,
  sent: PackedTree | undefined,
): Promise<Tree> {
  const cached = trees.get(key);
  if (!sent && cached?.version === version) return cached;
  const data =
    sent ??
    (await new Promise<PackedTree>((resolve) => {
      state.treeWaiter = resolve;
      send({ type: "need-tree", id });
    }));
  const tree = Tree.fromData(unpackTree(data));
  trees.set(key, tree);
  return tree;
}

/** Content from this worker's cache, else one request to the main thread with bounded siblings. */
function loader(id: number, state: Running, tenantId: string): ContentLoader {
  const keyOf = (hash: string) => `${tenantId}/${hash}`;
  return async (hashes, prefetch) => {
    const found = new Map<string, Uint8Array>();
    const missing: string[] = [];
    for (const hash of hashes) {
      const bytes = contents.get(keyOf(hash));
      if (bytes) found.set(hash, bytes);
      else missing.push(hash);
    }
    if (missing.length === 0) return found;
    const wanted = withPrefetch(missing, prefetch?.() ?? [], (h) => contents.peek(keyOf(h)));
    const request = nextRequest++;
    const loaded = await new Promise<Map<string, Uint8Array>>((resolve, reject) => {
      state.loads.set(request, { resolve, reject });
      send({ type: "load", id, request, hashes: wanted });
    });
    for (const [hash, bytes] of loaded) contents.set(keyOf(hash), bytes);
    for (const hash of missing) {
      const bytes = loaded.get(hash);
      if (bytes) found.set(hash, bytes);
    }
    return found;
  };
}

/** The main thread's text index, one request per grep. */
function textIndex(id: number, state: Running): StoredTextCandidates {
  return (hashes, query) =>
    new Promise((resolve) => {
      const request = nextRequest++;
      state.asks.set(request, resolve);
      send({ type: "candidates", id, request, hashes: [...hashes], query });
    });
}

/** The main thread's semantic ranking, one request per `search --semantic|--hybrid`. */
function semanticRanking(id: number, state: Running): ScriptSemantic {
  return (mode, query, hashes) =>
    new Promise((resolve, reject) => {
      const request = nextRequest++;
      state.ranks.set(request, (answer) =>
        answer ? resolve(answer) : reject(new Error("semantic ranking failed")),
      );
      send({ type: "similarities", id, request, mode, query, hashes: [...hashes] });
    });
}

function serialize(error: unknown): SerializedError {
  if (error instanceof FsError) {
    const { name, message, code, syscall, path } = error;
    return { name, message, code, syscall, path };
  }
  if (error instanceof VersionConflictError) {
    return { name: error.name, message: error.message, sandboxId: error.sandboxId };
  }
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: "Error", message: String(error) };
}

/**
 * Makes this thread nicer than the HTTP thread. On Linux a thread is a task
 * with its own id and priority, so this leaves the rest of the process alone;
 * elsewhere (no /proc/thread-self) the worker keeps the process's priority.
 */
function lowerPriority(niceness: number): void {
  if (niceness <= 0) return;
  try {
    const tid = Number(readlinkSync("/proc/thread-self").split("/").pop());
    if (Number.isSafeInteger(tid) && tid > 0) {
      setPriority(tid, Math.min(19, getPriority(tid) + niceness));
    }
  } catch {
    // Not Linux, or not allowed: scripts share the CPU with requests as equals.
  }
}
