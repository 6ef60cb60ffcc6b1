/**
 * Graceful shutdown: once draining, the server takes no new work (503
 * `unavailable`, retryable) while what is in flight finishes; past the
 * deadline, the scripts still running are aborted (nothing they wrote is
 * committed) and their callers told to retry elsewhere.
 */
import { setMaxListeners } from "node:events";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./env.js";
import { ProblemError } from "./problem.js";

/**
 * @example
 * const drain = new Drain();
 * const app = createApp({ backend, apiKey, drain });
 * process.once("SIGTERM", async () => {
 *   drain.start();
 *   if (!(await drain.settled(30_000))) drain.abort();
 * });
 */
export class Drain {
  #draining = false;
  #inFlight = 0;
  readonly #idle = new Set<() => void>();
  readonly #abort = new AbortController();

  constructor() {
    // Every exec in flight listens to the signal (and lets go when it ends): dozens at once is
    // load, not a leak, so Node's warning past 10 listeners would only alarm operators.
    setMaxListeners(0, this.#abort.signal);
  }

  /** True once shutdown began: readiness should fail and new work is refused. */
  get draining(): boolean {
    return this.#draining;
  }

  /** Requests (and open exec streams) still in flight. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Aborts once the drain deadline passed: work still running must stop. */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  /** Stops taking new work. */
  start(): void {
    this.#draining = true;
  }

  /** Ends what is still running (after the deadline). */
  abort(): void {
    this.#draining = true;
    this.#abort.abort();
  }

  /** Counts one piece of work until the returned function is called. */
  enter(): () => void {
    this.#inFlight++;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.#inFlight--;
      if (this.#inFlight === 0) for (const wake of this.#idle) wake();
    };
  }

  /** Whether everything in flight ended within `ms`. */
  settled(ms: number): Promise<boolean> {
    if (this.#inFlight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (idle: boolean) => {
        clearTimeout(timer);
        this.#idle.delete(wake);
        resolve(idle);
      };
      const wake = () => done(true);
      const timer = setTimeout(() => done(this.#inFlight === 0), ms);
      this.#idle.add(wake);
    });
  }

  /** Refuses new requests while draining; counts the others while they run. */
  middleware(): MiddlewareHandler<AppEnv> {
    return async (c, next) => {
      if (this.#draining) {
        c.header("Connection", "close");
        throw shuttingDown("the server is shutting down; nothing was done");
      }
      const leave = this.enter();
      try {
        await next();
      } finally {
        leave();
      }
    };
  }
}

/** 503 `unavailable`, retryable: another replica (or this one, restarted) can take it. */
export function shuttingDown(detail: string): ProblemError {
  return new ProblemError(503, "unavailable", detail, {
    retryable: true,
    headers: { "Retry-After": "1", Connection: "close" },
  });
}
