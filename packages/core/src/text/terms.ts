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
  for (const [run] of text.matchAll(RUN)) {
    if (run.length > MAX_TERM_LENGTH) continue;
    emit(stem(run.toLowerCase()));
    if (!MIXED.test(run)) continue;
    for (const [piece] of run.matchAll(PIECE)) emit(stem(piece.toLowerCase()));
  }
}

/** The distinct terms of `text`, in order of first appearance. */
export function termsOf(text: string): string[] {
  const terms = new Set<string>();
  forEachTerm(text, (term) => terms.add(term));
  return [...terms];
}
