/**
 * Exec as an optimistic transaction: a script runs with just-bash against a
 * snapshot through a copy-on-write journal; its writes commit in one step,
 * guarded by the snapshot's version, or not at all.
 */
import { Bash } from "just-bash";
import { CairnBashFs } from "./bash-fs.js";
import { encodeText, latin1Bytes } from "./encoding.js";
import { VersionConflictError } from "./errors.js";
import { normalizePath } from "./paths.js";
import type { SandboxService, Scope } from "./sandbox-service.js";
import type { Tree } from "./tree.js";

export type CommitMode = "always" | "on_success" | "never";

export interface ExecInput {
  script: string;
  /** Working directory (default `/`); created if missing. */
  cwd?: string;
  env?: Record<string, string>;
  stdin?: string;
  /** Wall-clock limit (default 30 s). */
  timeoutMs?: number;
  commit?: CommitMode;
  /** Aborting (e.g. the client went away) stops the script; nothing is committed. */
  signal?: AbortSignal;
}

export interface ExecOutcome {
  exitCode: number;
  stdout: Uint8Array;
  stderr: Uint8Array;
  durationMs: number;
  commit: {
    status: "committed" | "unchanged" | "discarded";
    version: number;
  };
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
 * a race, the script re-runs on the new tree as the sandbox's only in-process
 * writer (safe: a script's only effects are its journal and its output).
 */
export async function execScript(
  service: SandboxService,
  scope: Scope,
  sandboxId: string,
  input: ExecInput,
): Promise<ExecOutcome> {
  // The record (for its env) and the current tree are independent reads: fetch them together.
  const [sandbox, tree] = await Promise.all([
    service.get(scope, sandboxId),
    service.tree(scope, sandboxId),
  ]);
  const env = { ...sandbox.env, ...input.env };
  const first = await attempt(service, scope, sandboxId, input, env, tree);
  if (first) return first;
  return service.exclusive(scope, sandboxId, async () => {
    for (let i = 1; i < service.maxAttempts; i++) {
      const outcome = await attempt(service, scope, sandboxId, input, env);
      if (outcome) return outcome;
    }
    throw new VersionConflictError(sandboxId, -1);
  });
}

/** One run; undefined when its commit lost a race. */
async function attempt(
  service: SandboxService,
  scope: Scope,
  sandboxId: string,
  input: ExecInput,
  env: Record<string, string>,
  current?: Tree,
): Promise<ExecOutcome | undefined> {
  const started = performance.now();
  const tree = current ?? (await service.tree(scope, sandboxId));
  const vfs = service.open(scope, tree);
  const cwd = normalizePath(input.cwd ?? "/", "chdir");
  vfs.mkdir(cwd, { recursive: true });

  const timeoutMs = input.timeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS;
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onAbort = () => controller.abort();
  input.signal?.addEventListener("abort", onAbort, { once: true });

  const bash = new Bash({
    fs: new CairnBashFs(vfs),
    cwd,
    env,
    executionLimits: {
      maxExecutionTimeMs: timeoutMs,
      maxCommandCount: 10_000_000,
      maxLoopIterations: 100_000_000,
    },
  });
  let result: Awaited<ReturnType<Bash["exec"]>>;
  try {
    result = await bash.exec(input.script, {
      cwd,
      stdin: input.stdin,
      signal: controller.signal,
      rawScript: true,
    });
  } finally {
    clearTimeout(timer);
    input.signal?.removeEventListener("abort", onAbort);
  }
  if (input.signal?.aborted) throw new ExecAbortedError();
  if (timedOut || performance.now() - started >= timeoutMs) throw new ExecTimeoutError(timeoutMs);

  const stdout =
    result.stdoutKind === "bytes" ? latin1Bytes(result.stdout) : encodeText(result.stdout);
  const stderr = encodeText(result.stderr);
  const finish = (status: ExecOutcome["commit"]["status"], version: number): ExecOutcome => ({
    exitCode: result.exitCode,
    stdout,
    stderr,
    durationMs: performance.now() - started,
    commit: { status, version },
  });

  const mode = input.commit ?? "always";
  if (!vfs.journal.changed) return finish("unchanged", tree.version);
  if (mode === "never" || (mode === "on_success" && result.exitCode !== 0)) {
    return finish("discarded", tree.version);
  }
  try {
    return finish("committed", await service.commit(scope, sandboxId, vfs.journal));
  } catch (error) {
    if (error instanceof VersionConflictError) return undefined;
    throw error;
  }
}
