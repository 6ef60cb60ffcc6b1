/**
 * Glob patterns for the agent file tools.
 *
 * Syntax:
 * - `**` as a whole path segment: any number of segments, including zero
 *   (`src/**\/*.ts` matches `src/a.ts` and `src/x/y/a.ts`; `src/**` matches
 *   `src` itself and everything under it). Elsewhere (`a**b`) it acts as `*`.
 * - `*`: any run of characters within a segment (never `/`).
 * - `?`: one character (a code point, not a UTF-16 unit), never `/`.
 * - `[abc]`, `[a-z]`, `[!x]` / `[^x]`: one character from (or not from) a
 *   set; `]` first in the set is literal; a negated set never matches `/`.
 * - `{a,b}`: alternatives, nested allowed (`{src,test}/**\/*.{ts,tsx}`).
 * - `\x`: `x` literally.
 *
 * Decisions: dotfiles and dot-directories are matched like any other name
 * (`**\/*.env` finds `.env`, `*` matches `.git`); matching is case-sensitive;
 * a trailing `/` and repeated slashes are ignored. A pattern starting with `/`
 * is absolute and matches only paths starting with `/`; any other pattern
 * matches only relative paths.
 */
import { InvalidArgumentError } from "../errors.js";
import { normalizePath } from "../paths.js";
import type { Vfs } from "../vfs.js";
import { type WalkEntry, walkTree } from "./walk.js";

export const MAX_GLOB_PATTERN_LENGTH = 1024;
/** Most alternatives `{...}` sets may expand to. */
export const MAX_GLOB_ALTERNATIVES = 256;
export const DEFAULT_GLOB_LIMIT = 1000;
export const MAX_GLOB_LIMIT = 10_000;
export const DEFAULT_GLOB_MAX_ENTRIES = 100_000;

export interface GlobOptions {
  /** Directory to search under; default "/". */
  path?: string;
  /** Most paths to return; default 1000, at most 10000. */
  limit?: number;
  /** Most entries to walk; default 100000. */
  maxEntries?: number;
}

export interface GlobResult {
  /** Absolute paths, in code-unit order. */
  paths: string[];
  truncated: null | { reason: "limit" | "entries"; limit: number };
}

type Token =
  | { kind: "literal"; cp: number }
  | { kind: "any" }
  | { kind: "star" }
  | { kind: "class"; negate: boolean; ranges: Array<[number, number]> };

type Segment = { kind: "globstar" } | { kind: "name"; literal: string | null; tokens: Token[] };

interface Alternative {
  absolute: boolean;
  segments: Segment[];
}

/** A compiled glob: what the walk needs beyond a yes/no per path. */
export class GlobMatcher {
  private readonly anyAbsolute: boolean;

  private constructor(private readonly alternatives: Alternative[]) {
    this.anyAbsolute = alternatives.some((alt) => alt.absolute);
  }

  static compile(pattern: string): GlobMatcher {
    if (typeof pattern !== "string" || pattern === "") {
      throw new InvalidArgumentError("glob pattern must not be empty");
    }
    if (pattern.length > MAX_GLOB_PATTERN_LENGTH) {
      throw new InvalidArgumentError(
        `glob pattern is longer than ${MAX_GLOB_PATTERN_LENGTH} characters`,
      );
    }
    return new GlobMatcher(expandBraces(pattern).map(compileAlternative));
  }

  /** True when `path` matches (absolute alternatives need a leading "/", others none). */
  matches(path: string): boolean {
    const absolute = path.startsWith("/");
    const names = splitNames(path);
    return this.alternatives.some(
      (alt) => alt.absolute === absolute && matchSegments(alt.segments, names),
    );
  }

  /** Whether an entry matches: relative alternatives see `rel`, absolute ones `abs`. */
  matchesEntry(rel: string, abs: string): boolean {
    const relNames = splitNames(rel);
    const absNames = this.anyAbsolute ? splitNames(abs) : relNames;
    return this.alternatives.some((alt) =>
      matchSegments(alt.segments, alt.absolute ? absNames : relNames),
    );
  }

