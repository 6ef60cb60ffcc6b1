/**
 * A streaming POSIX tar writer: ustar headers, with PAX records for what ustar
 * cannot say (long or split-less names, long link targets, sub-second or
 * out-of-range mtimes, sizes of 8 GiB and more). Pulled one entry at a time.
 */

export interface TarEntry {
  /** Name in the archive, relative; a directory's ends with `/` (added when missing). */
  name: string;
  kind: "file" | "directory" | "symlink" | "hardlink";
  /** Permission bits. */
  mode: number;
  mtimeMs: number;
  /** Content bytes (files; 0 for the rest). */
  size?: number;
  /** Symlink target, or the archive name a hard link points at. */
  linkName?: string;
}

/** An entry and, for a file, where its `size` bytes come from. */
export interface TarSource {
  entry: TarEntry;
  content?: () => Promise<Uint8Array> | AsyncIterable<Uint8Array>;
}

const BLOCK = 512;
const encoder = new TextEncoder();
const TYPE_FLAG = { file: "0", hardlink: "1", symlink: "2", directory: "5" } as const;
const MAX_OCTAL_11 = 0o77777777777;

/**
 * The tar stream of `sources`, each entry read when the consumer pulls (a file's
 * content is asked for only then), so memory holds one file at most.
 *
 * @example
 * const body = tarStream(entries).pipeThrough(new CompressionStream("gzip"));
 */
export function tarStream(
  sources: Iterable<TarSource> | AsyncIterable<TarSource>,
): ReadableStream<Uint8Array> {
  const chunks = tarChunks(sources);
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { done, value } = await chunks.next();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      async cancel() {
        await chunks.return(undefined);
      },
    },
    { highWaterMark: 0 },
  );
}

/** The same stream as an async iterable of chunks. */
export async function* tarChunks(
  sources: Iterable<TarSource> | AsyncIterable<TarSource>,
): AsyncGenerator<Uint8Array> {
  for await (const { entry, content } of sources) {
    const size = entry.kind === "file" ? (entry.size ?? 0) : 0;
    yield tarHeader(entry);
    if (size === 0) continue;
    let written = 0;
    const produced = content ? content() : Promise.resolve(new Uint8Array(0));
    const pieces = produced instanceof Promise ? [await produced] : produced;
    for await (const piece of pieces) {
      written += piece.length;
      if (written > size) throw new Error(`tar: '${entry.name}' is longer than its ${size} bytes`);
      yield piece;
    }
    if (written !== size) throw new Error(`tar: '${entry.name}' is shorter than its ${size} bytes`);
    const pad = padding(size);
    if (pad > 0) yield new Uint8Array(pad);
  }
  yield new Uint8Array(BLOCK * 2);
}

/** Bytes of zero padding after `size` bytes of content. */
export function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

/** The header block(s) of one entry: a PAX extended header first when needed. */
export function tarHeader(entry: TarEntry): Uint8Array {
  const name =
    entry.kind === "directory" && !entry.name.endsWith("/") ? `${entry.name}/` : entry.name;
  const size = entry.kind === "file" ? (entry.size ?? 0) : 0;
  const pax: Array<[string, string]> = [];
  const split = splitName(name);
  if (!split) pax.push(["path", name]);
  const link = entry.linkName ?? "";
  if (encoder.encode(link).length > 100) pax.push(["linkpath", link]);
  const seconds = Math.floor(entry.mtimeMs / 1000);
  if (entry.mtimeMs % 1000 !== 0 || seconds < 0 || seconds > MAX_OCTAL_11) {
    pax.push(["mtime", formatMtime(entry.mtimeMs)]);
  }
  if (size > MAX_OCTAL_11) pax.push(["size", String(size)]);

  const main = ustar({
    name: split?.name ?? asciiFallback(name),
    prefix: split?.prefix ?? "",
    mode: entry.mode & 0o7777,
    size: size > MAX_OCTAL_11 ? 0 : size,
    mtime: Math.min(Math.max(seconds, 0), MAX_OCTAL_11),
    type: TYPE_FLAG[entry.kind],
    linkName: encoder.encode(link).length > 100 ? "" : link,
  });
  if (pax.length === 0) return main;
  const records = encoder.encode(pax.map(([k, v]) => paxRecord(k, v)).join(""));
  const paxHead = ustar({
    name: "PaxHeader",
    prefix: "",
    mode: 0o644,
    size: records.length,
    mtime: Math.min(Math.max(seconds, 0), MAX_OCTAL_11),
    type: "x",
    linkName: "",
  });
  const out = new Uint8Array(BLOCK + records.length + padding(records.length) + BLOCK);
  out.set(paxHead, 0);
  out.set(records, BLOCK);
  out.set(main, BLOCK + records.length + padding(records.length));
  return out;
}

/** `"<len> key=value\n"`, where len counts the whole record, itself included. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bodyLength = encoder.encode(body).length;
  let length = bodyLength + 1;
  while (String(length).length + bodyLength > length) length++;
  return `${length}${body}`;
}

function formatMtime(ms: number): string {
  const negative = ms < 0;
  const abs = Math.abs(ms);
  const seconds = Math.floor(abs / 1000);
  const fraction = Math.round(abs % 1000);
  const text = fraction === 0 ? String(seconds) : `${seconds}.${String(fraction).padStart(3, "0")}`;
  return negative ? `-${text}` : text;
}

/** ustar's name/prefix split, when the name fits it. */
function splitName(name: string): { name: string; prefix: string } | undefined {
  const bytes = encoder.encode(name);
  if (bytes.length <= 100) return { name, prefix: "" };
  if (bytes.length > 256) return undefined;
  // The prefix ends before a slash; the name after it must fit 100 bytes.
  for (let i = name.lastIndexOf("/", name.length - 2); i > 0; i = name.lastIndexOf("/", i - 1)) {
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (encoder.encode(prefix).length <= 155 && encoder.encode(rest).length <= 100) {
      return { name: rest, prefix };
    }
    if (encoder.encode(rest).length > 100) break;
  }
  return undefined;
}

/** What a reader without PAX support sees: the name cut to 100 bytes. */
function asciiFallback(name: string): string {
  return new TextDecoder().decode(encoder.encode(name).slice(0, 100)).replace(/\uFFFD$/, "");
}

function ustar(h: {
  name: string;
  prefix: string;
  mode: number;
  size: number;
  mtime: number;
  type: string;
  linkName: string;
}): Uint8Array {
  const block = new Uint8Array(BLOCK);
  const put = (text: string, offset: number, length: number) => {
    block.set(encoder.encode(text).slice(0, length), offset);
  };
  const octal = (value: number, offset: number, length: number) => {
    put(`${value.toString(8).padStart(length - 1, "0")}\0`, offset, length);
  };
  put(h.name, 0, 100);
  octal(h.mode, 100, 8);
  octal(0, 108, 8);
  octal(0, 116, 8);
  octal(h.size, 124, 12);
  octal(h.mtime, 136, 12);
  put("        ", 148, 8);
  put(h.type, 156, 1);
  put(h.linkName, 157, 100);
  put("ustar\u000000", 257, 8);
  octal(0, 329, 8);
  octal(0, 337, 8);
  put(h.prefix, 345, 155);
  let sum = 0;
  for (const byte of block) sum += byte;
  put(`${sum.toString(8).padStart(6, "0")}\0 `, 148, 8);
  return block;
}
