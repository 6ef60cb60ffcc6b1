/** Messages between a thread that runs scripts and its python worker threads. */
import type { MessagePort } from "node:worker_threads";

export interface PythonWorkerData {
  /** just-bash's CPython, compiled once per thread and shared with every worker it starts. */
  module: WebAssembly.Module;
  /** Path of just-bash's python.cjs (the Emscripten loader for that module). */
  loaderPath: string;
  /** The standard library zip, copied into each interpreter's own memory filesystem. */
  stdlib: Uint8Array;
  /** Where jobs arrive; read synchronously while the warm interpreter waits. */
  jobs: MessagePort;
  /** Set to 1 and notified when a job is posted on `jobs`. */
  jobSignal: Int32Array;
}

/** One python3 run, sent to a warm interpreter. */
export interface PythonJob {
  program: string;
  stdin: string;
  maxFileSize: number;
  /** The run's own channel for filesystem calls and output. */
  bridge: MessagePort;
  /** Set to 1 and notified when the host answered a call on `bridge`. */
  bridgeSignal: Int32Array;
}

export type BridgeOp =
  | { op: "readFile"; path: string }
  | { op: "writeFile"; path: string; data: Uint8Array }
  | { op: "stat"; path: string }
  | { op: "readdir"; path: string }
  | { op: "mkdir"; path: string }
  | { op: "rm"; path: string }
  | { op: "symlink"; target: string; path: string }
  | { op: "readlink"; path: string }
  | { op: "chmod"; path: string; mode: number }
  | { op: "http"; url: string }
  /** Buffered output; the answer says whether it still fits the output limit. */
  | { op: "output"; stdout: string; stderr: string };

/** How a run ends (no answer expected). */
export type BridgeEnd = { op: "exit"; code: number } | { op: "failed"; error: string };

export type BridgeReply = { ok: true; value?: unknown } | { ok: false; error: string };

export interface BridgeStat {
  isFile: boolean;
  isDirectory: boolean;
  isSymbolicLink: boolean;
  mode: number;
  size: number;
  mtime: number;
}

/** From a python worker to its thread: an interpreter is initialised and waits for a job. */
export type FromPythonWorker = { type: "ready" } | { type: "broken"; error: string };