  /** Whether anything below the directory (`rel` / `abs`) could match: false lets a walk skip it. */
  mayMatchBelow(rel: string, abs: string): boolean {
    for (const alt of this.alternatives) {
      if (mayMatchBelow(alt.segments, splitNames(alt.absolute ? abs : rel))) return true;
    }
    return false;
  }
}

/**
 * Compiles a glob (syntax in this module's comment) into a predicate over
 * paths. Throws InvalidArgumentError for an empty or over-long pattern, an
 * unclosed `[` or `{`, a reversed range or a trailing `\`.
 */
export function compileGlob(pattern: string): (relativePath: string) => boolean {
  const matcher = GlobMatcher.compile(pattern);
  return (path) => matcher.matches(path);
}

/**
 * Finds the entries under `options.path` (default "/") whose path relative to
 * it matches `pattern` (an absolute pattern is matched against the absolute
 * path). Files, directories and symlinks all count; symlinked directories are
 * not followed; directories that cannot hold a match are not listed. Results
 * are absolute paths spelled under `options.path`, in code-unit order; a cut
 * result holds the first paths in that order. ENOENT/ENOTDIR for `path`
 * propagate.
 */
export function glob(vfs: Vfs, pattern: string, options: GlobOptions = {}): GlobResult {
  const matcher = GlobMatcher.compile(pattern);
  const root = normalizePath(options.path ?? "/", "scandir");
  const limit = checkCount("limit", options.limit, DEFAULT_GLOB_LIMIT, MAX_GLOB_LIMIT);
  const maxEntries = checkCount(
    "maxEntries",
    options.maxEntries,
    DEFAULT_GLOB_MAX_ENTRIES,
    Number.MAX_SAFE_INTEGER,
  );
  const paths: string[] = [];
  const outcome = walkTree(
    vfs,
    root,
    (entry) => {
      if (!matcher.matchesEntry(entry.rel, entry.path)) return true;
      if (paths.length === limit) return false;
      paths.push(entry.path);
      return true;
    },
    { maxEntries, descend: (dir: WalkEntry) => matcher.mayMatchBelow(dir.rel, dir.path) },
  );
  const truncated =
    outcome.stoppedBy === "visitor"
      ? { reason: "limit" as const, limit }
      : outcome.stoppedBy === "entries"
        ? { reason: "entries" as const, limit: maxEntries }
        : null;
  return { paths, truncated };
}

/** Validates an optional integer bound in 1..max. */
export function checkCount(
  name: string,
  value: number | undefined,
  fallback: number,
  max: number,
  min = 1,
): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

// ---- compilation ----------------------------------------------------------

function splitNames(path: string): string[] {
  return path.split("/").filter((name) => name !== "");
}

/** Index just past the `]` closing the class opened at `open`, or -1. */
function classEnd(pattern: string, open: number): number {
  let i = open + 1;
  if (pattern[i] === "!" || pattern[i] === "^") i++;
  if (pattern[i] === "]") i++;
  while (i < pattern.length) {
    const ch = pattern[i];
    if (ch === "\\") i += 2;
    else if (ch === "]") return i + 1;
    else i++;
  }
  return -1;
}

function unclosed(what: string, pattern: string): InvalidArgumentError {
  return new InvalidArgumentError(`glob pattern has an unclosed '${what}': ${pattern}`);
}

