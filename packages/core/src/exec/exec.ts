/**
 * Exec as an optimistic transaction: scripts run with just-bash against a
 * snapshot through a copy-on-write journal; their writes (and, with a
 * persistent shell, the final cwd and env) commit in one step, guarded by the
 * snapshot's version, or not at all.
 */
import type { ChangeSet, Runtime, SandboxRecord, SandboxUpdate, ShellState } from "../backend.js";
import { DEFAULT_WRITE_LIMITS, type WriteLimits } from "../bash-fs.js";
import type { ScriptSemantic } from "../embed/script-semantic.js";
import { VersionConflictError } from "../errors.js";
import { machineEnv } from "../machine.js";
import type { StoredTextCandidates } from "../narrowing.js";
import { normalizePath } from "../paths.js";
import type { Quota } from "../quota.js";
import type { SandboxService, Scope, Snapshot } from "../sandbox-service.js";
import type { ContentLoader, Vfs } from "../vfs.js";
import { DEFAULT_MAX_OUTPUT_BYTES, type OutputListener } from "./output.js";
import { type RunOutcome, type RunSettings, runStep } from "./run.js";

export type CommitMode = "always" | "on_success" | "never";

export interface ExecStepInput {
  script: string;
  /** Working directory (default: the saved one, else the sandbox's home, else `/`); created if missing. */
  cwd?: string;
  env?: Record<string, string>;
  stdin?: string;
}

interface ExecControls {
  /** Wall-clock limit (default 30 s). */
  timeoutMs?: number;
  commit?: CommitMode;
  /** Bytes kept of each of stdout and stderr (default 1 MiB); the rest is flagged as truncated. */
  maxOutputBytes?: number;
  limits?: WriteLimits;
  /** Aborting (e.g. the client went away) stops the script; nothing is committed. */
  signal?: AbortSignal;
  /** Runs the script elsewhere (a worker pool); in this thread when absent. */
  runner?: ScriptRunner;
  /** Ranking by meaning for `search --semantic|--hybrid` in the script (absent: not available). */
  semantic?: ScriptSemantic;
}

export interface ExecInput extends ExecStepInput, ExecControls {
  /** Writes fail with EROFS. */
  readOnly?: boolean;
  /**
   * Receives output as each top-level statement finishes. A streamed run is
   * never re-run (its output is already out): it runs as the sandbox's only
   * writer in this process, and a commit lost to another process is a
   * VersionConflictError.
   */
  onOutput?: OutputListener;
}

export interface ExecBatchInput extends ExecControls {
  steps: ExecStepInput[];
  /** Run the steps at the same time, read-only. */
  parallel?: boolean;
  /** Sequential batches stop after the first step that exits non-zero (default true). */
  stopOnError?: boolean;
}

export interface ExecCommitInfo {
  status: "committed" | "unchanged" | "discarded";
  version: number;
  reason?: "commit_never" | "nonzero_exit" | "journal_limit" | "quota";
}

export interface StepOutcome {
  exitCode: number;
  stdout: Uint8Array;
  stderr: Uint8Array;
  durationMs: number;
  truncated: { stdout: boolean; stderr: boolean };
}

export interface ExecOutcome extends StepOutcome {
  commit: ExecCommitInfo;
}

export interface ExecBatchOutcome {
  results: StepOutcome[];
  durationMs: number;
  commit: ExecCommitInfo;
}

export const DEFAULT_EXEC_TIMEOUT_MS = 30_000;

/** The script ran out of time; nothing was committed. */
export class ExecTimeoutError extends Error {
  override readonly name = "ExecTimeoutError";
  constructor(readonly timeoutMs: number) {
    super(`script did not finish within ${timeoutMs} ms; nothing was committed`);
  }
}

/** The caller aborted the script; nothing was committed. */
export class ExecAbortedError extends Error {
  override readonly name = "ExecAbortedError";
  constructor() {
    super("script aborted; nothing was committed");
  }
}

/**
 * Runs a script in a sandbox. The first attempt runs without waiting for
 * anyone, so read-only scripts never queue behind writers. If its commit loses
 * a race, the script re-runs on the new state as the sandbox's only in-process
 * writer (safe: a script's only effects are its journal and its output).
 */
