/**
 * Unified diffs for the agent patch tool: parse a (git or plain) unified diff
 * into per-file hunks, and apply hunks to a file's text.
 */
import { FsError } from "../errors.js";
import { normalizePath } from "../paths.js";
import { type LineEnding, type LineRecord, splitLineRecords } from "./lines.js";

export type PatchErrorCode = "patch_invalid" | "patch_conflict";

/**
 * The patch could not be used: it is malformed (`patch_invalid`), or a hunk
 * does not match the file (`patch_conflict`, with the 1-based `hunk` and the
 * file's `path`).
 */
export class PatchError extends Error {
  override readonly name = "PatchError";
  readonly code: PatchErrorCode;
  readonly hunk?: number;
  readonly path?: string;

  constructor(code: PatchErrorCode, message: string, where: { hunk?: number; path?: string } = {}) {
    super(message);
    this.code = code;
    if (where.hunk !== undefined) this.hunk = where.hunk;
    if (where.path !== undefined) this.path = where.path;
  }
}

/** One file's changes. A null path is /dev/null: oldPath null creates the file, newPath null deletes it. */
export interface FilePatch {
  /** Absolute ("/src/x.ts"), `a/` prefix stripped; null for a created file. */
  oldPath: string | null;
  /** Absolute, `b/` prefix stripped; null for a deleted file. */
  newPath: string | null;
  hunks: Hunk[];
}

/**
 * A hunk. `lines` keep their ' ', '-' or '+' prefix; a
 * "\ No newline at end of file" marker is kept as its own entry right after
 * the line it applies to (and not counted in oldLines/newLines).
 */
export interface Hunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  lines: string[];
}

const NO_NEWLINE = "\\ No newline at end of file";
const HUNK_HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;
const GIT_EXTENDED_HEADER =
  /^(?:old mode |new mode |deleted file mode |new file mode |similarity index |dissimilarity index |rename from |rename to |copy from |copy to |index )/;

/**
 * Parses a unified diff: plain (`--- a/x` / `+++ b/x` / `@@` hunks) or git
 * (`diff --git` blocks; a rename or an empty new/deleted file without hunks is
 * understood from its extended headers). Text outside file patches (a commit
 * message, `Index:` lines) is skipped; CRLF in the diff itself is accepted.
 *
 * Paths: `/dev/null` is null; a timestamp after a tab is dropped; git-quoted
 * paths are unquoted; `a/` (old) and `b/` (new) prefixes are stripped when the
 * diff uses them (both sides, or one side against /dev/null); the result is
 * absolute and normalized (`..` is refused).
 *
 * Lenient on one thing LLM-written diffs often get wrong: an empty line inside
 * a hunk counts as an empty context line. Strict on counts: a hunk whose
 * header disagrees with its lines (too few or too many) is `patch_invalid`, as
 * is a diff with no file patch, a hunk outside a file patch, a binary patch,
 * or a modification with no hunks.
 */
export function parsePatch(diff: string): FilePatch[] {
  if (typeof diff !== "string") throw invalid("patch must be a string");
  const lines = diff.split("\n").map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
  if (lines.at(-1) === "") lines.pop();
  const patches: FilePatch[] = [];
  let i = 0;
  const isFileHeader = (k: number) =>
    lines[k]?.startsWith("--- ") === true && lines[k + 1]?.startsWith("+++ ") === true;

  while (i < lines.length) {
    const line = lines[i]!;
    if (line.startsWith("diff --git ")) {
      const git = parseGitHeader(line.slice("diff --git ".length));
      i++;
      while (i < lines.length && GIT_EXTENDED_HEADER.test(lines[i]!)) {
        const header = lines[i]!;
        if (header.startsWith("new file mode ")) git.created = true;
        else if (header.startsWith("deleted file mode ")) git.deleted = true;
        else if (header.startsWith("rename from ")) git.from = unquote(header.slice(12));
        else if (header.startsWith("rename to ")) git.to = unquote(header.slice(10));
        i++;
      }
      const next = lines[i] ?? "";
      if (next.startsWith("Binary files ") || next.startsWith("GIT binary patch")) {
        throw invalid(`binary patches are not supported (${line})`);
      }
      if (isFileHeader(i)) continue; // the ---/+++ lines name the paths
      if (git.old === null || git.new === null) {
        throw invalid(`cannot read the paths of '${line}'`);
      }
      const named = filePatch(git.old, git.new, []);
      patches.push({
        oldPath: git.created ? null : git.from !== undefined ? absolute(git.from) : named.oldPath,
        newPath: git.deleted ? null : git.to !== undefined ? absolute(git.to) : named.newPath,
        hunks: [],
      });
      continue;
    }
    if (isFileHeader(i)) {
      const oldRaw = headerPath(line.slice(4));
      const newRaw = headerPath(lines[i + 1]!.slice(4));
      i += 2;
      const hunks: Hunk[] = [];
      const name = newRaw ?? oldRaw ?? "?";
      while (i < lines.length && lines[i]!.startsWith("@@")) {
        i = parseHunk(lines, i, hunks, name);
        while (lines[i] === "") i++;
        const after = lines[i];
        if (after === undefined || after.startsWith("@@")) continue;
        if (isFileHeader(i) || after.startsWith("diff ") || after === "-- ") break;
        if (after[0] === " " || after[0] === "+" || after[0] === "-") {
          throw invalid(
            `hunk ${hunks.length} of ${name} has more lines than its header says (at '${after}')`,
          );
        }
        break;
      }
      if (hunks.length === 0 && oldRaw !== null && newRaw !== null) {
        throw invalid(`no hunks for ${name}`);
      }
      patches.push(filePatch(oldRaw, newRaw, hunks));
      continue;
    }
    if (line.startsWith("@@")) {
      throw invalid(`hunk '${line}' comes before any file header (--- / +++ lines)`);
    }
    i++;
  }
  if (patches.length === 0) throw invalid("the patch holds no file changes");
  return patches;
}

