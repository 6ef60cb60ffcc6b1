/**
 * Per-caller request rate limits (a token bucket per key) and concurrency
 * gates that fail fast: a caller over its rate gets 429 with Retry-After, and
 * a request that would exceed a concurrency bound gets 503 (retryable) at
 * once instead of queueing. Both are per process: N replicas allow N times
 * the rate, which is what a fleet behind a load balancer expects.
 */
import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../env.js";
import { ProblemError } from "../problem.js";

/** Buckets and counters kept for at most this many callers (the least recent go first). */
const MAX_TRACKED_CALLERS = 10_000;

/** Who a request counts against: its key, else its kind of credential and tenant. */
export function callerOf(c: Context<AppEnv>): string {
  const principal = c.get("principal");
  if (principal?.keyId) return `key:${principal.keyId}`;
  return `${principal?.kind ?? "none"}:${c.get("scope")?.tenantId ?? "-"}`;
}

/** A token bucket per caller: `perSecond` tokens a second, up to `burst`. */
export class RateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    readonly perSecond: number,
    readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The milliseconds until `caller` has a token (0: now), taking none. */
  peek(caller: string): number {
    const bucket = this.#buckets.get(caller);
    if (!bucket) return 0;
    const tokens = Math.min(
      this.burst,
      bucket.tokens + ((this.now() - bucket.at) / 1000) * this.perSecond,
    );
    return tokens >= 1 ? 0 : Math.ceil(((1 - tokens) / this.perSecond) * 1000);
  }

  /**
   * Takes a token; returns 0 when granted, else the milliseconds until one is free. `perSecond`
   * and `burst` are the caller's own when it has some (a tenant's limits), else the limiter's.
   */
  take(caller: string, perSecond = this.perSecond, burst = this.burst): number {
    const now = this.now();
    const bucket = this.#buckets.get(caller) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
    bucket.at = now;
    this.#buckets.delete(caller); // re-inserted last: the map's order is least recent first
    this.#buckets.set(caller, bucket);
    if (this.#buckets.size > MAX_TRACKED_CALLERS) {
      this.#buckets.delete(this.#buckets.keys().next().value!);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - bucket.tokens) / perSecond) * 1000);
  }
}

/** Counts what is in flight, overall or per caller, and refuses beyond a bound. */
export class Gate {
  readonly #inFlight = new Map<string, number>();

  constructor(readonly max: number) {}

  /** A release function, or undefined when `key` already has `max` in flight. */
  tryEnter(key = ""): (() => void) | undefined {
    const n = this.#inFlight.get(key) ?? 0;
    if (n >= this.max) return undefined;
    this.#inFlight.set(key, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.#inFlight.get(key) ?? 1) - 1;
      if (left === 0) this.#inFlight.delete(key);
      else this.#inFlight.set(key, left);
    };
  }

  inFlight(key = ""): number {
    return this.#inFlight.get(key) ?? 0;
  }
}

/**
 * 429 `rate_limited` once a caller is over its rate: the request's `limits` (its tenant's, else
 * the server's; a rate of 0 is no limit).
 */
export function rateLimit(
  limiter: RateLimiter,
  onReject: () => void = () => {},
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const perSecond = c.get("limits")?.rateLimitPerSecond ?? limiter.perSecond;
    const burst = c.get("limits")?.rateLimitBurst ?? limiter.burst;
    if (perSecond <= 0) return next();
    const waitMs = limiter.take(callerOf(c), perSecond, burst);
    if (waitMs > 0) {
      onReject();
      throw new ProblemError(
        429,
        "rate_limited",
        `over ${perSecond} requests a second (burst ${burst}) for this key; retry in ${waitMs} ms. The server's default is 1,000 a second per key; an admin sets a tenant's own with PATCH /v1/tenants/{tenantId} (docs/limits.md)`,
        { retryable: true, headers: { "Retry-After": String(Math.ceil(waitMs / 1000)) } },
      );
    }
    await next();
  };
}

/** The peer's address (undefined outside a Node server, e.g. `app.request` in tests). */
function peerAddress(c: Context<AppEnv>): string {
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    return "unknown";
  }
}

/**
 * Failed authentications per client address: past the limiter's burst, 429
 * before the credential is even looked at. Without it, a flood of made-up
 * keys would cost a key lookup each and count against no key's rate.
 */
export function authFailureLimit(
  limiter: RateLimiter,
  onReject: () => void = () => {},
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const address = peerAddress(c);
    const waitMs = limiter.peek(address);
    if (waitMs > 0) {
      onReject();
      throw new ProblemError(
        429,
        "rate_limited",
        `too many failed authentications from this address; retry in ${waitMs} ms`,
        { retryable: true, headers: { "Retry-After": String(Math.ceil(waitMs / 1000)) } },
      );
    }
    await next();
    if (c.res.status === 401) limiter.take(address);
  };
}

/**
 * 503 `unavailable` (retryable) when the gate is full for this request's
 * key. The permit is held until the response is over, including a streamed
 * body (server-sent events, an archive) until it ends or the client leaves.
 */
export function gated(
  gate: Gate,
  what: string,
  keyOf: (c: Context<AppEnv>) => string = () => "",
  onReject: () => void = () => {},
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const release = gate.tryEnter(keyOf(c));
    if (!release) {
      onReject();
      throw new ProblemError(
        503,
        "unavailable",
        `too many ${what} in flight (at most ${gate.max})`,
        {
          retryable: true,
          headers: { "Retry-After": "1" },
        },
      );
    }
    try {
      await next();
    } catch (error) {
      release();
      throw error;
    }
    holdUntilSent(c, release);
  };
}

/** Calls `release` once the response body is fully sent or cancelled (now, if it is not streamed). */
function holdUntilSent(c: Context<AppEnv>, release: () => void): void {
  // The type first: reading `body` of a response the Node adapter keeps lightweight turns it
  // into a full web Response.
  const type = c.res.headers.get("content-type") ?? "";
  const body =
    type.startsWith("text/event-stream") || type.startsWith("application/gzip") ? c.res.body : null;
  if (!body) {
    release();
    return;
  }
  const reader = body.getReader();
  const wrapped = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          release();
          controller.close();
        } else controller.enqueue(value);
      } catch (error) {
        release();
        controller.error(error);
      }
    },
    cancel(reason) {
      release();
      return reader.cancel(reason);
    },
  });
  c.res = new Response(wrapped, c.res);
}
