/** Exact string replacement, for the agent edit tool. */
import { InvalidArgumentError } from "../errors.js";

export type EditErrorCode = "edit_no_match" | "edit_ambiguous";

/** The edit could not be made: `oldString` was not found, or found more than once. */
export class EditError extends Error {
  override readonly name = "EditError";
  readonly code: EditErrorCode;
  /** Occurrences of `oldString` in the text (0 for edit_no_match). */
  readonly count: number;

  constructor(code: EditErrorCode, count: number, message?: string) {
    super(message ?? defaultMessage(code, count));
    this.code = code;
    this.count = count;
  }
}

function defaultMessage(code: EditErrorCode, count: number): string {
  return code === "edit_no_match"
    ? "oldString was not found in the file"
    : `oldString occurs ${count} times; include more surrounding text to make it unique, or set replaceAll`;
}

export interface ReplaceOptions {
  /** Replace every occurrence instead of requiring exactly one. */
  replaceAll?: boolean;
}

/**
 * Replaces `oldString` in `text` with `newString`, matching exactly (no
 * line-ending or whitespace normalization). Without `replaceAll` the text must
 * hold exactly one occurrence; with it, every non-overlapping occurrence (left
 * to right) is replaced and there must be at least one. `newString` is
 * inserted literally (`$&` and the like mean nothing).
 *
 * Throws EditError `edit_no_match` (count 0) or `edit_ambiguous` (count = the
 * occurrences); InvalidArgumentError for an empty `oldString`.
 */
export function replaceExact(
  text: string,
  oldString: string,
  newString: string,
  options: ReplaceOptions = {},
): { text: string; replacements: number } {
  if (typeof oldString !== "string" || oldString === "") {
    throw new InvalidArgumentError("oldString must not be empty");
  }
  if (typeof newString !== "string") throw new InvalidArgumentError("newString must be a string");
  const first = text.indexOf(oldString);
  if (first < 0) {
    const crlf = !oldString.includes("\r") && oldString.includes("\n") && text.includes("\r\n");
    throw new EditError(
      "edit_no_match",
      0,
      crlf
        ? "oldString was not found in the file (the file uses \\r\\n line endings; oldString has bare \\n)"
        : undefined,
    );
  }
  if (!options.replaceAll) {
    const second = text.indexOf(oldString, first + oldString.length);
    if (second >= 0) throw new EditError("edit_ambiguous", countOccurrences(text, oldString));
    return {
      text: text.slice(0, first) + newString + text.slice(first + oldString.length),
      replacements: 1,
    };
  }
  const pieces = text.split(oldString);
  return { text: pieces.join(newString), replacements: pieces.length - 1 };
}

function countOccurrences(text: string, needle: string): number {
  let count = 0;
  for (let i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length)) count++;
  return count;
}
