/**
 * The expiry sweeper: every replica runs one; the backend makes concurrent sweeps safe (each
 * expired sandbox is deleted by exactly one of them), so no leader is needed.
 */
import type { Backend, SweptSandbox } from "@cairn/core";

export interface ExpirySweeperOptions {
  backend: Backend;
  /** Time between sweeps (the first one runs after this too). */
  intervalMs: number;
  /** Sandboxes deleted per backend call; a full batch is followed by another at once (default 100). */
  batch?: number;
  onSwept?: (swept: SweptSandbox[]) => void;
  /** A failed sweep (e.g. the database is away) is reported and retried next interval. */
  onError?: (error: unknown) => void;
}

export interface ExpirySweeper {
  /** Sweeps now until no expired sandbox is left; resolves with how many were deleted. */
  sweep(): Promise<number>;
  /** Stops the timer and waits for a sweep under way. */
  stop(): Promise<void>;
}

/**
 * Deletes expired sandboxes in the background. Without `backend.sweepExpired` it does nothing
 * (an expired sandbox is still gone for every request; its storage is just not reclaimed).
 *
 * @example
 * const sweeper = startExpirySweeper({ backend, intervalMs: 60_000 });
 * await sweeper.stop();
 */
export function startExpirySweeper(options: ExpirySweeperOptions): ExpirySweeper {
  const { backend } = options;
  const batch = options.batch ?? 100;
  let running: Promise<number> | undefined;
  let stopped = false;

  async function sweepAll(): Promise<number> {
    if (!backend.sweepExpired) return 0;
    let total = 0;
    for (;;) {
      const swept = await backend.sweepExpired({ limit: batch });
      total += swept.length;
      if (swept.length > 0) options.onSwept?.(swept);
      if (swept.length < batch || stopped) return total;
    }
  }

  /** One sweep at a time in this process: a caller during one waits for it. */
  function sweep(): Promise<number> {
    running ??= sweepAll().finally(() => {
      running = undefined;
    });
    return running;
  }

  const timer = setInterval(() => {
    sweep().catch((error: unknown) => options.onError?.(error));
  }, options.intervalMs);
  timer.unref();

  return {
    sweep,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running?.catch(() => {});
    },
  };
}