export function execScript(
  service: SandboxService,
  scope: Scope,
  sandboxId: string,
  input: ExecInput,
): Promise<ExecOutcome> {
  const { signal: _s, runner: _r, semantic, onOutput, ...plain } = input;
  const job: ExecJob = { kind: "script", input: plain, streamed: onOutput !== undefined };
  return transact(
    service,
    scope,
    sandboxId,
    input,
    program<ExecOutcome>(service, scope, sandboxId, job, input.runner, semantic, onOutput),
    onOutput !== undefined,
  );
}

/** Runs several scripts: in order in one journal and one commit, or side by side read-only. */
export async function execBatch(
  service: SandboxService,
  scope: Scope,
  sandboxId: string,
  input: ExecBatchInput,
): Promise<ExecBatchOutcome> {
  const started = performance.now();
  const { signal: _s, runner: _r, semantic, ...plain } = input;
  const job: ExecJob = { kind: "batch", input: plain };
  const outcome = await transact(
    service,
    scope,
    sandboxId,
    input,
    program<ExecBatchOutcome>(service, scope, sandboxId, job, input.runner, semantic),
    false,
  );
  return { ...outcome, durationMs: performance.now() - started };
}

// ---- a script or batch as data, for this thread or a worker ---------------

/** A script or a batch as plain data (what a runner in another thread is sent). */
export type ExecJob =
  | {
      kind: "script";
      input: Omit<ExecInput, "signal" | "runner" | "semantic" | "onOutput">;
      streamed: boolean;
    }
  | { kind: "batch"; input: Omit<ExecBatchInput, "signal" | "runner" | "semantic"> };

/** What a job produced: its result, and the changes to commit (absent: none). */
export interface JobOutcome<T = ExecOutcome | ExecBatchOutcome> {
  result: T;
  /** The snapshot the job ran on: `changes` are against its tree. */
  snapshot: Snapshot;
  changes?: ChangeSet;
  /** Told the version `changes` were committed as (the runner may keep the new tree). */
  committed?: (version: number) => void;
}

/** One attempt of a job, handed to a runner: where to take its snapshot and how to reach content. */
export interface RunRequest {
  job: ExecJob;
  scope: Scope;
  sandboxId: string;
  /**
   * The sandbox as it is now. A runner takes it when the job starts, not when
   * it is queued, so a job that waited does not start from a stale version.
   */
  snapshot: () => Promise<Snapshot>;
  /** Content by hash (the service's cached, batched loader). */
  load: ContentLoader;
  /** The backend's text index, for a grep in the script (absent: it reads every file). */
  candidates?: StoredTextCandidates;
  /** Ranking by meaning for `search --semantic|--hybrid` (absent: not available). */
  semantic?: ScriptSemantic;
  /** What is left of the call's time. */
  timeoutMs: number;
  /** Aborts when the call times out or the caller goes away. */
  signal: AbortSignal;
  onOutput?: OutputListener;
}

/** Runs jobs somewhere else than the calling thread, e.g. a pool of worker threads. */
export interface ScriptRunner {
  run(request: RunRequest): Promise<JobOutcome>;
}

/**
 * Runs a job on a snapshot in this thread: `open` gives a fresh Vfs on it.
 * Worker threads call this too, with their own Vfs and deadline.
 */
export async function runJob(
  job: ExecJob,
  snapshot: Snapshot,
  open: () => Vfs,
  quota: Quota | undefined,
  deadline: Deadline,
  onOutput?: OutputListener,
): Promise<{ result: ExecOutcome | ExecBatchOutcome; pending?: PendingCommit }> {
  if (job.kind === "script") {
    const input = job.input;
    const vfs = open();
    const run = await runStep(
      vfs,
      startStep(snapshot.record, input),
      settings(snapshot.record, { ...input, onOutput }, deadline, {
        readOnly: input.readOnly ?? false,
        quota,
      }),
    );
    const { commit, pending } = decide(input, snapshot, vfs, [run]);
    return { result: { ...stepOutcome(run), commit }, pending };
  }
  const input = job.input;
  const started = performance.now();
  if (input.parallel) {
    const runs = await Promise.all(
      input.steps.map((step) =>
        runStep(
          open(),
          startStep(snapshot.record, step),
          settings(snapshot.record, input, deadline, { readOnly: true }),
        ),
      ),
    );
    deadline.check();
    return {
      result: {
        results: runs.map(stepOutcome),
        durationMs: performance.now() - started,
        commit: { status: "unchanged", version: snapshot.tree.version },
      },
    };
  }
  const vfs = open();
  const runs: RunOutcome[] = [];
  let record = snapshot.record;
  for (const step of input.steps) {
    const run = await runStep(
      vfs,
      startStep(record, step),
      settings(record, input, deadline, { readOnly: false, quota }),
    );
    deadline.check();
    runs.push(run);
    // A persistent shell carries from one step to the next, as in a terminal.
    if (run.shell) record = { ...record, shell: run.shell };
    if (run.limitHit || (run.exitCode !== 0 && (input.stopOnError ?? true))) break;
  }
  const { commit, pending } = decide(input, snapshot, vfs, runs);
  return {
    result: { results: runs.map(stepOutcome), durationMs: performance.now() - started, commit },
    pending,
  };
}

