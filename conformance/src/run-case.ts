/** Runs one case with a fresh context, a time limit and its cleanups. */
import type { ConformanceCase } from "./case.js";
import { createCaseContext } from "./context.js";
import type { SpecValidator } from "./harness/spec-validator.js";

export interface RunCaseOptions {
  baseUrl: string;
  apiKey: string;
  /** A key with the `admin` scope; cases that need one are skipped without it. */
  adminApiKey?: string;
  validator: SpecValidator;
  /** Per-case time limit in ms (default 20 s). */
  timeoutMs?: number;
}

export class CaseTimeoutError extends Error {
  override readonly name = "CaseTimeoutError";
}

/** Runs the case; resolves when it passes, rejects with the reason when it fails. */
export async function runCase(testCase: ConformanceCase, options: RunCaseOptions): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const controller = new AbortController();
  const { ctx, cleanup } = createCaseContext({ ...options, signal: controller.signal });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new CaseTimeoutError(`${testCase.id} did not finish within ${timeoutMs} ms`);
      reject(error);
      controller.abort(error);
    }, timeoutMs);
  });
  let failure: unknown;
  try {
    await Promise.race([testCase.run(ctx), timeout]);
  } catch (error) {
    failure = error;
  } finally {
    clearTimeout(timer);
  }
  try {
    await cleanup();
  } catch (error) {
    failure ??= new Error(`cleanup failed: ${(error as Error).message}`, { cause: error });
  }
  if (failure !== undefined) throw failure;
}
