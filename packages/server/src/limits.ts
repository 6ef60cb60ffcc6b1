/** Server limits: every input is bounded and hitting a bound is a clear error. */
import {
  type ArchiveLimits,
  DEFAULT_ARCHIVE_LIMITS,
  DEFAULT_GREP_TIME_BUDGET_MS,
  DEFAULT_MAX_OUTPUT_BYTES,
  DEFAULT_WRITE_LIMITS,
  type WriteLimits,
} from "@cairn/core";

export interface Limits extends WriteLimits, ArchiveLimits {
  /**
   * Largest request body, in bytes (file writes and JSON). Archive uploads are
   * streamed and bounded by the archive limits instead.
   */
  maxBodyBytes: number;
  /** Default and maximum exec time. */
  execTimeoutMs: number;
  maxExecTimeoutMs: number;
  /** Default bytes kept of each of an exec's stdout and stderr (a request may ask for up to 16 MiB). */
  maxOutputBytes: number;
  /** Matching time a grep may spend before it stops with `truncated: {reason: "time"}`. */
  grepTimeBudgetMs: number;
  /** Per-sandbox quota, checked against what each commit leaves (EDQUOT beyond). */
  sandboxMaxBytes: number;
  sandboxMaxFiles: number;
  /** Requests a second per key (token bucket; 0 turns it off), and the burst above that rate. */
  rateLimitPerSecond: number;
  rateLimitBurst: number;
  /** Failed authentications a second per client address, and the burst (0 turns it off). */
  authFailuresPerSecond: number;
  authFailureBurst: number;
  /** Requests one key may have in flight; beyond, 503 at once. */
  maxInFlightPerKey: number;
  /** Scripts this process runs at once (exec, batch, streams); beyond, 503 at once. */
  maxConcurrentExecs: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxBodyBytes: 64 << 20,
  execTimeoutMs: 30_000,
  maxExecTimeoutMs: 300_000,
  maxOutputBytes: DEFAULT_MAX_OUTPUT_BYTES,
  grepTimeBudgetMs: DEFAULT_GREP_TIME_BUDGET_MS,
  sandboxMaxBytes: 1 << 30,
  sandboxMaxFiles: 100_000,
  rateLimitPerSecond: 1000,
  rateLimitBurst: 2000,
  authFailuresPerSecond: 10,
  authFailureBurst: 1000,
  maxInFlightPerKey: 1024,
  maxConcurrentExecs: 1024,
  ...DEFAULT_WRITE_LIMITS,
  ...DEFAULT_ARCHIVE_LIMITS,
};
