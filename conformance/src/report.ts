/** The result of a conformance run, as reporters and callers see it. */
import type { Feature } from "./case.js";

export type CaseStatus = "passed" | "failed" | "skipped";

export interface CaseResult {
  readonly id: string;
  readonly feature: Feature;
  readonly title: string;
  readonly status: CaseStatus;
  readonly durationMs: number;
  /** Why it failed (status `failed`). */
  readonly error?: { readonly message: string; readonly stack?: string };
  /** Why it was skipped (status `skipped`). */
  readonly skipReason?: string;
}

export interface Report {
  readonly baseUrl: string;
  readonly results: readonly CaseResult[];
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  readonly durationMs: number;
}

/** `N passed, N failed` plus `, N skipped` when any were skipped. */
export function summaryLine(report: Report): string {
  const base = `${report.passed} passed, ${report.failed} failed`;
  return report.skipped > 0 ? `${base}, ${report.skipped} skipped` : base;
}
