/** The retry policy: which failed attempts are sent again, and how long to wait first. */
import type { ConnectionError } from "../errors.js";
import type { Problem } from "../types.js";
import { parseRetryAfter } from "./retry-after.js";

export const DEFAULT_MAX_RETRIES = 2;
const INITIAL_DELAY_MS = 500;
const MAX_DELAY_MS = 8_000;
/** A longer `Retry-After` is not waited for: the error goes to the caller, who can decide. */
const MAX_RETRY_AFTER_MS = 60_000;
/** Methods whose repetition has the same effect as one request (RFC 9110 §9.2.2). */
const IDEMPOTENT_METHODS = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE"]);

/** How one attempt ended: a response (with its problem body, if any) or a connection failure. */
export type Attempt = {
  request: Request;
  /** 0 for the first attempt. */
  number: number;
} & (
  | { response: Response; problem: Problem | undefined; error?: undefined }
  | { error: ConnectionError; response?: undefined }
);

/**
 * Milliseconds to wait before sending the request again, or `undefined` to stop and let the
 * caller see this attempt's outcome.
 *
 * @example
 * retryDelay({ request, number: 0, response, problem }, 2) // e.g. 0–500 after a retryable 503
 */
export function retryDelay(
  attempt: Attempt,
  maxRetries: number,
  random: () => number = Math.random,
): number | undefined {
  // 1. Out of retries.
  if (attempt.number >= maxRetries) return undefined;
  // 2. A POST may have been applied: send it again only when it carries an Idempotency-Key.
  if (!isIdempotent(attempt.request)) return undefined;
  // 3. Only failures that may pass by themselves.
  if (!isTransient(attempt)) return undefined;
  // 4. The server said when to come back.
  const retryAfter = parseRetryAfter(attempt.response?.headers.get("retry-after"));
  if (retryAfter !== undefined) {
    const ms = retryAfter * 1000;
    return ms <= MAX_RETRY_AFTER_MS ? ms : undefined;
  }
  // 5. Otherwise exponential backoff (0.5 s × 2ⁿ, capped at 8 s) with full jitter.
  return random() * Math.min(MAX_DELAY_MS, INITIAL_DELAY_MS * 2 ** attempt.number);
}

function isIdempotent(request: Request): boolean {
  return IDEMPOTENT_METHODS.has(request.method) || request.headers.has("idempotency-key");
}

function isTransient(attempt: Attempt): boolean {
  // No response at all: a connection failure or a client-side timeout.
  if (attempt.error) return true;
  const { status } = attempt.response;
  if (status === 429) return true;
  // Cairn's own errors say whether they are worth repeating (a lost write race, an outage).
  if (attempt.problem) return attempt.problem.retryable && (status === 409 || status >= 500);
  // A gateway's error page, with no problem body.
  return status === 502 || status === 503 || status === 504;
}
