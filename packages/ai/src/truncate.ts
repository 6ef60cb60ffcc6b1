/** Cutting long tool output to a budget of lines and bytes, with a note that says what was cut. */

/** How much of a long output to keep, and which end of it. */
export interface OutputLimits {
  /** Most bytes (UTF-8) of a stream to show the model. */
  maxBytes: number;
  /** Most lines of a stream to show the model. */
  maxLines: number;
  /**
   * `"both"` keeps the start and the end (where errors and summaries usually are) and cuts the
   * middle; `"head"` keeps the start; `"tail"` keeps the end.
   */
  keep: "head" | "tail" | "both";
}

/** What `truncateOutput()` cut, or `null` when it showed everything. */
export interface Cut {
  /** Lines in the whole text (a last line without `\n` counts). */
  totalLines: number;
  /** Bytes (UTF-8) in the whole text. */
  totalBytes: number;
  /** Bytes left out. */
  omittedBytes: number;
}

export interface TruncateOptions {
  /** The stream's name in the note, e.g. `stdout`. */
  label: string;
  /** What the model can do to see the rest; appended to the note. */
  hint?: string;
  /**
   * The text is itself only the first `capturedBytes` of a longer output (the server dropped the
   * rest): the note says so, and only the start is kept, since the true end is unknown.
   */
  capturedBytes?: number;
}

export interface Truncated {
  /** The text to show: the kept parts with the note where the cut is. */
  text: string;
  /** What was cut, or `null` when nothing was. */
  cut: Cut | null;
}

interface Line {
  start: number;
  end: number;
}

interface Part {
  /** Byte offsets in the whole text. */
  start: number;
  end: number;
  /** Whole lines kept, as 1-based numbers (`first > last` when none). */
  first: number;
  last: number;
  /** The part is a piece of one line, cut inside it. */
  partial: boolean;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Keeps at most `limits.maxLines` lines and `limits.maxBytes` bytes of `text`. When it cuts, the
 * note in the returned text says how long the whole was, which lines are shown and how much was
 * left out. A line longer than the whole budget is cut inside (at a character boundary).
 *
 * @example
 * const { text } = truncateOutput(stdout, { maxBytes: 30_000, maxLines: 400, keep: "both" }, { label: "stdout" });
 */
export function truncateOutput(
  text: string,
  limits: OutputLimits,
  options: TruncateOptions,
): Truncated {
  const bytes = encoder.encode(text);
  const lines = splitLines(bytes);
  const serverCut = options.capturedBytes !== undefined;
  if (lines.length <= limits.maxLines && bytes.length <= limits.maxBytes) {
    if (!serverCut) return { text, cut: null };
    const note = `[${options.label} truncated: the command wrote more than ${formatBytes(
      options.capturedBytes ?? bytes.length,
    )}; only the first ${formatBytes(bytes.length)} (${plural(lines.length, "line")}) were kept and are shown above.${hintText(options.hint)}]`;
    return {
      text: joinNote(text, note, ""),
      cut: { totalLines: lines.length, totalBytes: bytes.length, omittedBytes: 0 },
    };
  }

  const keep = serverCut ? "head" : limits.keep;
  const headShare = keep === "head" ? 1 : keep === "tail" ? 0 : 0.5;
  const headLines = Math.ceil(limits.maxLines * headShare);
  const headBytes = Math.floor(limits.maxBytes * headShare);
  const head = takeHead(bytes, lines, headLines, headBytes);
  const tail = takeTail(
    bytes,
    lines,
    limits.maxLines - headLines,
    limits.maxBytes - headBytes,
    head,
  );
  const omittedBytes = bytes.length - (head.end - head.start) - (tail.end - tail.start);

  const shown = [describe(head, "first"), describe(tail, "last")].filter(Boolean).join(" and ");
  const gap = omittedRange(head, tail, lines.length);
  const whole = serverCut
    ? `the command wrote more than ${formatBytes(options.capturedBytes ?? 0)}, of which only the first ${formatBytes(bytes.length)} (${plural(lines.length, "line")}) were kept`
    : `${plural(lines.length, "line")}, ${formatBytes(bytes.length)} in all`;
  const note = `[${options.label} truncated: ${whole}; showing ${shown || "nothing"}; ${
    gap ? `${gap} (${formatBytes(omittedBytes)})` : formatBytes(omittedBytes)
  } omitted${keep === "both" ? " here" : ""}.${hintText(options.hint)}]`;

  const before = decoder.decode(bytes.subarray(head.start, head.end));
  const after = decoder.decode(bytes.subarray(tail.start, tail.end));
  return {
    text: joinNote(before, note, after),
    cut: { totalLines: lines.length, totalBytes: bytes.length, omittedBytes },
  };
}

/** `1,234 bytes`, `12.3 KB`, `3.1 MB` (decimal units). */
export function formatBytes(n: number): string {
  if (n < 1000) return plural(n, "byte");
  if (n < 1_000_000) return `${trim(n / 1000)} KB`;
  return `${trim(n / 1_000_000)} MB`;
}

/** `1 line`, `12,000 lines`. */
export function plural(n: number, word: string): string {
  return `${n.toLocaleString("en-US")} ${word}${n === 1 ? "" : "s"}`;
}

function trim(x: number): string {
  return x >= 100 ? String(Math.round(x)) : (Math.round(x * 10) / 10).toString();
}

function hintText(hint: string | undefined): string {
  return hint ? ` ${hint}` : "";
}

/** The kept parts with the note between them, each on lines of its own. */
function joinNote(before: string, note: string, after: string): string {
  const lead = before === "" || before.endsWith("\n") ? before : `${before}\n`;
  return `${lead}${note}\n${after}`;
}

function splitLines(bytes: Uint8Array): Line[] {
  const lines: Line[] = [];
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x0a) {
      lines.push({ start, end: i + 1 });
      start = i + 1;
    }
  }
  if (start < bytes.length) lines.push({ start, end: bytes.length });
  return lines;
}

