/**
 * Ranked search over a sandbox's files: which files are most about the words
 * asked for. One scorer for every backend (a backend's index only rules out
 * files that cannot contain a word), so every backend ranks alike.
 *
 * Scoring is BM25 over the content (k1 = 1.2, b = 0.75, with file size in
 * bytes as the length) plus fixed weights, times the same IDF, for a word in
 * the file's tags (3), its summary (2) or its path (1.5). Files match when any
 * word is found in any of these; more words, rarer words and words in the
 * tags, summary or name rank higher.
 */
import type { GrepQuery } from "../backend.js";
import type { Similarities } from "../embed/embedder.js";
import { InvalidArgumentError } from "../errors.js";
import { normalizePath } from "../paths.js";
import type { Vfs } from "../vfs.js";
import { type ContentCandidates, readBatch, ruledOut } from "./contents.js";
import { checkCount, GlobMatcher } from "./glob.js";
import { escapeRegExp } from "./grep.js";
import {
  type Candidate,
  countFromContent,
  countFromMemo,
  isAscii,
  memoOf,
  scan,
  showLines,
} from "./search-content.js";
import { forEachTerm, termsOf } from "./terms.js";
import { type SearchableFile, searchableFiles } from "./walk.js";

export const MAX_SEARCH_QUERY_LENGTH = 1000;

export const MAX_SEARCH_TERMS = 32;
export const DEFAULT_SEARCH_LIMIT = 20;
export const MAX_SEARCH_LIMIT = 200;
export const DEFAULT_SEARCH_MAX_FILE_BYTES = 10 * 1024 * 1024;

/** In hybrid mode, the share of the blend that is BM25 (normalised by the answer's best). */
export const HYBRID_TEXT_WEIGHT = 0.5;

const NO_TERMS: ReadonlySet<string> = new Set();

const K1 = 1.2;
const B = 0.75;
const WEIGHT = { tags: 3, summary: 2, path: 1.5 } as const;

export interface SearchOptions {
  /** Words to look for (any of them); may be empty when `tags` are given. */
  query: string;
  /** Only files carrying every one of these tags (exact, case-sensitive). */
  tags?: string[];
  /** Directory (or single file) to search, default "/". */
  path?: string;
  /** Filter on path relative to `path`, same syntax as glob. */
  glob?: string;
  /** Default 20, max 200 files. */
  limit?: number;
  /** Default 10 MiB: larger files are ranked on their path, tags and summary only, and counted. */
  maxFileBytes?: number;
}

export interface SearchLine {
  line: number;
  text: string;
}

export interface SearchHit {
  path: string;
  /** Higher is better; comparable within one answer only. Rounded to 4 decimals. */
  score: number;
  tags: string[];
  summary: string | null;
  /** The query's words found in this file (content, path, tags or summary). */
  terms: string[];
  /** Up to 3 lines with the most query words, in line order; cut at 200 bytes. */
  lines: SearchLine[];
}

export type SearchMode = "text" | "semantic" | "hybrid";

/** What semantic and hybrid ranking need: the similarity of the query to each blob's vector. */
export interface SemanticRanking {
  mode: "semantic" | "hybrid";
  similarities(hashes: string[]): Promise<Similarities>;
}

export interface SearchResult {
  /** The ranking that ran: text (BM25), semantic (similarity of embeddings) or hybrid (a blend). */
  mode: SearchMode;
  /** Files in scope whose content has no embedding yet (ranked as if unrelated); 0 in text mode. */
  missingEmbeddings: number;
  /** Why the answer is not what was asked (e.g. a fallback to text ranking), or null. */
  note: string | null;
  /** The words searched for, as matched (lowercased; plural `s` dropped). */
  terms: string[];
  /** Best first; equal scores by path. */
  hits: SearchHit[];
  /** Files that matched, `hits` or not. */
  totalHits: number;
  /** Files in scope (after the tag and glob filters). */
  filesSearched: number;
  skipped: { tooLarge: number };
  truncated: null | { reason: "results"; limit: number };
}

/**
 * The backend query that finds every file holding one of `terms` (each is
 * a case-insensitive substring of the text), or undefined when an index
 * cannot be trusted to (a non-ASCII term: lowercasing is not always a
 * character-by-character case fold).
 */
export function searchCandidateQuery(terms: readonly string[]): GrepQuery | undefined {
  if (terms.length === 0 || !terms.every(isAscii)) return undefined;
  return {
    pattern: terms.map(escapeRegExp).join("|"),
    fixedString: false,
    ignoreCase: true,
  };
}

/**
 * Ranks the files under `options.path` for the query's words. Throws
 * InvalidArgumentError for a query with no words and no tags, over 1000
 * characters or over 32 distinct words, and for bad limits or globs.
 */
