/** Server limits: every input is bounded and hitting a bound is a clear error. */

export interface Limits {
  /** Largest request body, in bytes (file writes and JSON). */
  maxBodyBytes: number;
  /** Default and maximum exec time. */
  execTimeoutMs: number;
  maxExecTimeoutMs: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxBodyBytes: 64 << 20,
  execTimeoutMs: 30_000,
  maxExecTimeoutMs: 300_000,
};
