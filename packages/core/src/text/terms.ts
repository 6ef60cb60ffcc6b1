/**
 * The words ranked search compares: runs of letters and digits, lowercased.
 * A run that mixes cases or letters and digits (`parseHTTPConfig`, `utf8`) also
 * gives its parts (`parse`, `http`, `config`), so an agent finds `parseConfig`
 * by asking for `config`; `snake_case` and `kebab-case` split anyway. A plural
 * `s` is dropped (`tests` → `test`).
 *
 * Every term is a prefix of a lowercased piece of the text, which is what lets
 * a substring index pick candidate files without missing one.
 */

/** Runs longer than this (minified code, base64) are not words. */
export const MAX_TERM_LENGTH = 64;

const RUN = /[\p{L}\p{N}]+/gu;
/** Pieces of a run: `HTTPServer` → HTTP, Server; `utf8` → utf, 8. Covers every character. */
const PIECE =
  /\p{Lu}+(?=\p{Lu}\p{Ll})|\p{Lu}\p{Ll}+|\p{Lu}+|\p{Ll}+|\p{N}+|[^\p{Lu}\p{Ll}\p{N}]+/gu;
const MIXED = /\p{Ll}\p{Lu}|\p{L}\p{N}|\p{N}\p{L}|\p{Lu}\p{Lu}\p{Ll}/u;

/** Drops a plural `s`, never rewriting what is left (so the term stays a prefix). */
function stem(word: string): string {
  if (word.length < 4 || !word.endsWith("s")) return word;
  return /(?:ss|us|is)$/.test(word) ? word : word.slice(0, -1);
}

/** Calls `emit` with each term of `text`, in order; a run gives itself, then its parts. */
export function forEachTerm(text: string, emit: (term: string) => void): void {
  // `exec` loops, not `matchAll`: once just-bash has run a script it has frozen
  // RegExp.prototype's symbol methods, which sends `matchAll` down V8's slow path. `lastIndex`
  // is set before each `exec` from our own position, so a nested call cannot disturb it.
  for (let at = 0; ; ) {
    RUN.lastIndex = at;
    const match = RUN.exec(text);
    if (match === null) return;
    at = RUN.lastIndex;
    const run = match[0];
    if (run.length > MAX_TERM_LENGTH) continue;
    emit(stem(run.toLowerCase()));
    if (!MIXED.test(run)) continue;
    for (let from = 0; from < run.length; ) {
      PIECE.lastIndex = from;
      const piece = PIECE.exec(run)![0];
      from = PIECE.lastIndex;
      emit(stem(piece.toLowerCase()));
    }
  }
}

/** The distinct terms of `text`, in order of first appearance. */
export function termsOf(text: string): string[] {
  const terms = new Set<string>();
  forEachTerm(text, (term) => terms.add(term));
  return [...terms];
}

const WORD_CHAR = /^[\p{L}\p{N}]$/u;
const ASCII_TERM = /^[\x20-\x7e]*$/;

/** Whether the code point at `i` (a UTF-16 index, not inside a pair) is a letter or digit. */
function wordAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c < 0x80) return (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a);
  return WORD_CHAR.test(String.fromCodePoint(text.codePointAt(i)!));
}

/** Where the code point ending just before `i` starts (a surrogate pair is one). */
function previousStart(text: string, i: number): number {
  const c = text.charCodeAt(i - 1);
  if (c >= 0xdc00 && c <= 0xdfff && i >= 2) {
    const h = text.charCodeAt(i - 2);
    if (h >= 0xd800 && h <= 0xdbff) return i - 2;
  }
  return i - 1;
}

/**
 * How often `forEachTerm(text)` emits each of `terms`, without splitting all
 * of `text` into terms: an ASCII term is a substring of the lowercased text
 * wherever it is emitted (it is a prefix of a lowercased piece of a run), so
 * only the runs around its occurrences are split. Falls back to splitting the
 * whole text for non-ASCII terms, or when lowercasing changes the length (then
 * offsets in the lowercased text are not offsets in the text).
 */
export function countTerms(text: string, terms: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const term of terms) counts.set(term, 0);
  const lower = text.toLowerCase();
  if (lower.length !== text.length || !terms.every((t) => ASCII_TERM.test(t) && t !== "")) {
    forEachTerm(text, (t) => {
      const n = counts.get(t);
      if (n !== undefined) counts.set(t, n + 1);
    });
    return counts;
  }
  for (const term of terms) {
    let n = 0;
    for (let at = lower.indexOf(term); at !== -1; ) {
      let start = at;
      while (start > 0) {
        const before = previousStart(text, start);
        if (!wordAt(text, before)) break;
        start = before;
      }
      let end = at;
      while (end < text.length && wordAt(text, end)) end += text.codePointAt(end)! > 0xffff ? 2 : 1;
      forEachTerm(text.slice(start, end), (t) => {
        if (t === term) n++;
      });
      at = lower.indexOf(term, Math.max(end, at + 1));
    }
    counts.set(term, n);
  }
  return counts;
}
