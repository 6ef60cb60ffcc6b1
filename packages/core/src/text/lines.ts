/**
 * Line and text primitives shared by the agent file tools (grep, read, patch).
 *
 * A line ends at `\n`, `\r\n` or a lone `\r`; a terminator at the very end of
 * the text does not start another (empty) line.
 */
import { tryDecodeUtf8 } from "../encoding.js";

/** A line terminator as found in the text; "" only for a last line without one. */
export type LineEnding = "" | "\n" | "\r\n" | "\r";

/** One line and the terminator that ended it. */
export interface LineRecord {
  text: string;
  eol: LineEnding;
}

const TERMINATOR_G = /\r\n|\r|\n/g;

/**
 * Splits text into lines without their terminators.
 *
 * @example splitLines("a\r\nb\rc\n") // ["a", "b", "c"]
 * @example splitLines("") // []
 * @example splitLines("\n") // [""]
 */
export function splitLines(text: string): string[] {
  // indexOf, not `text.split(regex)`: once just-bash has run a script it has frozen
  // RegExp.prototype's symbol methods, which sends every regex split in the process
  // down V8's slow path (grep's line splitting became ~50× slower after a first exec).
  const lines: string[] = [];
  let nl = text.indexOf("\n");
  let cr = text.indexOf("\r");
  for (let start = 0; start < text.length; ) {
    if (nl !== -1 && nl < start) nl = text.indexOf("\n", start);
    if (cr !== -1 && cr < start) cr = text.indexOf("\r", start);
    let end = nl === -1 ? text.length : nl;
    if (cr !== -1 && cr < end) end = cr;
    lines.push(text.slice(start, end));
    if (end === text.length) break;
    start = end + (text.charCodeAt(end) === 0x0d && text.charCodeAt(end + 1) === 0x0a ? 2 : 1);
  }
  return lines;
}

/** Splits text into lines, keeping what ended each one (see {@link splitLines}). */
export function splitLineRecords(text: string): LineRecord[] {
  const records: LineRecord[] = [];
  let start = 0;
  // matchAll works on a copy of the regex, so no lastIndex state is shared.
  for (const m of text.matchAll(TERMINATOR_G)) {
    records.push({ text: text.slice(start, m.index), eol: m[0] as LineEnding });
    start = m.index + m[0].length;
  }
  if (start < text.length) records.push({ text: text.slice(start), eol: "" });
  return records;
}

/**
 * Decodes a file's bytes as text, or returns undefined for binary content:
 * bytes containing NUL, or that are not valid UTF-8. A UTF-8 byte order mark
 * is dropped.
 */
export function decodeText(bytes: Uint8Array): string | undefined {
  if (bytes.indexOf(0) !== -1) return undefined;
  return tryDecodeUtf8(bytes);
}

/** True when the bytes are not text: they contain NUL or are not valid UTF-8. */
export function isBinary(bytes: Uint8Array): boolean {
  return decodeText(bytes) === undefined;
}

/** Size of `text` in UTF-8 (lone surrogates count 3, as TextEncoder writes U+FFFD). */
export function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && isLowSurrogate(text.charCodeAt(i + 1))) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/**
 * Cuts `text` to at most `maxBytes` of UTF-8 without splitting a character
 * (a surrogate pair is kept or dropped whole).
 */
export function cutUtf8(text: string, maxBytes: number): { text: string; cut: boolean } {
  // A UTF-16 unit is at most 3 UTF-8 bytes, so short strings need no counting.
  if (text.length * 3 <= maxBytes) return { text, cut: false };
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let size = 3;
    let units = 1;
    if (c < 0x80) size = 1;
    else if (c < 0x800) size = 2;
    else if (c >= 0xd800 && c <= 0xdbff && isLowSurrogate(text.charCodeAt(i + 1))) {
      size = 4;
      units = 2;
    }
    if (n + size > maxBytes) return { text: text.slice(0, i), cut: true };
    n += size;
    i += units - 1;
  }
  return { text, cut: false };
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}
