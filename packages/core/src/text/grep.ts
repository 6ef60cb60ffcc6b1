/**
 * Content search for the agent file tools: which lines of which files match a
 * pattern. Lines come from {@link splitLines}, so a pattern never matches
 * across a line break.
 */
import { InvalidArgumentError } from "../errors.js";
import { normalizePath } from "../paths.js";
import type { Stat, Vfs } from "../vfs.js";
import { type ContentCandidates, readBatch, ruledOut } from "./contents.js";
import { checkCount, GlobMatcher } from "./glob.js";
import { cutUtf8, decodeText, splitLines } from "./lines.js";
import { TimeBudget } from "./time-budget.js";
import { searchableFiles } from "./walk.js";

export const MAX_GREP_PATTERN_LENGTH = 4096;
export const DEFAULT_GREP_MAX_RESULTS = 1000;
export const MAX_GREP_RESULTS = 10_000;
export const MAX_GREP_CONTEXT = 20;
export const DEFAULT_GREP_MAX_LINE_BYTES = 500;
export const MAX_GREP_LINE_BYTES = 1024 * 1024;
export const DEFAULT_GREP_MAX_FILE_BYTES = 10 * 1024 * 1024;
/** Matching time a grep may spend (a catastrophic regex is stopped, not waited for). */
export const DEFAULT_GREP_TIME_BUDGET_MS = 5000;

export interface GrepOptions {
  /** JS RegExp syntax unless fixedString. */
  pattern: string;
  fixedString?: boolean;
  ignoreCase?: boolean;
  /** Match only at word boundaries (\b...\b semantics, also for fixed strings). */
  wholeWord?: boolean;
  /** Lines before and after, 0..20 (default 0). */
  context?: number;
  /** Directory (or single file) to search, default "/". */
  path?: string;
  /** Filter on path relative to `path`, same syntax as compileGlob. */
  glob?: string;
  /** Default 1000, max 10000 (matches, i.e. matching lines). */
  maxResults?: number;
  /** Default 500: a longer line's text is cut (UTF-8 safe) and the match says cut: true. */
  maxLineBytes?: number;
  /** Default 10 MiB: larger files are skipped and counted. */
  maxFileBytes?: number;
  /**
   * Default 5000: synchronous matching time, in total, before the search stops
   * with `truncated: { reason: "time" }` (interrupting a regex mid-match).
   */
  timeBudgetMs?: number;
}

/** A line of a file; `line` is 1-based. */
export interface GrepLine {
  line: number;
  text: string;
}

export interface GrepMatch {
  path: string;
  line: number;
  text: string;
  cut: boolean;
  before: GrepLine[];
  after: GrepLine[];
}

export interface GrepResult {
  /** Sorted by path (code-unit order) then line. */
  matches: GrepMatch[];
  filesSearched: number;
  filesMatched: number;
  skipped: { tooLarge: number; binary: number };
  /** `limit`: the result bound, or the time budget in ms. */
  truncated: null | { reason: "results" | "time"; limit: number };
}

/** A compiled pattern: the per-line test and a cheap whole-text pre-check. */
interface LineMatcher {
  test: (line: string) => boolean;
  /** False only when no line of `text` can match (may be true when none does). */
  mayMatch: (text: string) => boolean;
  /** Whether matching takes time linear in the text (a plain substring), so needs no watchdog. */
  linear: boolean;
}

/**
 * Compiles the pattern options into a per-line predicate. Throws
 * InvalidArgumentError for an empty pattern, a pattern over 4096 characters
 * or an invalid regular expression (the message says why).
 *
 * The regex is compiled with the `u` flag when it allows (so `.` and `[^x]`
 * take a whole code point and `\p{L}` works), else without it (accepting
 * looser escapes like `\:` that agents write). A leading `(?i)` is accepted
 * and means ignoreCase.
 */
export function compileGrep(options: GrepOptions): (line: string) => boolean {
  return compileLineMatcher(options).test;
}

function compileLineMatcher(options: GrepOptions): LineMatcher {
  let pattern = options.pattern;
  if (typeof pattern !== "string" || pattern === "") {
    throw new InvalidArgumentError("pattern must not be empty");
  }
  if (pattern.length > MAX_GREP_PATTERN_LENGTH) {
    throw new InvalidArgumentError(`pattern is longer than ${MAX_GREP_PATTERN_LENGTH} characters`);
  }
  let ignoreCase = options.ignoreCase ?? false;
  if (!options.fixedString && pattern.startsWith("(?i)") && pattern.length > 4) {
    ignoreCase = true;
    pattern = pattern.slice(4);
  }
  if (options.fixedString && !ignoreCase && !options.wholeWord) {
    const needle = pattern;
    return {
      test: (line) => line.includes(needle),
      mayMatch: (text) => text.includes(needle),
      linear: true,
    };
  }
  let source = options.fixedString ? escapeRegExp(pattern) : pattern;
  if (options.wholeWord) source = `\\b(?:${source})\\b`;
  const flags = ignoreCase ? "i" : "";
  const re = compileRegExp(source, flags);
  // The whole text matches wherever a line would, except that lookarounds can
  // see past a line's end: only lookaround-free patterns get the pre-check.
  const whole = /\(\?<?[=!]/.test(source) ? null : new RegExp(source, `${re.flags}m`);
  return {
    test: (line) => re.test(line),
    mayMatch: whole === null ? () => true : (text) => whole.test(text),
    linear: false,
  };
}

function compileRegExp(source: string, flags: string): RegExp {
  try {
    return new RegExp(source, `${flags}u`);
  } catch {
    try {
      return new RegExp(source, flags);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new InvalidArgumentError(`invalid regular expression: ${why}`);
    }
  }
}

/** Escapes regex syntax characters (valid with and without the `u` flag). */
export function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");
}