/** Expands `{a,b}` sets into plain patterns (escapes and classes kept for the tokenizer). */
function expandBraces(pattern: string): string[] {
  const done: string[] = [];
  const pending = [pattern];
  while (pending.length > 0) {
    const p = pending.pop()!;
    const brace = firstBrace(p, pattern);
    if (brace === null) {
      done.push(p);
      continue;
    }
    const head = p.slice(0, brace.open);
    const tail = p.slice(brace.close + 1);
    for (let k = brace.parts.length - 1; k >= 0; k--) pending.push(head + brace.parts[k] + tail);
    if (done.length + pending.length > MAX_GLOB_ALTERNATIVES) {
      throw new InvalidArgumentError(
        `glob pattern expands to more than ${MAX_GLOB_ALTERNATIVES} alternatives`,
      );
    }
  }
  return done;
}

/** The first top-level `{...}` of `p`: its bounds and its comma-separated parts. */
function firstBrace(
  p: string,
  original: string,
): { open: number; close: number; parts: string[] } | null {
  let i = 0;
  while (i < p.length) {
    const ch = p[i];
    if (ch === "\\") {
      i += 2;
    } else if (ch === "[") {
      const end = classEnd(p, i);
      if (end < 0) throw unclosed("[", original);
      i = end;
    } else if (ch === "{") {
      const open = i;
      const parts: string[] = [];
      let depth = 0;
      let start = i + 1;
      i++;
      while (i < p.length) {
        const c = p[i];
        if (c === "\\") {
          i += 2;
          continue;
        }
        if (c === "[") {
          const end = classEnd(p, i);
          if (end < 0) throw unclosed("[", original);
          i = end;
          continue;
        }
        if (c === "{") depth++;
        else if (c === "}") {
          if (depth === 0) {
            parts.push(p.slice(start, i));
            return { open, close: i, parts };
          }
          depth--;
        } else if (c === "," && depth === 0) {
          parts.push(p.slice(start, i));
          start = i + 1;
        }
        i++;
      }
      throw unclosed("{", original);
    } else {
      i++;
    }
  }
  return null;
}

function compileAlternative(p: string): Alternative {
  const absolute = p.startsWith("/");
  const segments: Segment[] = [];
  let tokens: Token[] = [];
  let starsOnly = true;
  let literal = true;
  let rawStars = 0;

  const flush = () => {
    if (tokens.length > 0) {
      if (starsOnly && rawStars >= 2) {
        segments.push({ kind: "globstar" });
      } else {
        const text = literal
          ? String.fromCodePoint(...tokens.map((t) => (t as { cp: number }).cp))
          : null;
        segments.push({ kind: "name", literal: text, tokens });
      }
    }
    tokens = [];
    starsOnly = true;
    literal = true;
    rawStars = 0;
  };

  let i = 0;
  while (i < p.length) {
    const cp = p.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    if (ch === "/") {
      flush();
      i++;
      continue;
    }
    if (ch === "*") {
      rawStars++;
      literal = false;
      if (tokens.at(-1)?.kind !== "star") tokens.push({ kind: "star" });
      i++;
      continue;
    }
    starsOnly = false;
    if (ch === "\\") {
      const next = p.codePointAt(i + 1);
      if (next === undefined) {
        throw new InvalidArgumentError(`glob pattern ends with an unfinished escape: ${p}`);
      }
      tokens.push({ kind: "literal", cp: next });
      i += 1 + (next > 0xffff ? 2 : 1);
    } else if (ch === "?") {
      literal = false;
      tokens.push({ kind: "any" });
      i++;
    } else if (ch === "[") {
      literal = false;
      const end = classEnd(p, i);
      if (end < 0) throw unclosed("[", p);
      tokens.push(parseClass(p, i, end));
      i = end;
    } else {
      tokens.push({ kind: "literal", cp });
      i += ch.length;
    }
  }
  flush();
  return { absolute, segments };
}

