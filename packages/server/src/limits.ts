/** Server limits: every input is bounded and hitting a bound is a clear error. */
import { DEFAULT_MAX_OUTPUT_BYTES, DEFAULT_WRITE_LIMITS, type WriteLimits } from "@cairn/core";

export interface Limits extends WriteLimits {
  /** Largest request body, in bytes (file writes and JSON). */
  maxBodyBytes: number;
  /** Default and maximum exec time. */
  execTimeoutMs: number;
  maxExecTimeoutMs: number;
  /** Default bytes kept of each of an exec's stdout and stderr (a request may ask for up to 16 MiB). */
  maxOutputBytes: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxBodyBytes: 64 << 20,
  execTimeoutMs: 30_000,
  maxExecTimeoutMs: 300_000,
  maxOutputBytes: DEFAULT_MAX_OUTPUT_BYTES,
  ...DEFAULT_WRITE_LIMITS,
};
