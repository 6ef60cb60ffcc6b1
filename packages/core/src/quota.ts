/** Per-sandbox quotas: bounds on what a tree may hold once a commit lands. */
import { FsError } from "./errors.js";
import type { Journal } from "./journal.js";
import type { Usage } from "./tree.js";

/** Per-sandbox bounds, checked against the tree a commit would leave (EDQUOT beyond). */
export interface Quota {
  /** Content bytes (a hard-linked file counts once). */
  maxBytes: number;
  /** Files, directories and symlinks. */
  maxFiles: number;
}

/**
 * Throws EDQUOT when `journal` leaves the tree over `quota` on a count it
 * grows: a change that only shrinks a sandbox already over (say, after the
 * quota was lowered) is let through, so it can be cleaned up.
 */
export function checkQuota(journal: Journal, quota: Quota | undefined, path = "/"): void {
  checkUsage(journal.base.usage, journal.usage, quota, path);
}

/** {@link checkQuota} on the usage before and after a change. */
export function checkUsage(
  before: Usage,
  after: Usage,
  quota: Quota | undefined,
  path = "/",
): void {
  if (!quota) return;
  for (const [count, max] of [
    ["bytes", quota.maxBytes],
    ["files", quota.maxFiles],
  ] as const) {
    if (after[count] > max && after[count] > before[count]) {
      throw new FsError(
        "EDQUOT",
        "write",
        path,
        `sandbox quota exceeded: ${after[count]} ${count} of ${max}`,
      );
    }
  }
}
