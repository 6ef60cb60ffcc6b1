/** Abort plumbing: one attempt's signal (the caller's signal plus a timeout) and an abortable sleep. */

/** setTimeout's largest delay; anything longer (or not finite) means "no timeout". */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface Deadline {
  /** Aborts when the caller's signal does or when the time is up. */
  signal: AbortSignal;
  /** True once the time ran out (as opposed to the caller aborting). */
  timedOut(): boolean;
  /** Stops the timer; the caller's signal still aborts `signal`. */
  clear(): void;
}

/**
 * A signal for one attempt: aborted by `caller` or after `timeoutMs`.
 *
 * @example
 * const deadline = startDeadline(options.signal, 60_000);
 * try { return await fetch(url, { signal: deadline.signal }); } finally { deadline.clear(); }
 */
export function startDeadline(caller: AbortSignal | undefined, timeoutMs: number): Deadline {
  const timeout = new AbortController();
  let timedOut = false;
  const timer =
    Number.isFinite(timeoutMs) && timeoutMs <= MAX_TIMER_MS
      ? setTimeout(() => {
          timedOut = true;
          timeout.abort(new DOMException(`No response within ${timeoutMs} ms`, "TimeoutError"));
        }, timeoutMs)
      : undefined;
  return {
    signal: caller ? anySignal([caller, timeout.signal]) : timeout.signal,
    timedOut: () => timedOut,
    clear: () => clearTimeout(timer),
  };
}

/**
 * Resolves after `ms`, or rejects with the signal's reason as soon as it aborts.
 *
 * @example await sleep(500, options.signal);
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** `AbortSignal.any`, with a fallback for runtimes that predate it (Node < 20.3). */
function anySignal(signals: AbortSignal[]): AbortSignal {
  if (typeof AbortSignal.any === "function") return AbortSignal.any(signals);
  const controller = new AbortController();
  for (const signal of signals) {
    if (signal.aborted) {
      controller.abort(signal.reason);
      break;
    }
    const forward = () => controller.abort(signal.reason);
    signal.addEventListener("abort", forward, { once: true, signal: controller.signal });
  }
  return controller.signal;
}
