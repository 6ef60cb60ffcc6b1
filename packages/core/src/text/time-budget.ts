/**
 * A budget of synchronous run time that interrupts even a running regular
 * expression. JavaScript regexes backtrack and cannot be cancelled from
 * inside: an agent's `(a+)+$` on a long line would hold the event loop (and so
 * every other request) for minutes. V8 can terminate script execution from a
 * watchdog thread, which Node exposes as the `timeout` of `vm` scripts; that
 * termination also unwinds host functions called from the script, so `spend`
 * runs ordinary code under it.
 */
import { createContext, Script } from "node:vm";

const CALL = new Script("work()");
/**
 * One context for every budget: making one costs ~1.3 ms, a tenth of a rare-word API grep.
 * Sharing is safe: `spend` is synchronous, and a nested `spend` only replaces the slot after
 * the outer call has already read it.
 */
const CONTEXT = createContext({ work: null as null | (() => unknown) });

export class TimeBudget {
  #remainingMs: number;
  readonly #context = CONTEXT;

  /** `ms`: the total synchronous time `spend` may use across all its calls. */
  constructor(readonly ms: number) {
    this.#remainingMs = ms;
  }

  get exhausted(): boolean {
    return this.#remainingMs <= 0;
  }

  /**
   * Runs `work`, which must take time linear in its input (it cannot be
   * interrupted), and charges the time it took; `undefined` when the budget
   * was already spent. No watchdog thread, so no ~0.1–1 ms per call.
   */
  spendLinear<T>(work: () => T): { value: T } | undefined {
    if (this.exhausted) return undefined;
    const started = Date.now();
    try {
      return { value: work() };
    } finally {
      this.#remainingMs -= Date.now() - started;
    }
  }

  /**
   * Runs `work` and returns its result, or `undefined` when the budget ran out
   * first (the work was stopped wherever it was; its side effects so far stay).
   * Each call costs ~0.1 ms (a watchdog thread), so batch small pieces of work.
   */
  spend<T>(work: () => T): { value: T } | undefined {
    if (this.exhausted) return undefined;
    const started = Date.now();
    const context = this.#context as { work: null | (() => unknown) };
    let value: T | undefined;
    context.work = () => {
      value = work();
    };
    try {
      CALL.runInContext(this.#context, { timeout: Math.max(1, Math.ceil(this.#remainingMs)) });
      return { value: value as T };
    } catch (error) {
      if ((error as { code?: unknown }).code === "ERR_SCRIPT_EXECUTION_TIMEOUT") {
        this.#remainingMs = 0;
        return undefined;
      }
      throw error;
    } finally {
      context.work = null;
      if (this.#remainingMs > 0) this.#remainingMs -= Date.now() - started;
    }
  }
}
