/** The text a model reads from each tool: plain, numbered where it helps, and explicit about cuts. */
import type {
  ExecResult,
  GlobResult,
  GrepMatch,
  GrepResult,
  ReadLinesResult,
  SandboxData,
} from "@cairn/client";

/**
 * `cat -n` style: each line prefixed with its number (right-aligned to 6) and a tab. `text` is
 * the API's: lines joined by "\n", ending in "\n" when the last one had a terminator.
 *
 * @example numberLines("a\nb\n", 9) // "     9\ta\n    10\tb"
 */
export function numberLines(text: string, firstLine: number): string {
  const lines = text.endsWith("\n") ? text.slice(0, -1).split("\n") : text.split("\n");
  return lines.map((line, i) => `${String(firstLine + i).padStart(6)}\t${line}`).join("\n");
}

/** Where a read of lines stopped and how to go on: `nextStartLine` is null at the end. */
export interface ReadPosition {
  nextStartLine: number | null;
  /** One line for the model: what was shown, of how many, and what to call next. */
  note: string;
}

/** Describes a `readLines` answer: the range shown, the total, whether it was cut, how to continue. */
export function readPosition(result: ReadLinesResult, maxBytes: number): ReadPosition {
  const { path, startLine, endLine, totalLines } = result;
  if (result.binary) {
    return {
      nextStartLine: null,
      note: `${path} is a binary file (not UTF-8 text), so it has no lines to show. Inspect it with the bash tool, e.g. \`file ${path}\`, \`od -c ${path} | head\` or \`base64 ${path}\`.`,
    };
  }
  if (totalLines === 0) return { nextStartLine: null, note: `${path} is empty (0 lines).` };
  if (startLine > totalLines) {
    return {
      nextStartLine: null,
      note: `startLine ${startLine} is past the end of ${path}, which has ${totalLines} lines.`,
    };
  }
  if (endLine < startLine) {
    // Not even the first line fitted: the text is the start of that one line.
    const next = startLine + 1 <= totalLines ? startLine + 1 : null;
    const shown = [...result.text].length;
    return {
      nextStartLine: next,
      note:
        `Line ${startLine} of ${totalLines} alone is longer than ${maxBytes} bytes; above are its first ${shown} characters (no line number). ` +
        `Read the rest of it with bash, e.g. \`sed -n '${startLine}p' ${path} | cut -c ${shown + 1}-${shown + maxBytes}\`` +
        (next === null ? "; it is the last line." : `; then continue with startLine=${next}.`),
    };
  }
  const shown = `Lines ${startLine}-${endLine} of ${totalLines}`;
  if (endLine >= totalLines) return { nextStartLine: null, note: `${shown} (end of file).` };
  const why = result.truncated ? ` (cut at ${maxBytes} bytes)` : "";
  return {
    nextStartLine: endLine + 1,
    note: `${shown}${why}; ${totalLines - endLine} more: continue with startLine=${endLine + 1}.`,
  };
}

/** A read's answer for the model: numbered lines, then where they are in the file. */
export function formatRead(result: ReadLinesResult, position: ReadPosition): string {
  if (result.binary || result.text === "") return position.note;
  const body =
    result.endLine < result.startLine ? result.text : numberLines(result.text, result.startLine);
  return `${body}\n\n[${position.note}]`;
}

const COMMIT_NOTES: Record<string, string> = {
  commit_never: "file changes discarded (dry run)",
  nonzero_exit: "file changes discarded (the script exited non-zero)",
  journal_limit:
    "file changes discarded: they went over the sandbox's per-script limit (a write failed with ENOSPC); nothing was committed",
};

/** What happened to the script's file changes, in a few words. */
export function commitNote(commit: ExecResult["commit"], readOnly: boolean): string {
  if (commit.status === "committed")
    return `file changes committed (sandbox version ${commit.version})`;
  if (commit.status === "discarded")
    return COMMIT_NOTES[commit.reason ?? ""] ?? "file changes discarded";
  return readOnly ? "read-only run, nothing changed" : "no file changes";
}