function invalid(message: string): PatchError {
  return new PatchError("patch_invalid", message);
}

/** Parses the hunk at lines[start] into `hunks`; returns the index after it. */
function parseHunk(lines: string[], start: number, hunks: Hunk[], name: string): number {
  const header = lines[start]!;
  const m = HUNK_HEADER.exec(header);
  const number = hunks.length + 1;
  if (!m) throw invalid(`hunk ${number} of ${name} has a malformed header: '${header}'`);
  const hunk: Hunk = {
    oldStart: Number(m[1]),
    oldLines: m[2] === undefined ? 1 : Number(m[2]),
    newStart: Number(m[3]),
    newLines: m[4] === undefined ? 1 : Number(m[4]),
    lines: [],
  };
  const counts = `-${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines}`;
  if (hunk.oldLines === 0 && hunk.newLines === 0) {
    throw invalid(`hunk ${number} of ${name} (${counts}) is empty`);
  }
  let oldLeft = hunk.oldLines;
  let newLeft = hunk.newLines;
  let i = start + 1;
  const short = () =>
    invalid(`hunk ${number} of ${name} has fewer lines than its header says (${counts})`);
  while (oldLeft > 0 || newLeft > 0) {
    const line = lines[i];
    if (line === undefined) throw short();
    const kind = line === "" ? " " : line[0];
    if (kind === " ") {
      if (oldLeft === 0 || newLeft === 0) throw short();
      oldLeft--;
      newLeft--;
      hunk.lines.push(line === "" ? " " : line);
    } else if (kind === "-") {
      if (oldLeft === 0) throw short();
      oldLeft--;
      hunk.lines.push(line);
    } else if (kind === "+") {
      if (newLeft === 0) throw short();
      newLeft--;
      hunk.lines.push(line);
    } else if (kind === "\\" && hunk.lines.length > 0) {
      hunk.lines.push(NO_NEWLINE);
    } else {
      throw short();
    }
    i++;
  }
  if (lines[i]?.startsWith("\\")) {
    hunk.lines.push(NO_NEWLINE);
    i++;
  }
  hunks.push(hunk);
  return i;
}

/** A ---/+++ path: null for /dev/null, unquoted, without a trailing timestamp. */
function headerPath(raw: string): string | null {
  let path: string;
  if (raw.startsWith('"')) {
    path = unquote(raw);
  } else {
    const tab = raw.indexOf("\t");
    path = (tab >= 0 ? raw.slice(0, tab) : raw).trimEnd();
  }
  return path === "/dev/null" ? null : path;
}

interface GitHeader {
  old: string | null;
  new: string | null;
  created: boolean;
  deleted: boolean;
  from?: string;
  to?: string;
}