/** A job's program: run here, or by the runner (which sends back a change set to commit). */
function program<T>(
  service: SandboxService,
  scope: Scope,
  sandboxId: string,
  job: ExecJob,
  runner: ScriptRunner | undefined,
  semantic: ScriptSemantic | undefined,
  onOutput?: OutputListener,
): Program<T> {
  if (!runner) {
    return async (take, deadline) => {
      const snapshot = await take();
      const open = () => service.open(scope, snapshot.tree, snapshot.record, { semantic });
      const ran = await runJob(job, snapshot, open, scope.quota, deadline, onOutput);
      return { ...(ran as { result: T; pending?: PendingCommit }), snapshot };
    };
  }
  return async (take, deadline) => {
    const { result, changes, committed, snapshot } = await runner
      .run({
        job,
        scope,
        sandboxId,
        snapshot: take,
        load: service.loadContent(scope),
        candidates: service.textCandidates(scope),
        semantic,
        timeoutMs: deadline.timeoutMs,
        signal: deadline.signal,
        onOutput,
      })
      .catch((error: unknown) => {
        // A worker's timeout or abort becomes this call's own, with its full time limit.
        deadline.check();
        throw error;
      });
    return { result: result as T, pending: changes ? { changes, committed } : undefined, snapshot };
  };
}

// ---- the transaction ------------------------------------------------------

/** A deadline shared by everything one call runs. */
export interface Deadline {
  signal: AbortSignal;
  timeoutMs: number;
  /** Throws if the call timed out or was aborted. */
  check(): void;
}

/**
 * What a run changed and should be committed: its journal and any sandbox
 * fields, or (from another thread) the same as one change set.
 */
export type PendingCommit =
  | { vfs: Vfs; update: SandboxUpdate | undefined }
  | { changes: ChangeSet; committed?: (version: number) => void };

/**
 * Runs on a snapshot it takes with `take`: a result, what to commit for it
 * (absent: nothing; the result's commit info stands), and the snapshot it ran on.
 */
type Program<T> = (
  take: () => Promise<Snapshot>,
  deadline: Deadline,
) => Promise<{ result: T; pending?: PendingCommit; snapshot: Snapshot }>;

async function transact<T extends { commit: ExecCommitInfo }>(
  service: SandboxService,
  scope: Scope,
  sandboxId: string,
  controls: ExecControls,
  program: Program<T>,
  streamed: boolean,
): Promise<T> {
  const deadline = startDeadline(controls);
  try {
    const once = async (): Promise<T | undefined> => {
      const { result, pending, snapshot } = await program(
        () => service.snapshot(scope, sandboxId),
        deadline,
      );
      deadline.check();
      if (!pending) return result;
      try {
        let version: number;
        if ("changes" in pending) {
          version = await service.commitChanges(scope, sandboxId, snapshot.tree, pending.changes);
          pending.committed?.(version);
        } else {
          version = await service.commit(scope, sandboxId, pending.vfs.journal, pending.update);
        }
        return { ...result, commit: { status: "committed", version } };
      } catch (error) {
        if (error instanceof VersionConflictError && !streamed) return undefined;
        throw error;
      }
    };
    if (streamed) {
      const outcome = await service.exclusive(scope, sandboxId, once);
      if (!outcome) {
        service.reportCommit("exhausted");
        throw new VersionConflictError(sandboxId, -1);
      }
      return outcome;
    }
    const first = await once();
    if (first) return first;
    return await service.exclusive(scope, sandboxId, async () => {
      for (let i = 1; i < service.maxAttempts; i++) {
        service.reportCommit("retry");
        const outcome = await once();
        if (outcome) return outcome;
      }
      service.reportCommit("exhausted");
      throw new VersionConflictError(sandboxId, -1);
    });
  } finally {
    deadline.dispose();
  }
}