function parseClass(p: string, open: number, end: number): Token {
  let i = open + 1;
  let negate = false;
  if (p[i] === "!" || p[i] === "^") {
    negate = true;
    i++;
  }
  const chars: number[] = [];
  const close = end - 1;
  const ranges: Array<[number, number]> = [];
  while (i < close) {
    let cp = p.codePointAt(i)!;
    if (cp === 0x5c /* \ */ && i + 1 < close) {
      i++;
      cp = p.codePointAt(i)!;
    }
    i += cp > 0xffff ? 2 : 1;
    chars.push(cp);
    // A range: this char, an unescaped '-', and a char before the closing ']'.
    if (p[i] === "-" && i + 1 < close) {
      let hi = p.codePointAt(i + 1)!;
      let step = hi > 0xffff ? 2 : 1;
      if (hi === 0x5c && i + 2 < close) {
        hi = p.codePointAt(i + 2)!;
        step = 1 + (hi > 0xffff ? 2 : 1);
      }
      chars.pop();
      if (hi < cp) {
        throw new InvalidArgumentError(`glob pattern has a reversed range in [...]: ${p}`);
      }
      ranges.push([cp, hi]);
      i += 1 + step;
    }
  }
  for (const c of chars) ranges.push([c, c]);
  return { kind: "class", negate, ranges };
}

// ---- matching -------------------------------------------------------------

function matchOne(token: Token, cp: number): boolean {
  switch (token.kind) {
    case "literal":
      return token.cp === cp;
    case "any":
      return cp !== 0x2f;
    case "class": {
      if (cp === 0x2f) return false;
      let found = false;
      for (const [lo, hi] of token.ranges) {
        if (cp >= lo && cp <= hi) {
          found = true;
          break;
        }
      }
      return found !== token.negate;
    }
    default:
      return false;
  }
}

/** Wildcard match of one name: greedy with a single backtrack point, O(name × tokens). */
function matchName(segment: Segment & { kind: "name" }, name: string): boolean {
  if (segment.literal !== null) return segment.literal === name;
  const tokens = segment.tokens;
  let t = 0;
  let i = 0;
  let starT = -1;
  let starI = 0;
  while (i < name.length) {
    const token = tokens[t];
    if (token !== undefined) {
      if (token.kind === "star") {
        starT = t++;
        starI = i;
        continue;
      }
      const cp = name.codePointAt(i)!;
      if (matchOne(token, cp)) {
        t++;
        i += cp > 0xffff ? 2 : 1;
        continue;
      }
    }
    if (starT < 0) return false;
    t = starT + 1;
    starI += name.codePointAt(starI)! > 0xffff ? 2 : 1;
    i = starI;
  }
  while (tokens[t]?.kind === "star") t++;
  return t === tokens.length;
}

/** Matches names against segments, `**` standing for any run of names (same greedy scheme). */
function matchSegments(segments: Segment[], names: string[]): boolean {
  let s = 0;
  let n = 0;
  let starS = -1;
  let starN = 0;
  while (n < names.length) {
    const segment = segments[s];
    if (segment !== undefined) {
      if (segment.kind === "globstar") {
        starS = s++;
        starN = n;
        continue;
      }
      if (matchName(segment, names[n]!)) {
        s++;
        n++;
        continue;
      }
    }
    if (starS < 0) return false;
    s = starS + 1;
    n = ++starN;
  }
  while (segments[s]?.kind === "globstar") s++;
  return s === segments.length;
}

/** Whether some path strictly below the directory `names` could match the segments. */
function mayMatchBelow(segments: Segment[], names: string[]): boolean {
  let states = closure(segments, new Set([0]));
  for (const name of names) {
    const next = new Set<number>();
    for (const s of states) {
      const segment = segments[s];
      if (segment === undefined) continue;
      if (segment.kind === "globstar") next.add(s);
      else if (matchName(segment, name)) next.add(s + 1);
    }
    if (next.size === 0) return false;
    states = closure(segments, next);
  }
  for (const s of states) if (s < segments.length) return true;
  return false;
}

function closure(segments: Segment[], states: Set<number>): Set<number> {
  for (const s of states) {
    if (segments[s]?.kind === "globstar") states.add(s + 1);
  }
  return states;
}