/** An exec result as the model reads it: exit code first, then each stream, with cut notes. */
export function formatExec(result: ExecResult, maxOutputBytes: number, readOnly: boolean): string {
  const head = `exit code ${result.exitCode} · ${Math.round(result.durationMs)} ms · ${commitNote(result.commit, readOnly)}`;
  const streams: string[] = [];
  for (const name of ["stdout", "stderr"] as const) {
    const output = result[name];
    const cut = result.truncated[name];
    if (output === "" && !cut) continue;
    const note = cut
      ? ` (cut: only the first ${maxOutputBytes} bytes are kept; the rest was dropped. Redirect to a file and read_file it, or pipe through head/tail/grep)`
      : "";
    streams.push(`--- ${name}${note} ---\n${output.endsWith("\n") ? output.slice(0, -1) : output}`);
  }
  if (streams.length === 0) streams.push("(no output)");
  return [head, ...streams].join("\n");
}

/** Glob paths, one per line, and a last line that says how many and whether the list was cut. */
export function formatGlob(result: GlobResult, pattern: string, path: string): string {
  const { paths, truncated } = result;
  if (paths.length === 0) {
    const cut = truncated ? ` (the walk stopped after ${truncated.limit} entries)` : "";
    return `No paths under ${path} match ${pattern}${cut}.`;
  }
  const count = `${paths.length} path${paths.length === 1 ? "" : "s"}`;
  let note = `[${count}]`;
  if (truncated?.reason === "limit")
    note = `[${count}, cut at limit=${truncated.limit}: narrow the pattern or path, or raise limit]`;
  else if (truncated?.reason === "entries")
    note = `[${count}; the walk stopped after ${truncated.limit} entries, so there may be more: narrow path or raise maxEntries]`;
  return `${paths.join("\n")}\n\n${note}`;
}

/** Grep matches as `path:line:text` (context lines as `path-line-text`), then a summary line. */
export function formatGrep(result: GrepResult, maxLineBytes: number): string {
  const { matches, filesMatched, filesSearched, skipped, truncated } = result;
  const skippedNote = [
    skipped.binary > 0 ? `${skipped.binary} binary` : "",
    skipped.tooLarge > 0 ? `${skipped.tooLarge} too large` : "",
  ]
    .filter(Boolean)
    .join(", ");
  const counts =
    `${matches.length} matching line${matches.length === 1 ? "" : "s"} in ${filesMatched} file${filesMatched === 1 ? "" : "s"}` +
    ` (${filesSearched} searched${skippedNote ? `; skipped ${skippedNote}` : ""})`;
  let cut = "";
  if (truncated?.reason === "results")
    cut = `; cut at maxResults=${truncated.limit}: narrow with path or glob, or raise maxResults`;
  else if (truncated?.reason === "time")
    cut = `; stopped after ${truncated.limit} ms of matching (the regex backtracks too much?), so there may be more`;
  if (matches.length === 0) return `No matches: ${counts}${cut}.`;
  return `${groupMatches(matches, maxLineBytes).join("\n")}\n\n[${counts}${cut}]`;
}

/**
 * Lines of grep output. With context, each file's lines are merged (a match shown as another's
 * context is still marked as a match) and runs that are not adjacent are split by `--`.
 */
function groupMatches(matches: GrepMatch[], maxLineBytes: number): string[] {
  const files = new Map<string, Map<number, { text: string; match: boolean }>>();
  for (const match of matches) {
    const lines = files.get(match.path) ?? new Map<number, { text: string; match: boolean }>();
    files.set(match.path, lines);
    for (const context of [...match.before, ...match.after]) {
      if (!lines.has(context.line)) lines.set(context.line, { text: context.text, match: false });
    }
    const text = match.cut ? `${match.text} [line cut at ${maxLineBytes} bytes]` : match.text;
    lines.set(match.line, { text, match: true });
  }
  const hasContext = matches.some((m) => m.before.length > 0 || m.after.length > 0);
  const out: string[] = [];
  for (const [path, lines] of files) {
    let previous = -1;
    for (const line of [...lines.keys()].sort((a, b) => a - b)) {
      if (hasContext && out.length > 0 && line !== previous + 1) out.push("--");
      const { text, match } = lines.get(line)!;
      const sep = match ? ":" : "-";
      out.push(`${path}${sep}${line}${sep}${text}`);
      previous = line;
    }
  }
  return out;
}

/** One line per sandbox: id, name, version, last change. */
export function formatSandboxLine(sandbox: SandboxData): string {
  const name = sandbox.name === null ? "(no name)" : JSON.stringify(sandbox.name);
  return `${sandbox.id}  ${name}  version ${sandbox.version}  updated ${sandbox.updatedAt}`;
}
