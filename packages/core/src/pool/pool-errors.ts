/** Errors of the script worker pool: a script over its memory cap, a full queue, a closed pool. */

/** The script's worker went past its heap cap and was replaced; nothing was committed. */
export class ScriptMemoryError extends Error {
  override readonly name = "ScriptMemoryError";
  constructor(
    readonly heapMb: number,
    detail = "the script went over the memory limit",
  ) {
    super(`${detail} (${heapMb} MiB heap per script worker); nothing was committed`);
  }
}

/** Too many scripts are waiting for a worker; nothing was run. */
export class PoolBusyError extends Error {
  override readonly name = "PoolBusyError";
  constructor(readonly queued: number) {
    super(`${queued} scripts are already waiting for a worker; nothing was run`);
  }
}

/** The pool is shutting down or its worker was lost; nothing was committed. */
export class PoolUnavailableError extends Error {
  override readonly name = "PoolUnavailableError";
}