/** A deadline of `timeoutMs` (default 30 s) that the caller's signal also ends. */
export function startDeadline(
  controls: Pick<ExecControls, "timeoutMs" | "signal">,
): Deadline & { dispose(): void } {
  const timeoutMs = controls.timeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS;
  const started = performance.now();
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onAbort = () => controller.abort();
  controls.signal?.addEventListener("abort", onAbort, { once: true });
  if (controls.signal?.aborted) controller.abort();
  return {
    signal: controller.signal,
    get timeoutMs() {
      return Math.max(1, Math.ceil(timeoutMs - (performance.now() - started)));
    },
    check() {
      if (controls.signal?.aborted) throw new ExecAbortedError();
      if (timedOut || performance.now() - started >= timeoutMs) {
        throw new ExecTimeoutError(timeoutMs);
      }
    },
    dispose() {
      clearTimeout(timer);
      controls.signal?.removeEventListener("abort", onAbort);
    },
  };
}

// ---- one run's settings and its commit ------------------------------------

function startStep(record: SandboxRecord, step: ExecStepInput) {
  const saved = record.options.persistShell ? record.shell : null;
  const home = record.options.home;
  return {
    script: step.script,
    cwd: normalizePath(step.cwd ?? saved?.cwd ?? home ?? "/", "chdir"),
    env: { ...machineEnv(home), ...(saved ? saved.env : record.env), ...step.env },
    stdin: step.stdin,
  };
}

function settings(
  record: SandboxRecord,
  controls: Pick<ExecControls, "limits" | "maxOutputBytes"> & { onOutput?: OutputListener },
  deadline: Deadline,
  mode: { readOnly: boolean; quota?: Quota },
): RunSettings {
  // A read-only sandbox runs every script read-only: writes fail with EROFS, nothing commits.
  const readOnly = mode.readOnly || (record.options.policy?.readOnly ?? false);
  return {
    runtimes: record.options.runtimes as readonly Runtime[],
    readOnly,
    limits: controls.limits ?? DEFAULT_WRITE_LIMITS,
    quota: mode.quota,
    maxOutputBytes: controls.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES,
    timeoutMs: deadline.timeoutMs,
    signal: deadline.signal,
    reportShellState: record.options.persistShell && !readOnly,
    onOutput: controls.onOutput,
  };
}

function stepOutcome({ shell: _shell, limitHit: _limit, ...step }: RunOutcome): StepOutcome {
  return step;
}

/** What to do with the runs' effects: commit them, or say why not. */
function decide(
  controls: Pick<ExecControls, "commit">,
  { record, tree }: Snapshot,
  vfs: Vfs,
  runs: RunOutcome[],
): { commit: ExecCommitInfo; pending?: PendingCommit } {
  const last = runs.at(-1);
  const shell = last?.shell ?? null;
  const shellChanged = shell !== null && !sameShell(shell, record.shell);
  const changed = vfs.journal.changed || shellChanged;
  const unchanged: ExecCommitInfo = { status: "unchanged", version: tree.version };
  if (!changed) return { commit: unchanged };
  const discarded = (reason: ExecCommitInfo["reason"]): { commit: ExecCommitInfo } => ({
    commit: { status: "discarded", version: tree.version, reason },
  });
  const limitHit = runs.find((r) => r.limitHit)?.limitHit;
  if (limitHit) return discarded(limitHit);
  const mode = controls.commit ?? "always";
  if (mode === "never") return discarded("commit_never");
  if (mode === "on_success" && runs.some((r) => r.exitCode !== 0)) return discarded("nonzero_exit");
  return { commit: unchanged, pending: { vfs, update: shellChanged ? { shell } : undefined } };
}

function sameShell(a: ShellState, b: ShellState | null): boolean {
  if (!b || a.cwd !== b.cwd) return false;
  const keys = Object.keys(a.env);
  return keys.length === Object.keys(b.env).length && keys.every((k) => a.env[k] === b.env[k]);
}
