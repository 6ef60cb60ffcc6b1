/**
 * Warm python for the thread that runs scripts: just-bash's CPython module
 * compiled once, and worker threads that each hold an initialised,
 * never-used interpreter ready for the next python3 run.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { MessageChannel, type MessagePort, Worker } from "node:worker_threads";
import type { FromPythonWorker, PythonJob, PythonWorkerData } from "./protocol.js";

/** Interpreters kept ready per thread; `CAIRN_PYTHON_WARM` (0 turns keeping them off). */
export function warmTarget(): number {
  const raw = process.env.CAIRN_PYTHON_WARM;
  const n = raw === undefined || raw === "" ? 1 : Number(raw);
  return Number.isInteger(n) && n >= 0 ? Math.min(n, 8) : 1;
}

interface Files {
  module: WebAssembly.Module;
  loaderPath: string;
  stdlib: Uint8Array;
}

/** just-bash's vendor directory, from the copy of just-bash this package resolves. */
function vendorDir(): string {
  const entry = createRequire(import.meta.url).resolve("just-bash");
  let dir = dirname(entry);
  while (!existsSync(join(dir, "package.json")) || !existsSync(join(dir, "vendor"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error("just-bash's CPython files (vendor/) were not found");
    dir = parent;
  }
  return join(dir, "vendor", "cpython-emscripten");
}

async function loadFiles(): Promise<Files> {
  const dir = vendorDir();
  const module = await WebAssembly.compile(readFileSync(join(dir, "python.wasm")));
  const zip = readFileSync(join(dir, "python313.zip"));
  // Shared memory: every worker reads the one copy (each interpreter copies it into its own FS).
  const stdlib = new Uint8Array(new SharedArrayBuffer(zip.length));
  stdlib.set(zip);
  return { module, loaderPath: join(dir, "python.cjs"), stdlib };
}

const WORKER_URL = import.meta.url.endsWith(".ts")
  ? new URL("../../dist/python/python-worker.js", import.meta.url)
  : new URL("./python-worker.js", import.meta.url);

/** A python worker thread and the interpreter it is preparing or holding. */
export class PythonSlot {
  private readyWaiters: Array<{ resolve(): void; reject(e: Error): void }> = [];
  private goneListeners: Array<(error: Error) => void> = [];
  private state: "starting" | "ready" | "busy" | "gone" = "starting";
  private brokenError?: Error;

  constructor(
    private readonly worker: Worker,
    private readonly jobs: MessagePort,
    private readonly jobSignal: Int32Array,
  ) {
    worker.on("message", (message: FromPythonWorker) => {
      if (message.type === "ready") {
        this.state = "ready";
        for (const w of this.readyWaiters.splice(0)) w.resolve();
      } else this.fail(new Error(message.error));
    });
    worker.on("error", (error) => this.fail(error));
    worker.on("exit", () => this.fail(new Error("the python worker exited")));
  }

  get isReady(): boolean {
    return this.state === "ready";
  }
  get isGone(): boolean {
    return this.state === "gone";
  }

  /** Resolves once the interpreter waits for a job. */
  ready(): Promise<void> {
    if (this.state === "ready") return Promise.resolve();
    if (this.state === "gone") return Promise.reject(this.brokenError);
    return new Promise((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
  }

  /** Hands the job to the waiting interpreter; its next one starts preparing when this ends. */
  start(job: PythonJob): void {
    this.state = "busy";
    this.jobs.postMessage(job, [job.bridge]);
    Atomics.store(this.jobSignal, 0, 1);
    Atomics.notify(this.jobSignal, 0);
    this.state = "starting";
  }

  /** Calls `listener` if the thread ends or breaks (say, mid-run); returns a function that stops it. */
  onGone(listener: (error: Error) => void): () => void {
    this.goneListeners.push(listener);
    return () => {
      this.goneListeners = this.goneListeners.filter((l) => l !== listener);
    };
  }

  /** Ends the thread (a run that overran its time, or a slot not kept). */
  kill(): void {
    this.fail(new Error("the python worker was stopped"));
    void this.worker.terminate();
  }

  private fail(error: Error): void {
    if (this.state === "gone") return;
    this.state = "gone";
    this.brokenError = error;
    this.jobs.close();
    for (const w of this.readyWaiters.splice(0)) w.reject(error);
    for (const listener of this.goneListeners.splice(0)) listener(error);
  }
}

/** The warm interpreters of one thread. */
export class PythonEngine {
  private files?: Promise<Files>;
  /** Slots no run has claimed: ready, or preparing their interpreter. */
  private spare: PythonSlot[] = [];

  constructor(private readonly keep: number = warmTarget()) {}

  /** Starts the spare interpreters now instead of at the first python3 run. */
  async warm(): Promise<void> {
    while (this.spare.filter((s) => !s.isGone).length < Math.max(1, this.keep)) {
      this.spare.push(await this.spawn());
    }
    await Promise.all(this.spare.map((s) => s.ready().catch(() => undefined)));
  }

  /** A slot whose interpreter is ready (a spare if there is one). */
  async acquire(): Promise<PythonSlot> {
    this.spare = this.spare.filter((s) => !s.isGone);
    const index = this.spare.findIndex((s) => s.isReady);
    const slot = this.spare.splice(index === -1 ? 0 : index, 1)[0] ?? (await this.spawn());
    await slot.ready();
    return slot;
  }

  /** After a run that ended normally: keep the slot (its next interpreter is on the way) or end it. */
  release(slot: PythonSlot): void {
    this.spare = this.spare.filter((s) => !s.isGone);
    if (!slot.isGone && this.spare.length < this.keep) this.spare.push(slot);
    else slot.kill();
  }

  /** After a run that was cut short: the slot is killed; a new spare replaces it. */
  discard(slot: PythonSlot): void {
    slot.kill();
    this.spare = this.spare.filter((s) => !s.isGone);
    if (this.spare.length < this.keep) {
      this.spawn().then(
        (s) => this.spare.push(s),
        () => undefined,
      );
    }
  }

  /** Ends every spare interpreter. */
  close(): void {
    for (const slot of this.spare.splice(0)) slot.kill();
  }

  private async spawn(): Promise<PythonSlot> {
    this.files ??= loadFiles();
    const files = await this.files;
    const { port1, port2 } = new MessageChannel();
    const jobSignal = new Int32Array(new SharedArrayBuffer(4));
    const data: PythonWorkerData = { ...files, jobs: port2, jobSignal };
    const worker = new Worker(WORKER_URL, { workerData: data, transferList: [port2] });
    worker.unref();
    return new PythonSlot(worker, port1, jobSignal);
  }
}

let engine: PythonEngine | undefined;

/** This thread's engine. */
export function pythonEngine(): PythonEngine {
  engine ??= new PythonEngine();
  return engine;
}

/**
 * Prepares this thread's warm python interpreter ahead of the first python3
 * run (what `cairn serve --warm-python` does at start).
 */
export function warmPython(): Promise<void> {
  return pythonEngine().warm();
}
