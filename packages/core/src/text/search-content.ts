/**
 * What ranked search learns from files' content: how often each query word
 * occurs (from the memo of counts per content hash, or counted in the content
 * and remembered) and, for the hits shown alone, their best lines.
 */
import type { FileMeta } from "../backend.js";
import type { Stat, Vfs } from "../vfs.js";
import { readBatch } from "./contents.js";
import { cutUtf8, decodeText, splitLines } from "./lines.js";
import type { TermCountMemo } from "./term-count-memo.js";
import { countTerms, forEachTerm } from "./terms.js";

/** Terms an index can be trusted with, and the indexOf shortcut too (see `scan`). */
export const isAscii = (term: string) => /^[\x20-\x7e]*$/.test(term);
/** Lines shown per hit, and how much of each. */
const SNIPPET_LINES = 3;
const SNIPPET_BYTES = 200;

/** A file in a search's scope, and what the search learned about it. */
export interface Candidate {
  path: string;
  stat: Stat;
  meta: FileMeta | null;
  /** Whether the content is read: a text file within maxFileBytes that the index did not rule out. */
  read: boolean;
  /** Query word → occurrences in the content. */
  tf: Map<string, number>;
  fields: ReadonlySet<string>[];
  lines: Array<{ line: number; text: string; words: number }>;
}

/**
 * The memo for a file's content, unless what it reads is not the stored blob: content a script
 * wrote, or content that reads as empty during a narrowed grep.
 */
export function memoOf(vfs: Vfs, file: Candidate): TermCountMemo | undefined {
  const hash = file.stat.blob!;
  return vfs.termCounts &&
    vfs.journal.pendingBlob(hash) === undefined &&
    !vfs.narrowing?.skipped.has(hash)
    ? vfs.termCounts
    : undefined;
}

function setCounts(file: Candidate, counts: ReadonlyMap<string, number>, terms: readonly string[]) {
  for (const term of terms) {
    const n = counts.get(term) ?? 0;
    if (n > 0) file.tf.set(term, n);
  }
}

/**
 * Sets the term counts of the files to read whose counts the memo (per content
 * hash) knows for every term; returns the others, whose content must be read.
 * Counting is all that ranking needs: the lines shown come later, for the hits
 * shown alone.
 */
export function countFromMemo(vfs: Vfs, files: readonly Candidate[], terms: readonly string[]) {
  const uncounted: Candidate[] = [];
  for (const file of files) {
    if (!file.read) continue;
    const known = memoOf(vfs, file)?.get(file.stat.blob!);
    if (known === null) continue; // not text
    if (known && terms.every((t) => known.has(t))) setCounts(file, known, terms);
    else uncounted.push(file);
  }
  return uncounted;
}

/** Counts the terms in the files' content, and remembers the counts by content hash. */
export async function countFromContent(
  vfs: Vfs,
  files: readonly Candidate[],
  terms: readonly string[],
) {
  for (let start = 0; start < files.length; ) {
    const { contents, end } = await readBatch(vfs, files, start, () => true);
    for (const [k, bytes] of contents) {
      const file = files[k]!;
      const memo = memoOf(vfs, file);
      const text = decodeText(bytes);
      if (text === undefined) {
        memo?.add(file.stat.blob!, null);
        continue;
      }
      const known = memo?.get(file.stat.blob!) ?? undefined;
      const counts = countTerms(text, known ? terms.filter((t) => !known.has(t)) : terms);
      memo?.add(file.stat.blob!, counts);
      setCounts(file, known ? new Map([...known, ...counts]) : counts, terms);
    }
    start = end;
  }
}