function takeHead(bytes: Uint8Array, lines: Line[], maxLines: number, maxBytes: number): Part {
  let count = 0;
  let end = 0;
  while (count < lines.length && count < maxLines) {
    const line = lines[count]!;
    if (line.end > maxBytes) break;
    end = line.end;
    count++;
  }
  if (count === 0 && maxLines > 0 && maxBytes > 0 && lines.length > 0) {
    // The first line alone is over the budget: keep its start, cut at a character boundary.
    let cut = Math.min(maxBytes, lines[0]!.end);
    while (cut > 0 && isContinuation(bytes[cut])) cut--;
    return { start: 0, end: cut, first: 1, last: 1, partial: true };
  }
  return { start: 0, end, first: 1, last: count, partial: false };
}

function takeTail(
  bytes: Uint8Array,
  lines: Line[],
  maxLines: number,
  maxBytes: number,
  head: Part,
): Part {
  const floor = head.partial ? 1 : head.last; // lines the head already holds, whole or in part
  const total = bytes.length;
  let index = lines.length;
  let start = total;
  while (index > floor && lines.length - index < maxLines) {
    const line = lines[index - 1]!;
    if (total - line.start > maxBytes) break;
    start = line.start;
    index--;
  }
  const count = lines.length - index;
  if (count === 0 && maxLines > 0 && maxBytes > 0 && lines.length > 0) {
    // The last line alone is over the budget: keep its end, cut at a character boundary.
    let cut = Math.max(total - maxBytes, head.end, lines[lines.length - 1]!.start);
    while (cut < total && isContinuation(bytes[cut])) cut++;
    if (cut < total) {
      return { start: cut, end: total, first: lines.length, last: lines.length, partial: true };
    }
  }
  return { start, end: total, first: index + 1, last: lines.length, partial: false };
}

function isContinuation(byte: number | undefined): boolean {
  return byte !== undefined && (byte & 0xc0) === 0x80;
}

function describe(part: Part, end: "first" | "last"): string {
  if (part.end <= part.start) return "";
  if (part.partial) return `the ${end} ${formatBytes(part.end - part.start)} of line ${part.first}`;
  return lineRange(part.first, part.last);
}

function lineRange(first: number, last: number): string {
  return first === last ? `line ${first}` : `lines ${first}-${last}`;
}

/** The whole lines left out between the two parts, when the cut falls on line boundaries. */
function omittedRange(head: Part, tail: Part, total: number): string {
  if (head.partial || tail.partial) return "";
  const first = head.last + 1;
  const last = tail.end > tail.start ? tail.first - 1 : total;
  return first <= last ? lineRange(first, last) : "";
}
