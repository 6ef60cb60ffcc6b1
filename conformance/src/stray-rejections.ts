/**
 * Rejections nobody handled during a run, traced to the case whose code made
 * the promise: a case that leaves a promise behind fails, instead of taking
 * the whole run down (Node ends a process on an unhandled rejection).
 */
import { AsyncLocalStorage, createHook } from "node:async_hooks";

export interface StrayRejections {
  /** Runs `fn` as case `index`: promises it makes are traced to it. */
  within<T>(index: number, fn: () => Promise<T>): Promise<T>;
  /** Each case's stray rejections so far, by case index. */
  readonly byCase: ReadonlyMap<number, unknown[]>;
  dispose(): void;
}

export function watchStrayRejections(): StrayRejections {
  const current = new AsyncLocalStorage<number>();
  const owner = new WeakMap<object, number>();
  const byCase = new Map<number, unknown[]>();
  const hook = createHook({
    init(_id, type, _trigger, resource) {
      const index = current.getStore();
      if (type === "PROMISE" && index !== undefined) owner.set(resource as object, index);
    },
  }).enable();
  const onRejection = (reason: unknown, promise: Promise<unknown>) => {
    const index = owner.get(promise) ?? -1;
    byCase.set(index, [...(byCase.get(index) ?? []), reason]);
  };
  process.on("unhandledRejection", onRejection);
  return {
    within: (index, fn) => current.run(index, fn),
    byCase,
    dispose() {
      hook.disable();
      process.off("unhandledRejection", onRejection);
    },
  };
}

/** `left a promise that rejected: <reason>` for each one. */
export function describeStrays(reasons: readonly unknown[]): string {
  return reasons
    .map((r) => `left a promise that rejected: ${r instanceof Error ? r.message : String(r)}`)
    .join("\n");
}