export async function search(
  vfs: Vfs,
  options: SearchOptions,
  candidates?: ContentCandidates,
  semantic?: SemanticRanking,
): Promise<SearchResult> {
  if (typeof options.query !== "string" || options.query.length > MAX_SEARCH_QUERY_LENGTH) {
    throw new InvalidArgumentError(
      `query must be a string of at most ${MAX_SEARCH_QUERY_LENGTH} characters`,
    );
  }
  const terms = termsOf(options.query);
  const tags = options.tags ?? [];
  if (terms.length === 0 && tags.length === 0) {
    throw new InvalidArgumentError("query must contain a word (letters or digits), or give a tag");
  }
  if (terms.length > MAX_SEARCH_TERMS) {
    throw new InvalidArgumentError(`query has more than ${MAX_SEARCH_TERMS} distinct words`);
  }
  const limit = checkCount("limit", options.limit, DEFAULT_SEARCH_LIMIT, MAX_SEARCH_LIMIT);
  const maxFileBytes = checkCount(
    "maxFileBytes",
    options.maxFileBytes,
    DEFAULT_SEARCH_MAX_FILE_BYTES,
    Number.MAX_SAFE_INTEGER,
    0,
  );
  const filter = options.glob === undefined ? undefined : GlobMatcher.compile(options.glob);
  const root = normalizePath(options.path ?? "/", "open");
  const wanted = new Set(terms);
  const asciiTerms = terms.every(isAscii);
  const fieldTerms = (text: string): ReadonlySet<string> => {
    if (text === "") return NO_TERMS;
    // An ASCII term is a substring of the lowercased text wherever it is a term (see `scan`).
    if (asciiTerms) {
      const lower = text.toLowerCase();
      if (lower.length === text.length && !terms.some((t) => lower.includes(t))) return NO_TERMS;
    }
    const found = new Set<string>();
    forEachTerm(text, (t) => {
      if (wanted.has(t)) found.add(t);
    });
    return found;
  };

  // Scope first (cheap), candidates after: semantic mode makes them for the hits shown only.
  const inScope: SearchableFile[] = [];
  let tooLarge = 0;
  for (const entry of searchableFiles(vfs, root, filter)) {
    const meta = entry.stat.meta;
    if (!tags.every((tag) => meta?.tags.includes(tag))) continue;
    if (entry.stat.size > maxFileBytes) tooLarge++;
    inScope.push(entry);
  }
  const candidateOf = ({ path, stat }: SearchableFile): Candidate => ({
    path,
    stat,
    meta: stat.meta,
    read: stat.size > 0 && stat.size <= maxFileBytes && stat.blob !== null,
    tf: new Map(),
    fields: [
      fieldTerms(stat.meta?.tags.join(" ") ?? ""),
      fieldTerms(stat.meta?.summary ?? ""),
      fieldTerms(path),
    ],
    lines: [],
  });

  if (semantic?.mode === "semantic") {
    // Ranked by similarity alone: only the hits shown need their words.
    return rankBySimilarity(vfs, inScope, terms, limit, tooLarge, semantic, candidateOf);
  }
  const files = inScope.map(candidateOf);
  if (terms.length > 0) {
    // Counts remembered for every term need neither the index nor the content.
    const uncounted = countFromMemo(vfs, files, terms);
    const query = searchCandidateQuery(terms);
    if (candidates && query && uncounted.length > 0) {
      const none = new Map(terms.map((t) => [t, 0]));
      for (const file of await ruledOut(vfs, uncounted, candidates, query)) {
        file.read = false;
        // Holding none of the terms even as a substring, it holds none of them as words.
        memoOf(vfs, file)?.add(file.stat.blob!, none);
      }
    }
    await countFromContent(
      vfs,
      uncounted.filter((f) => f.read),
      terms,
    );
  }

  let result: SearchResult;
  if (!semantic) result = rank(files, terms, limit, tooLarge);
  else {
    // Hybrid: BM25 over every file in scope, then the blend.
    const similar = await semantic.similarities(blobsOf(files));
    result = rank(files, terms, limit, tooLarge, { mode: semantic.mode, ...similar });
  }
  await showLines(vfs, result.hits, files, wanted);
  return result;
}

