/** The case model: one behaviour of the API, identified by `feature/operation/behaviour`. */
import type { CaseContext } from "./context.js";

/** The closed list of features a case belongs to. */
export const features = [
  "system",
  "auth",
  "sandboxes",
  "files",
  "search",
  "paths",
  "exec",
  "history",
] as const;

export type Feature = (typeof features)[number];

/** One behaviour that every implementation of the spec must show. */
export interface ConformanceCase {
  /** `feature/operation/behaviour`, kebab-case, e.g. `files/write-file/binary-round-trip`. */
  readonly id: string;
  readonly feature: Feature;
  /** One sentence saying what must hold. */
  readonly title: string;
  /** Throws (an `AssertionError` or any error) when the behaviour does not hold. */
  run(ctx: CaseContext): Promise<void>;
}

const idPattern = /^[a-z0-9]+(?:-[a-z0-9]+)*\/[a-z0-9]+(?:-[a-z0-9]+)*\/[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Whether `id` is three kebab-case segments. */
export function isValidCaseId(id: string): boolean {
  return idPattern.test(id);
}

/**
 * Builds the cases of one operation, deriving each id from the feature and operation.
 * @example
 * export default defineCases("files", "write-file", {
 *   "empty-file": ["An empty body makes an empty file.", async (ctx) => { ... }],
 * });
 */
export function defineCases(
  feature: Feature,
  operation: string,
  behaviours: Record<string, readonly [title: string, run: (ctx: CaseContext) => Promise<void>]>,
): ConformanceCase[] {
  return Object.entries(behaviours).map(([behaviour, [title, run]]) => ({
    id: `${feature}/${operation}/${behaviour}`,
    feature,
    title,
    run,
  }));
}
