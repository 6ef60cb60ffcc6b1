/** Choosing cases: `only` filters and `skip` entries, each skip with its reason. */
import type { ConformanceCase } from "./case.js";

/** An id (`files/write-file/empty-file`), a prefix (`files`, `files/write-file`), a glob (`files/*\/if-*`) or a RegExp. */
export type CasePattern = string | RegExp;

export interface SkipEntry {
  /** Why these cases are skipped; shown in every report. */
  reason: string;
  cases: CasePattern[];
}

/** Whether a case id matches a pattern. */
export function matchesPattern(id: string, pattern: CasePattern): boolean {
  if (pattern instanceof RegExp) return pattern.test(id);
  if (pattern.includes("*")) {
    const source = pattern
      .split("*")
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*");
    return new RegExp(`^${source}$`).test(id);
  }
  return id === pattern || id.startsWith(`${pattern.replace(/\/+$/, "")}/`);
}

export interface Selection {
  readonly testCase: ConformanceCase;
  /** Set when the case is skipped. */
  readonly skipReason?: string;
}

/**
 * Applies `only` and `skip` to the cases, in order. Throws when a skip has no reason or matches
 * no case at all (a stale or misspelt skip should not hide silently).
 */
export function selectCases(
  cases: readonly ConformanceCase[],
  only?: CasePattern | CasePattern[],
  skip: readonly SkipEntry[] = [],
): Selection[] {
  for (const entry of skip) {
    if (!entry.reason.trim()) throw new Error(`skip of ${entry.cases.join(", ")} needs a reason`);
    for (const pattern of entry.cases) {
      if (!cases.some((c) => matchesPattern(c.id, pattern))) {
        throw new Error(
          `skip pattern ${String(pattern)} matches no case (reason: ${entry.reason})`,
        );
      }
    }
  }
  const onlyList = only === undefined ? undefined : Array.isArray(only) ? only : [only];
  return cases
    .filter((c) => !onlyList || onlyList.some((p) => matchesPattern(c.id, p)))
    .map((testCase) => {
      const entry = skip.find((s) => s.cases.some((p) => matchesPattern(testCase.id, p)));
      return entry ? { testCase, skipReason: entry.reason } : { testCase };
    });
}