/** The two paths of `diff --git a/x b/y` (best effort: only needed when no ---/+++ lines follow). */
function parseGitHeader(rest: string): GitHeader {
  const header: GitHeader = { old: null, new: null, created: false, deleted: false };
  if (rest.startsWith('"')) {
    const end = quotedEnd(rest);
    header.old = unquote(rest.slice(0, end));
    header.new = unquote(rest.slice(end).trimStart());
    return header;
  }
  // Same path on both sides (the usual case), even with spaces in it.
  const half = (rest.length - 1) / 2;
  if (
    Number.isInteger(half) &&
    rest[half] === " " &&
    rest.slice(2, half) === rest.slice(half + 3)
  ) {
    header.old = rest.slice(0, half);
    header.new = rest.slice(half + 1);
    return header;
  }
  const split = rest.indexOf(" b/");
  if (split > 0) {
    header.old = rest.slice(0, split);
    header.new = unquote(rest.slice(split + 1));
  }
  return header;
}

function quotedEnd(text: string): number {
  for (let i = 1; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === '"') return i + 1;
  }
  return text.length;
}

const C_ESCAPES: Record<string, string> = {
  n: "\n",
  t: "\t",
  r: "\r",
  b: "\b",
  f: "\f",
  v: "\v",
  a: "\x07",
  '"': '"',
  "\\": "\\",
};

/** Undoes git's C-style quoting ("a/sp\303\244ce" → a/späce); an unquoted path is returned as is. */
function unquote(text: string): string {
  if (!text.startsWith('"')) return text;
  const end = quotedEnd(text);
  const body = text.slice(1, end - 1);
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch !== "\\") {
      const cp = body.codePointAt(i)!;
      bytes.push(...encoder.encode(String.fromCodePoint(cp)));
      if (cp > 0xffff) i++;
      continue;
    }
    const next = body[i + 1] ?? "";
    const octal = /^[0-7]{3}/.exec(body.slice(i + 1, i + 4));
    if (octal) {
      bytes.push(Number.parseInt(octal[0], 8));
      i += 3;
    } else {
      bytes.push(...encoder.encode(C_ESCAPES[next] ?? next));
      i += 1;
    }
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

function filePatch(oldRaw: string | null, newRaw: string | null, hunks: Hunk[]): FilePatch {
  if (oldRaw === null && newRaw === null) {
    throw invalid("a file patch goes from /dev/null to /dev/null");
  }
  // Strip a/ and b/ only when the diff uses them: a path "a/b.ts" in a
  // prefix-less diff appears as "a/b.ts" on both sides and is kept.
  const strip =
    (oldRaw === null || oldRaw.startsWith("a/")) && (newRaw === null || newRaw.startsWith("b/"));
  const finish = (raw: string | null) =>
    raw === null ? null : absolute(strip ? raw.slice(2) : raw);
  return { oldPath: finish(oldRaw), newPath: finish(newRaw), hunks };
}

/** A patch path as an absolute, normalized sandbox path. */
function absolute(raw: string): string {
  try {
    return normalizePath(raw.startsWith("/") ? raw : `/${raw}`);
  } catch (error) {
    if (error instanceof FsError) throw invalid(`bad path '${raw}' in patch: ${error.message}`);
    throw error;
  }
}

// ---- apply ------------------------------------------------------------------

interface PreparedHunk {
  /** Lines the file must have (context and removed), without terminators. */
  old: string[];
  /** Lines that replace them: text, and for context lines the index into `old`. */
  new: Array<{ text: string; old: number | null }>;
  /** The new side's last line has no terminator ("\ No newline" after it). */
  newNoEol: boolean;
}

function prepare(hunk: Hunk, number: number, where: string): PreparedHunk {
  const prepared: PreparedHunk = { old: [], new: [], newNoEol: false };
  let previous = "";
  for (const raw of hunk.lines) {
    const kind = raw === "" ? " " : raw[0];
    let text = raw.slice(1);
    if (text.endsWith("\r")) text = text.slice(0, -1);
    if (kind === " ") {
      prepared.new.push({ text, old: prepared.old.length });
      prepared.old.push(text);
    } else if (kind === "-") {
      prepared.old.push(text);
    } else if (kind === "+") {
      prepared.new.push({ text, old: null });
    } else if (kind === "\\") {
      if (previous === " " || previous === "+") prepared.newNoEol = true;
    } else {
      throw new PatchError(
        "patch_invalid",
        `hunk ${number} has a line without ' ', '-' or '+': '${raw}'`,
        { hunk: number, path: where },
      );
    }
    previous = kind ?? "";
  }
  return prepared;
}

/** The most common line terminator of the text ("\n" on a tie or when there is none). */
function dominantEnding(records: LineRecord[]): LineEnding {
  let lf = 0;
  let crlf = 0;
  let cr = 0;
  for (const r of records) {
    if (r.eol === "\n") lf++;
    else if (r.eol === "\r\n") crlf++;
    else if (r.eol === "\r") cr++;
  }
  if (crlf > lf && crlf >= cr) return "\r\n";
  if (cr > lf && cr > crlf) return "\r";
  return "\n";
}