function rank(
  files: Candidate[],
  terms: readonly string[],
  limit: number,
  tooLarge: number,
  semantic?: Similarities & { mode: "semantic" | "hybrid" },
): SearchResult {
  // Lengths and counts come from the tree (sizes), not from what was read, so an
  // index that rules out files changes nothing in the scores.
  const n = Math.max(1, files.length);
  const avgBytes = Math.max(1, files.reduce((sum, f) => sum + f.stat.size, 0) / n);
  const has = (f: Candidate, t: string) => f.tf.has(t) || f.fields.some((field) => field.has(t));
  const idf = new Map(
    terms.map((t) => {
      const df = files.reduce((count, f) => count + (has(f, t) ? 1 : 0), 0);
      return [t, Math.log(1 + (n - df + 0.5) / (df + 0.5))];
    }),
  );

  const hits: SearchHit[] = [];
  for (const file of files) {
    const found = terms.filter((t) => has(file, t));
    if (found.length === 0 && terms.length > 0 && !semantic) continue;
    const [inTags, inSummary, inPath] = file.fields as [Set<string>, Set<string>, Set<string>];
    let score = 0;
    for (const t of found) {
      const tf = file.tf.get(t) ?? 0;
      const norm = 1 - B + (B * file.stat.size) / avgBytes;
      const body = tf === 0 ? 0 : (tf * (K1 + 1)) / (tf + K1 * norm);
      const fields =
        (inTags.has(t) ? WEIGHT.tags : 0) +
        (inSummary.has(t) ? WEIGHT.summary : 0) +
        (inPath.has(t) ? WEIGHT.path : 0);
      score += idf.get(t)! * (body + fields);
    }
    hits.push({
      path: file.path,
      score,
      tags: file.meta?.tags ?? [],
      summary: file.meta?.summary ?? null,
      terms: found,
      lines: [], // the hits shown get theirs from showLines
    });
  }
  if (semantic) blend(hits, files, semantic);
  for (const hit of hits) hit.score = Math.round(hit.score * 1e4) / 1e4;
  hits.sort((a, b) => b.score - a.score || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return {
    mode: semantic?.mode ?? "text",
    missingEmbeddings: semantic?.missing ?? 0,
    note: null,
    terms: [...terms],
    hits: hits.slice(0, limit),
    totalHits: hits.length,
    filesSearched: files.length,
    skipped: { tooLarge },
    truncated: hits.length > limit ? { reason: "results", limit } : null,
  };
}

/**
 * Rescores `hits` (every file in scope, text score or 0) for hybrid mode, in
 * place, dropping files that score nothing: HYBRID_TEXT_WEIGHT × BM25 / the
 * best BM25 + the rest × the similarity (below 0 counts as 0).
 */
function blend(
  hits: SearchHit[],
  files: readonly Candidate[],
  semantic: Similarities & { mode: "semantic" | "hybrid" },
): void {
  const blobOf = new Map(files.map((f) => [f.path, f.stat.blob]));
  const best = Math.max(0, ...hits.map((h) => h.score));
  const kept: SearchHit[] = [];
  for (const hit of hits) {
    const blob = blobOf.get(hit.path);
    const similarity = Math.max(0, (blob ? semantic.scores.get(blob) : undefined) ?? 0);
    const text = best > 0 ? hit.score / best : 0;
    hit.score = HYBRID_TEXT_WEIGHT * text + (1 - HYBRID_TEXT_WEIGHT) * similarity;
    if (hit.score > 0) kept.push(hit);
  }
  hits.splice(0, hits.length, ...kept);
}

/** The distinct content hashes of `files`. */
function blobsOf(files: readonly SearchableFile[]): string[] {
  const hashes = new Set<string>();
  for (const file of files) if (file.stat.blob) hashes.add(file.stat.blob);
  return [...hashes];
}

/**
 * Semantic mode: files ranked by similarity alone, so only the hits shown are
 * read (for their words and best lines), not every file in scope; and only
 * they are kept in order (best first, equal scores by path), not all of them.
 */
async function rankBySimilarity(
  vfs: Vfs,
  files: readonly SearchableFile[],
  terms: readonly string[],
  limit: number,
  tooLarge: number,
  semantic: SemanticRanking,
  candidateOf: (file: SearchableFile) => Candidate,
): Promise<SearchResult> {
  const { scores, missing } = await semantic.similarities(blobsOf(files));
  const top: Array<{ file: SearchableFile; score: number }> = [];
  const before = (score: number, path: string, than: { file: SearchableFile; score: number }) =>
    score > than.score || (score === than.score && path < than.file.path);
  let totalHits = 0;
  for (const file of files) {
    const score = Math.round((scores.get(file.stat.blob ?? "") ?? 0) * 1e4) / 1e4;
    if (!(score > 0)) continue;
    totalHits++;
    if (top.length === limit && !before(score, file.path, top[limit - 1]!)) continue;
    let at = top.length;
    while (at > 0 && before(score, file.path, top[at - 1]!)) at--;
    top.splice(at, 0, { file, score });
    if (top.length > limit) top.pop();
  }
  const shown = top.map((s) => candidateOf(s.file));
  const wanted = new Set(terms);
  for (let start = 0; start < shown.length; ) {
    const { contents, end } = await readBatch(vfs, shown, start, (f) => f.read);
    for (const [k, bytes] of contents) scan(shown[k]!, bytes, wanted);
    start = end;
  }
  return {
    mode: "semantic",
    missingEmbeddings: missing,
    note: null,
    terms: [...terms],
    hits: shown.map((file, k) => ({
      path: file.path,
      score: top[k]!.score,
      tags: file.meta?.tags ?? [],
      summary: file.meta?.summary ?? null,
      terms: terms.filter((t) => file.tf.has(t) || file.fields.some((field) => field.has(t))),
      lines: [...file.lines]
        .sort((a, b) => a.line - b.line)
        .map(({ line, text }) => ({ line, text })),
    })),
    totalHits,
    filesSearched: files.length,
    skipped: { tooLarge },
    truncated: totalHits > limit ? { reason: "results", limit } : null,
  };
}