/** Reads the hits shown whose content holds a term, for their best lines. */
export async function showLines(
  vfs: Vfs,
  hits: Array<{ path: string; lines: Array<{ line: number; text: string }> }>,
  files: readonly Candidate[],
  wanted: ReadonlySet<string>,
): Promise<void> {
  const byPath = new Map(files.map((f) => [f.path, f]));
  const shown = hits.flatMap((hit) => {
    const file = byPath.get(hit.path)!;
    return file.tf.size > 0 ? [{ hit, path: file.path, stat: file.stat }] : [];
  });
  for (let start = 0; start < shown.length; ) {
    const { contents, end } = await readBatch(vfs, shown, start, () => true);
    for (const [k, bytes] of contents) {
      const { hit, path, stat } = shown[k]!;
      const lines: Candidate = {
        path,
        stat,
        meta: null,
        read: true,
        tf: new Map(),
        fields: [],
        lines: [],
      };
      scan(lines, bytes, wanted);
      hit.lines = lines.lines
        .sort((a, b) => a.line - b.line)
        .map(({ line, text }) => ({ line, text }));
    }
    start = end;
  }
}

/**
 * Counts the query's words in a file's content and keeps its best lines.
 * With ASCII words, only lines holding one as a substring (lowercased) are
 * split into words, found with indexOf on the whole text: the terms of a line
 * are prefixes of its lowercased pieces, and lowercasing never turns a
 * non-ASCII character into ASCII by context (only the Kelvin sign becomes `k`,
 * always), so no line with a match is passed over.
 */
export function scan(file: Candidate, bytes: Uint8Array, wanted: ReadonlySet<string>): void {
  const text = decodeText(bytes);
  if (text === undefined) return;
  const terms = [...wanted];
  const holding = terms.every(isAscii) ? linesHolding(text, terms) : undefined;
  if (holding === undefined) {
    const lines = splitLines(text);
    for (let i = 0; i < lines.length; i++) scanLine(file, lines[i]!, i, wanted);
    return;
  }
  for (const { index, line } of holding) scanLine(file, line, index, wanted);
}

/** The lines of `text` that hold one of `terms` (lowercased), in order, with their indexes. */
function linesHolding(
  text: string,
  terms: readonly string[],
): Array<{ index: number; line: string }> | undefined {
  const lower = text.toLowerCase();
  // Offsets only line up when lowercasing kept every length (it nearly always does).
  if (lower.length !== text.length) return undefined;
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0d) {
      if (text.charCodeAt(i + 1) === 0x0a) i++;
      starts.push(i + 1);
    } else if (c === 0x0a) starts.push(i + 1);
  }
  const lineOf = (offset: number) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const found = new Set<number>();
  for (const term of terms) {
    for (let at = lower.indexOf(term); at !== -1; at = lower.indexOf(term, at + 1)) {
      const line = lineOf(at);
      found.add(line);
      at = (starts[line + 1] ?? lower.length) - 1; // the rest of this line adds nothing
    }
  }
  return [...found]
    .sort((a, b) => a - b)
    .map((index) => {
      let end = starts[index + 1] ?? text.length;
      if (end > starts[index]! && text.charCodeAt(end - 1) === 0x0a) end--;
      if (end > starts[index]! && text.charCodeAt(end - 1) === 0x0d) end--;
      return { index, line: text.slice(starts[index], end) };
    });
}

/** Counts the words of one line and keeps it if it is among the file's best. */
function scanLine(file: Candidate, line: string, index: number, wanted: ReadonlySet<string>): void {
  const found = new Set<string>();
  forEachTerm(line, (t) => {
    if (!wanted.has(t)) return;
    found.add(t);
    file.tf.set(t, (file.tf.get(t) ?? 0) + 1);
  });
  if (found.size === 0) return;
  const best = file.lines;
  if (best.length < SNIPPET_LINES || found.size > best.at(-1)!.words) {
    best.push({ line: index + 1, text: cutUtf8(line, SNIPPET_BYTES).text, words: found.size });
    // Most words first, then earliest; a stable sort keeps the earlier of equals.
    best.sort((a, b) => b.words - a.words);
    if (best.length > SNIPPET_LINES) best.pop();
  }
}
