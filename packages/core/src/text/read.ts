/** A line-numbered view of a file's content, for the agent read tool. */
import { InvalidArgumentError } from "../errors.js";
import { cutUtf8, decodeText, splitLineRecords, utf8Length } from "./lines.js";

export const DEFAULT_READ_MAX_BYTES = 256 * 1024;

export interface ReadLinesOptions {
  /** First line to return, 1-based; default 1. */
  startLine?: number;
  /** Last line to return, inclusive; default the last line of the file. */
  endLine?: number;
  /** Most bytes of `text` (UTF-8); default 256 KiB. */
  maxBytes?: number;
}

export interface ReadLinesResult {
  binary: boolean;
  text: string;
  /** First line asked for. */
  startLine: number;
  /** Last full line in `text`; `startLine - 1` when `text` holds no full line. */
  endLine: number;
  totalLines: number;
  /** True when `maxBytes` cut the range short. */
  truncated: boolean;
}

/**
 * Returns lines `startLine..endLine` (1-based, inclusive) of the content.
 *
 * - Lines are joined with "\n": original terminators (`\r\n`, `\r`) are
 *   normalized to `\n` in this view. `text` ends with "\n" when the last line
 *   returned had a terminator in the file.
 * - `endLine` past the end is clamped; `startLine` past the end gives empty
 *   text with `endLine = startLine - 1` (no error). Lines returned are always
 *   `endLine - startLine + 1`.
 * - `maxBytes` cuts at a line boundary (`truncated: true`, `endLine` = the last
 *   full line returned). When even the first line does not fit, `text` holds
 *   the part of it that fits (cut UTF-8 safely, no "\n") and `endLine` is
 *   `startLine - 1`.
 * - Binary content (NUL or invalid UTF-8) gives `binary: true`, empty text
 *   and `totalLines: 0`. A UTF-8 byte order mark is dropped.
 *
 * Throws InvalidArgumentError when startLine < 1, endLine < startLine, or a
 * bound is not an integer (maxBytes must be at least 1).
 */
export function readLines(bytes: Uint8Array, options: ReadLinesOptions = {}): ReadLinesResult {
  const startLine = options.startLine ?? 1;
  if (!Number.isInteger(startLine) || startLine < 1) {
    throw new InvalidArgumentError("startLine must be an integer of at least 1");
  }
  if (options.endLine !== undefined) {
    if (!Number.isInteger(options.endLine)) {
      throw new InvalidArgumentError("endLine must be an integer");
    }
    if (options.endLine < startLine) {
      throw new InvalidArgumentError(
        `endLine (${options.endLine}) must not be before startLine (${startLine})`,
      );
    }
  }
  const maxBytes = options.maxBytes ?? DEFAULT_READ_MAX_BYTES;
  if (!Number.isInteger(maxBytes) || maxBytes < 1) {
    throw new InvalidArgumentError("maxBytes must be an integer of at least 1");
  }
  const empty = { text: "", startLine, endLine: startLine - 1, truncated: false };

  const decoded = decodeText(bytes);
  if (decoded === undefined) return { binary: true, totalLines: 0, ...empty };
  const lines = splitLineRecords(decoded);
  const totalLines = lines.length;
  const last = Math.min(options.endLine ?? totalLines, totalLines);
  if (startLine > last) return { binary: false, totalLines, ...empty };

  const parts: string[] = [];
  let used = 0;
  let endLine = startLine - 1;
  let truncated = false;
  for (let n = startLine; n <= last; n++) {
    const record = lines[n - 1]!;
    const piece = record.eol === "" ? record.text : `${record.text}\n`;
    const size = utf8Length(piece);
    if (used + size > maxBytes) {
      truncated = true;
      if (parts.length === 0) parts.push(cutUtf8(record.text, maxBytes).text);
      break;
    }
    parts.push(piece);
    used += size;
    endLine = n;
  }
  return { binary: false, text: parts.join(""), startLine, endLine, totalLines, truncated };
}