interface PlannedFile {
  path: string;
  stat: Stat;
  /** What to do with it: count it as too large, search it without reading, or read it. */
  action: "too-large" | "no-read" | "read";
}

/**
 * Searches the files under `options.path` (or that one file) for lines
 * matching the pattern. Directories are walked like {@link glob} (symlinks
 * are not followed, so symlinked files are not searched unless named as
 * `path`); `glob` filters on the path relative to `path` and is ignored when
 * `path` is a file. Files are read in batches so their storage round trips
 * overlap.
 *
 * `candidates`, when given, is asked once which committed files may match;
 * files it rules out are not read (they count as searched). Files whose
 * content exists only in this Vfs's journal are always read, since an index
 * of stored content cannot know them.
 *
 * Counts: `filesSearched` counts text files searched (not binary or too large
 * ones); with `candidates`, a binary file it ruled out counts as searched.
 * When `truncated` is set, the counts cover the files up to where the search
 * stopped. Each match carries its own context lines (they may overlap with
 * other matches'); context lines are cut at `maxLineBytes` like match lines.
 */
export async function grep(
  vfs: Vfs,
  options: GrepOptions,
  candidates?: ContentCandidates,
): Promise<GrepResult> {
  const matcher = compileLineMatcher(options);
  const context = checkCount("context", options.context, 0, MAX_GREP_CONTEXT, 0);
  const maxResults = checkCount(
    "maxResults",
    options.maxResults,
    DEFAULT_GREP_MAX_RESULTS,
    MAX_GREP_RESULTS,
  );
  const maxLineBytes = checkCount(
    "maxLineBytes",
    options.maxLineBytes,
    DEFAULT_GREP_MAX_LINE_BYTES,
    MAX_GREP_LINE_BYTES,
  );
  const maxFileBytes = checkCount(
    "maxFileBytes",
    options.maxFileBytes,
    DEFAULT_GREP_MAX_FILE_BYTES,
    Number.MAX_SAFE_INTEGER,
    0,
  );
  const timeBudgetMs = checkCount(
    "timeBudgetMs",
    options.timeBudgetMs,
    DEFAULT_GREP_TIME_BUDGET_MS,
    Number.MAX_SAFE_INTEGER,
  );
  const filter = options.glob === undefined ? undefined : GlobMatcher.compile(options.glob);
  const root = normalizePath(options.path ?? "/", "open");

  const plan: PlannedFile[] = [];
  const planFile = (path: string, stat: Stat) => {
    const action =
      stat.size > maxFileBytes
        ? "too-large"
        : stat.blob === null || stat.size === 0
          ? "no-read"
          : "read";
    plan.push({ path, stat, action });
  };
  for (const { path, stat } of searchableFiles(vfs, root, filter)) planFile(path, stat);

  if (candidates) {
    const query = {
      pattern: options.pattern,
      fixedString: options.fixedString ?? false,
      ignoreCase: options.ignoreCase ?? false,
    };
    const reads = plan.filter((f) => f.action === "read");
    for (const file of await ruledOut(vfs, reads, candidates, query)) file.action = "no-read";
  }

  const result: GrepResult = {
    matches: [],
    filesSearched: 0,
    filesMatched: 0,
    skipped: { tooLarge: 0, binary: 0 },
    truncated: null,
  };
  const line = (text: string, n: number): GrepLine => ({
    line: n + 1,
    text: cutUtf8(text, maxLineBytes).text,
  });

  const budget = new TimeBudget(timeBudgetMs);
  /** Matches one file's text; false when the result bound is reached. */
  /** Records one file's matching lines; false when the result bound is reached. */
  const search = (path: string, lines: readonly string[]): boolean => {
    let matched = false;
    for (let i = 0; i < lines.length; i++) {
      const current = lines[i]!;
      if (!matcher.test(current)) continue;
      if (result.matches.length === maxResults) {
        result.truncated = { reason: "results", limit: maxResults };
        return false;
      }
      if (!matched) {
        matched = true;
        result.filesMatched++;
      }
      const shown = cutUtf8(current, maxLineBytes);
      const from = Math.max(0, i - context);
      const to = Math.min(lines.length, i + 1 + context);
      result.matches.push({
        path,
        line: i + 1,
        text: shown.text,
        cut: shown.cut,
        before: lines.slice(from, i).map((t, j) => line(t, from + j)),
        after: lines.slice(i + 1, to).map((t, j) => line(t, i + 1 + j)),
      });
    }
    return true;
  };

  for (let start = 0; start < plan.length; ) {
    const { contents, end } = await readBatch(vfs, plan, start, (f) => f.action === "read");
    // Decoding is linear in the bytes whatever the pattern, so it is done before
    // the budget; the regex (which may backtrack) runs under it. One budgeted run
    // per batch, not per file: each run costs a watchdog thread (a plain substring needs none).
    const texts = new Map<number, string | undefined>();
    for (const [k, bytes] of contents) texts.set(k, decodeText(bytes));
    const ran = (matcher.linear ? budget.spendLinear : budget.spend).call(budget, () => {
      for (let k = start; k < end; k++) {
        const file = plan[k]!;
        if (file.action === "too-large") {
          result.skipped.tooLarge++;
          continue;
        }
        if (file.action === "no-read") {
          result.filesSearched++;
          continue;
        }
        const text = texts.get(k);
        if (text === undefined) {
          result.skipped.binary++;
          continue;
        }
        result.filesSearched++;
        if (matcher.mayMatch(text) && !search(file.path, splitLines(text))) return false;
      }
      return true;
    });
    if (ran === undefined) {
      result.truncated = { reason: "time", limit: timeBudgetMs };
      return result;
    }
    if (!ran.value) return result;
    start = end;
  }
  return result;
}
