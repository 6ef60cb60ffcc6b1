/**
 * Flags for where scripts run and how the server stops: the worker pool's
 * size and heap cap, and how long a graceful shutdown waits for work in flight.
 */
import { availableParallelism } from "node:os";

export interface ScriptConfig {
  /** Script worker threads (0: scripts run on the HTTP thread). */
  workers: number;
  /** V8 heap cap of each worker, MiB. */
  heapMb: number;
  /** Scripts one worker runs at once, interleaved. */
  jobsPerWorker: number;
  /** Scripts that may wait for a worker before new ones get 503. */
  maxQueued: number;
  /** On SIGTERM, how long in-flight requests may go on before they are aborted. */
  drainMs: number;
  /** Each script thread prepares its warm python interpreter at start. */
  warmPython: boolean;
}

/** parseArgs options for the script and shutdown flags. */
export const SCRIPT_OPTIONS = {
  "script-workers": { type: "string" },
  "script-heap-mb": { type: "string" },
  "script-jobs-per-worker": { type: "string" },
  "script-queue": { type: "string" },
  "drain-timeout-ms": { type: "string" },
  "warm-python": { type: "boolean" },
} as const;

export const SCRIPT_HELP = `  --script-workers <n>    Worker threads that run scripts (env CAIRN_SCRIPT_WORKERS,
                          default: one per core, here ${availableParallelism()}; 0 runs them on the HTTP thread)
  --script-heap-mb <n>    Heap cap of each script worker in MiB; a script over it fails with
                          422 memory_limit (env CAIRN_SCRIPT_HEAP_MB, default 512)
  --script-jobs-per-worker <n>  Scripts one worker runs at once, interleaved (env
                          CAIRN_SCRIPT_JOBS_PER_WORKER, default 4; 1 gives the most throughput
                          per worker, more keeps short scripts from waiting behind long ones)
  --script-queue <n>      Scripts that may wait for a worker; beyond, 503 unavailable
                          (env CAIRN_SCRIPT_QUEUE, default 1024)
  --drain-timeout-ms <n>  On SIGTERM, how long work in flight may finish before it is aborted
                          (env CAIRN_DRAIN_TIMEOUT_MS, default 30000)
  --warm-python           Prepare a python interpreter in each script thread at start, so even
                          the first python3 run is warm (env CAIRN_WARM_PYTHON=1; default: at
                          the first python3 run)`;

const FIELDS = [
  ["script-workers", "CAIRN_SCRIPT_WORKERS", "workers", () => availableParallelism(), 0],
  ["script-heap-mb", "CAIRN_SCRIPT_HEAP_MB", "heapMb", () => 512, 16],
  ["script-jobs-per-worker", "CAIRN_SCRIPT_JOBS_PER_WORKER", "jobsPerWorker", () => 4, 1],
  ["script-queue", "CAIRN_SCRIPT_QUEUE", "maxQueued", () => 1024, 0],
  ["drain-timeout-ms", "CAIRN_DRAIN_TIMEOUT_MS", "drainMs", () => 30_000, 0],
] as const;

/** The script and shutdown settings from flags (first) or environment, or an error. */
export function resolveScriptConfig(
  values: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): ScriptConfig | { error: string } {
  const config = {} as ScriptConfig;
  config.warmPython =
    values["warm-python"] === true || ["1", "true"].includes(env.CAIRN_WARM_PYTHON ?? "");
  for (const [flag, name, field, fallback, min] of FIELDS) {
    const given = values[flag];
    const raw = typeof given === "string" ? given : env[name];
    if (raw === undefined) {
      config[field] = fallback();
      continue;
    }
    const from = typeof given === "string" ? `--${flag}` : name;
    if (!/^\d+$/.test(raw) || Number(raw) < min || !Number.isSafeInteger(Number(raw))) {
      return { error: `${from} must be a whole number of at least ${min}, not '${raw}'` };
    }
    config[field] = Number(raw);
  }
  return config;
}
