/** Runs the selected cases against a server URL and collects a report. */
import type { ConformanceCase } from "./case.js";
import { allCases } from "./cases/index.js";
import { CaseSkipped } from "./context.js";
import { SpecValidator } from "./harness/spec-validator.js";
import type { CaseResult, Report } from "./report.js";
import { runCase } from "./run-case.js";
import { type CasePattern, type Selection, type SkipEntry, selectCases } from "./selection.js";
import { describeStrays, watchStrayRejections } from "./stray-rejections.js";

export interface RunConformanceOptions {
  /** e.g. `http://127.0.0.1:7878` */
  baseUrl: string;
  apiKey: string;
  /** A key with the `admin` scope: tenant and key cases are skipped without one. */
  adminApiKey?: string;
  /** Run only cases matching these patterns (ids, prefixes, globs or RegExps). */
  only?: CasePattern | CasePattern[];
  /** Cases not to run, each group with its reason. */
  skip?: SkipEntry[];
  /** Per-case time limit in ms (default 20 s). */
  timeoutMs?: number;
  /** Cases running at once (default 1). */
  concurrency?: number;
  /** The cases to choose from (default: all of them). */
  cases?: readonly ConformanceCase[];
  /** Called as each case finishes. */
  onResult?: (result: CaseResult) => void;
}

/**
 * Runs the conformance suite against a running server.
 * @example
 * const report = await runConformance({ baseUrl: "http://127.0.0.1:7878", apiKey: "k" });
 * if (report.failed > 0) process.exitCode = 1;
 */
export async function runConformance(options: RunConformanceOptions): Promise<Report> {
  const started = performance.now();
  const selections = selectCases(options.cases ?? allCases, options.only, options.skip);
  const validator = new SpecValidator();
  const results: CaseResult[] = new Array(selections.length);
  let next = 0;
  const strays = watchStrayRejections();

  async function worker(): Promise<void> {
    while (next < selections.length) {
      const index = next++;
      const selection = selections[index];
      if (!selection) return;
      const result = await strays.within(index, () => execute(selection, options, validator));
      results[index] = result;
      options.onResult?.(result);
    }
  }

  const workers = Math.max(1, Math.min(options.concurrency ?? 1, selections.length));
  try {
    await Promise.all(Array.from({ length: workers }, worker));
    // A promise a case left behind may reject after it ended: give it a moment.
    await new Promise((resolve) => setTimeout(resolve, 50));
  } finally {
    strays.dispose();
  }
  for (const [index, reasons] of strays.byCase) {
    const result = results[index];
    if (!result) {
      console.warn(`cairn-conformance: ${describeStrays(reasons)} (no case to blame)`);
      continue;
    }
    const message = [result.error?.message, describeStrays(reasons)].filter(Boolean).join("\n");
    results[index] = { ...result, status: "failed", error: { ...result.error, message } };
  }
  const count = (status: CaseResult["status"]) => results.filter((r) => r.status === status).length;
  return {
    baseUrl: options.baseUrl,
    results,
    passed: count("passed"),
    failed: count("failed"),
    skipped: count("skipped"),
    durationMs: performance.now() - started,
  };
}

async function execute(
  { testCase, skipReason }: Selection,
  options: RunConformanceOptions,
  validator: SpecValidator,
): Promise<CaseResult> {
  const base = { id: testCase.id, feature: testCase.feature, title: testCase.title };
  if (skipReason !== undefined) return { ...base, status: "skipped", durationMs: 0, skipReason };
  const started = performance.now();
  try {
    await runCase(testCase, { ...options, validator });
    return { ...base, status: "passed", durationMs: performance.now() - started };
  } catch (error) {
    if (error instanceof CaseSkipped) {
      return { ...base, status: "skipped", durationMs: 0, skipReason: error.message };
    }
    const err = error instanceof Error ? error : new Error(String(error));
    return {
      ...base,
      status: "failed",
      durationMs: performance.now() - started,
      error: { message: err.message, stack: err.stack },
    };
  }
}
