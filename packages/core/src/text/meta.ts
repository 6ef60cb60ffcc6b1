/** Rules for a file's tags and one-line summary (what `search` weighs besides the content). */
import type { FileMeta } from "../backend.js";
import { InvalidArgumentError } from "../errors.js";

export const MAX_TAGS = 32;
export const MAX_TAG_LENGTH = 64;
export const MAX_SUMMARY_LENGTH = 500;

/** A tag is one token of printable, non-space characters (`auth`, `entry-point`, `lang:ts`). */
const TAG = /^[^\p{White_Space}\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}]+$/u;
/** Line breaks and other control or invisible format characters have no place in one line. */
const NOT_ONE_LINE = /[\p{Cc}\p{Zl}\p{Zp}\p{Cs}]/u;

/**
 * Checks and normalizes tags and summary: tags deduplicated in order; the
 * summary trimmed, empty meaning none. Throws InvalidArgumentError saying
 * what is wrong.
 */
export function normalizeFileMeta(input: { tags?: unknown; summary?: unknown }): FileMeta {
  const tags: string[] = [];
  if (input.tags !== undefined) {
    if (!Array.isArray(input.tags)) throw new InvalidArgumentError("tags must be an array");
    for (const tag of input.tags) {
      if (typeof tag !== "string" || tag.length === 0 || tag.length > MAX_TAG_LENGTH) {
        throw new InvalidArgumentError(
          `each tag must be a string of 1 to ${MAX_TAG_LENGTH} characters`,
        );
      }
      if (!TAG.test(tag)) {
        throw new InvalidArgumentError(
          `tag ${JSON.stringify(tag)} has a space or control character`,
        );
      }
      if (!tags.includes(tag)) tags.push(tag);
    }
    if (tags.length > MAX_TAGS) throw new InvalidArgumentError(`at most ${MAX_TAGS} tags`);
  }
  let summary: string | null = null;
  if (input.summary !== undefined && input.summary !== null) {
    if (typeof input.summary !== "string")
      throw new InvalidArgumentError("summary must be a string");
    if (NOT_ONE_LINE.test(input.summary)) {
      throw new InvalidArgumentError(
        "summary must be one line (no line breaks or control characters)",
      );
    }
    const trimmed = input.summary.trim();
    if (trimmed.length > MAX_SUMMARY_LENGTH) {
      throw new InvalidArgumentError(`summary is longer than ${MAX_SUMMARY_LENGTH} characters`);
    }
    summary = trimmed === "" ? null : trimmed;
  }
  return { tags, summary };
}
