/**
 * Test support: spawn the real `cairn` CLI (and other Node scripts), wait for
 * what they print, and make sure no child outlives the test run, even when a
 * test fails or the worker exits early.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The built CLI (`pnpm turbo run build` first; turbo's `test` task depends on `build`). */
export const CLI = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "cli.js");

export interface Spawned {
  child: ChildProcess;
  output(): { stdout: string; stderr: string };
}

const live = new Set<ChildProcess>();
// A crashed or interrupted test must not leave servers behind (exit handlers must be synchronous).
process.on("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

/** Runs `node <script> ...args` with captured output. CAIRN_API_KEY is cleared unless given. */
export function run(script: string, args: string[], env: NodeJS.ProcessEnv = {}): Spawned {
  const child = spawn(process.execPath, [script, ...args], {
    env: { ...process.env, CAIRN_API_KEY: "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  live.add(child);
  child.once("exit", () => live.delete(child));
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d) => {
    stdout += d;
  });
  child.stderr?.on("data", (d) => {
    stderr += d;
  });
  return { child, output: () => ({ stdout, stderr }) };
}

/** The exit code (null when killed by a signal), waiting for the exit if needed. */
export async function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const [code] = await once(child, "exit");
  return code as number | null;
}

/** Whether the process has exited (normally or by a signal). */
export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/**
 * Resolves with the first match of `pattern` in the process's stdout; rejects
 * (with everything it printed) if it exits first or nothing matches in time.
 */
export function waitForStdout(
  proc: Spawned,
  pattern: RegExp,
  timeoutMs = 30_000,
): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const done = (error?: Error, match?: RegExpExecArray) => {
      clearTimeout(timer);
      proc.child.stdout?.off("data", check);
      proc.child.off("exit", exited);
      if (error) reject(error);
      else resolve(match!);
    };
    const check = () => {
      const match = pattern.exec(proc.output().stdout);
      if (match) done(undefined, match);
    };
    const exited = (code: number | null, signal: string | null) =>
      done(
        new Error(
          `process exited (code ${code}, signal ${signal}) before printing ${pattern}: ${JSON.stringify(proc.output())}`,
        ),
      );
    const timer = setTimeout(
      () =>
        done(
          new Error(
            `nothing matched ${pattern} in ${timeoutMs} ms: ${JSON.stringify(proc.output())}`,
          ),
        ),
      timeoutMs,
    );
    proc.child.stdout?.on("data", check);
    proc.child.once("exit", exited);
    check();
    if (hasExited(proc.child)) exited(proc.child.exitCode, proc.child.signalCode);
  });
}

/** Sends `signal` and waits for the exit; escalates to SIGKILL after `graceMs`. */
export async function stopProcess(
  child: ChildProcess,
  signal: NodeJS.Signals = "SIGTERM",
  graceMs = 5_000,
): Promise<void> {
  if (hasExited(child)) return;
  const exited = once(child, "exit");
  child.kill(signal);
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

export interface CairnServer extends Spawned {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** SIGTERM (then SIGKILL after a grace period) and wait for the exit. */
  stop(): Promise<void>;
  /** `kill -9` and wait for the exit. */
  kill(): Promise<void>;
}

export interface StartCairnOptions {
  apiKey: string;
  /** PostgreSQL to use; without it pass storage flags in `args`. */
  databaseUrl?: string;
  args?: string[];
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/** Starts `cairn serve --port 0` and resolves once it prints where it listens. */
export async function startCairn(options: StartCairnOptions): Promise<CairnServer> {
  const args = ["serve", "--port", "0", ...(options.args ?? [])];
  if (options.databaseUrl) args.push("--database-url", options.databaseUrl);
  const proc = run(CLI, args, { ...options.env, CAIRN_API_KEY: options.apiKey });
  try {
    const [, url] = await waitForStdout(proc, /listening on (http:\/\/\S+)/, options.timeoutMs);
    return {
      ...proc,
      url: url!,
      stop: () => stopProcess(proc.child, "SIGTERM"),
      kill: () => stopProcess(proc.child, "SIGKILL"),
    };
  } catch (error) {
    await stopProcess(proc.child, "SIGKILL");
    throw error;
  }
}
