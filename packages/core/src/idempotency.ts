/**
 * Idempotency records: the first response to a request that carried an
 * `Idempotency-Key`, so a retry of the same request (say, after a lost reply)
 * gets that response instead of applying the request twice. Stored by the
 * backend, so every replica sees them.
 */

/** A response as stored for replay. */
export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array;
}

export interface IdempotencyClaim {
  key: string;
  /** Identifies the request (method, path, body...): a key reused for another request is refused. */
  fingerprint: string;
  /** A record older than this is forgotten: the key may be used afresh. */
  windowMs: number;
  /**
   * A claim still pending after this long is taken to be abandoned (its
   * process died before answering) and may be claimed again.
   */
  leaseMs: number;
}

export type IdempotencyState =
  /** The key is now this request's: run it, then complete or release the key. */
  | { state: "claimed" }
  /** The first request with this key is still running. */
  | { state: "in_progress" }
  /** The key was used for a different request. */
  | { state: "mismatch" }
  /** The first request finished: replay its response. */
  | { state: "done"; response: StoredResponse }
  /**
   * The first request committed (marked in its commit's own transaction) but its server
   * stopped before storing the response: it must not run again, and its answer is lost.
   */
  | { state: "applied"; sandboxId: string; version: number };

export interface IdempotencyStore {
  claimIdempotencyKey(tenantId: string, claim: IdempotencyClaim): Promise<IdempotencyState>;
  /** Stores the response of a claimed request. */
  completeIdempotencyKey(tenantId: string, key: string, response: StoredResponse): Promise<void>;
  /**
   * Forgets a claim whose request applied nothing (e.g. a retryable failure), so a retry runs
   * it. A claim whose request did commit is kept: a retry is answered `applied` at once.
   */
  releaseIdempotencyKey(tenantId: string, key: string): Promise<void>;
  /**
   * Keeps a pending claim alive (its lease starts again). A store that can do
   * this lets the server use a short lease renewed while the request runs, so
   * a claim whose process died is free again within seconds, not minutes.
   */
  renewIdempotencyKey?(tenantId: string, key: string): Promise<void>;
}