function matchesAt(records: LineRecord[], old: string[], at: number): boolean {
  for (let j = 0; j < old.length; j++) {
    if (records[at + j]!.text !== old[j]) return false;
  }
  return true;
}

/**
 * Applies hunks (in order) to `text`; `where` names the file in errors.
 *
 * Context and removed lines must match exactly (no fuzz), compared without
 * their terminators. A hunk may be found at an offset from its `oldStart`: the
 * search goes outward (later first, like `patch`), starting from where the
 * previous hunk's offset predicts, never overlapping the previous hunk.
 * Unchanged lines keep their own terminators; added lines get the file's
 * dominant one (`\n` for a file with none). "\ No newline at end of file"
 * after the new side's last line leaves that line without a terminator if it
 * ends the file; a line that stops being last gets a terminator.
 *
 * A lone `\r` counts as a line terminator here, as in splitLines.
 *
 * Creating a file: apply to "". Deleting one (newPath null) is the caller's
 * job: applying its hunks checks the content and returns "" when it matched;
 * the caller then removes the file.
 *
 * Throws PatchError `patch_conflict` naming the first hunk (1-based) that
 * does not apply, and why; `patch_invalid` for a hunk line with no prefix.
 */
export function applyHunks(text: string, hunks: Hunk[], where: string): string {
  const records = splitLineRecords(text);
  const ending = dominantEnding(records);
  const out: LineRecord[] = [];
  let cursor = 0;
  let offset = 0;
  hunks.forEach((hunk, index) => {
    const number = index + 1;
    const h = prepare(hunk, number, where);
    const planned = h.old.length === 0 ? hunk.oldStart : hunk.oldStart - 1;
    const expected = planned + offset;
    const at = locate(records, h.old, expected, cursor);
    if (at < 0) {
      throw new PatchError(
        "patch_conflict",
        conflictMessage(records, hunk, h.old, number, where, Math.max(expected, cursor)),
        { hunk: number, path: where },
      );
    }
    for (let k = cursor; k < at; k++) out.push(records[k]!);
    for (const line of h.new) {
      out.push({
        text: line.text,
        eol: line.old === null ? ending : records[at + line.old]!.eol,
      });
    }
    if (h.newNoEol && h.new.length > 0) out[out.length - 1] = { ...out.at(-1)!, eol: "" };
    cursor = at + h.old.length;
    offset = at - planned;
  });
  for (let k = cursor; k < records.length; k++) out.push(records[k]!);
  let result = "";
  for (let k = 0; k < out.length; k++) {
    const r = out[k]!;
    result += r.text + (r.eol === "" && k < out.length - 1 ? ending : r.eol);
  }
  return result;
}

/** Where the old lines are, searching outward from `expected` within [min, end]; -1 if nowhere. */
function locate(records: LineRecord[], old: string[], expected: number, min: number): number {
  const max = records.length - old.length;
  if (max < min) return -1;
  if (old.length === 0) return expected >= min && expected <= max ? expected : -1;
  const span = Math.max(expected - min, max - expected);
  for (let d = 0; d <= span; d++) {
    const later = expected + d;
    if (later >= min && later <= max && matchesAt(records, old, later)) return later;
    const earlier = expected - d;
    if (d > 0 && earlier >= min && earlier <= max && matchesAt(records, old, earlier)) {
      return earlier;
    }
  }
  return -1;
}

function conflictMessage(
  records: LineRecord[],
  hunk: Hunk,
  old: string[],
  number: number,
  where: string,
  at: number,
): string {
  const head = `hunk ${number} (@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@) does not apply to ${where}`;
  if (old.length === 0) {
    return `${head}: the file has ${records.length} lines, cannot insert after line ${hunk.oldStart}`;
  }
  for (let j = 0; j < old.length; j++) {
    const record = records[at + j];
    if (record === undefined) {
      return `${head}: the hunk expects ${JSON.stringify(old[j])} at line ${at + j + 1}, past the end of the file (${records.length} lines), and its lines were not found elsewhere`;
    }
    if (record.text !== old[j]) {
      return `${head}: line ${at + j + 1} is ${JSON.stringify(record.text)} but the hunk expects ${JSON.stringify(old[j])}, and its lines were not found elsewhere`;
    }
  }
  return `${head}: its lines were not found after the previous hunk`;
}
