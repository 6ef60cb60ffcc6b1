/**
 * A small tar codec of the kit's own (independent of any server's): ustar
 * headers written byte by byte (so a case can write the unsafe names a careful
 * writer refuses), PAX for long names and sub-second mtimes, and a reader of
 * ustar + PAX + GNU long names for exported archives.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";

export interface TarItem {
  name: string;
  type?: "file" | "directory" | "symlink" | "hardlink" | "fifo";
  content?: Uint8Array | string;
  mode?: number;
  /** Milliseconds since the epoch (default 2023-11-14T22:13:20Z). */
  mtimeMs?: number;
  linkName?: string;
  /** Size to claim in the header instead of the content's (for lying headers). */
  claimedSize?: number;
}

const encoder = new TextEncoder();
const TYPES = { file: "0", hardlink: "1", symlink: "2", directory: "5", fifo: "6" } as const;
export const DEFAULT_MTIME_MS = 1_700_000_000_000;

/** One header block (plus a PAX block before it when the name or mtime needs one). */
export function tarHeader(item: TarItem): Uint8Array {
  const content = toBytes(item.content);
  const size = item.claimedSize ?? content.length;
  const mtimeMs = item.mtimeMs ?? DEFAULT_MTIME_MS;
  const pax: string[] = [];
  const nameBytes = encoder.encode(item.name);
  if (nameBytes.length > 100) pax.push(record("path", item.name));
  if (mtimeMs % 1000 !== 0) pax.push(record("mtime", (mtimeMs / 1000).toFixed(3)));
  const main = block({
    name: nameBytes.length > 100 ? "long-name" : item.name,
    mode: item.mode ?? (item.type === "directory" ? 0o755 : 0o644),
    size: item.type === undefined || item.type === "file" ? size : 0,
    mtime: Math.floor(mtimeMs / 1000),
    type: TYPES[item.type ?? "file"],
    linkName: item.linkName ?? "",
  });
  if (pax.length === 0) return main;
  const body = encoder.encode(pax.join(""));
  const head = block({
    name: "PaxHeader",
    mode: 0o644,
    size: body.length,
    mtime: 0,
    type: "x",
    linkName: "",
  });
  return concat([head, body, new Uint8Array(pad(body.length)), main]);
}

/** A whole archive: headers, contents, padding and the end marker. */
export function tar(items: TarItem[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const item of items) {
    const content =
      item.type === undefined || item.type === "file" ? toBytes(item.content) : new Uint8Array(0);
    parts.push(tarHeader(item), content, new Uint8Array(pad(content.length)));
  }
  parts.push(new Uint8Array(1024));
  return concat(parts);
}

export interface UntarEntry {
  name: string;
  type: string;
  mode: number;
  mtimeMs: number;
  linkName: string;
  content: Uint8Array;
}

/** Reads a tar or tar.gz (by its magic bytes). */
export function untar(input: Uint8Array): UntarEntry[] {
  const bytes = input[0] === 0x1f && input[1] === 0x8b ? new Uint8Array(gunzipSync(input)) : input;
  const entries: UntarEntry[] = [];
  let pax: Record<string, string> = {};
  let longName: string | undefined;
  let longLink: string | undefined;
  for (let at = 0; at + 512 <= bytes.length; ) {
    const header = bytes.subarray(at, at + 512);
    if (header.every((b) => b === 0)) {
      at += 512;
      continue;
    }
    const size = octal(header, 124, 12);
    const type = String.fromCharCode(header[156] ?? 48) || "0";
    const content = bytes.subarray(at + 512, at + 512 + size);
    at += 512 + size + pad(size);
    if (type === "x") {
      pax = parsePax(content);
      continue;
    }
    if (type === "L" || type === "K") {
      const text = cString(content, 0, content.length);
      if (type === "L") longName = text;
      else longLink = text;
      continue;
    }
    const prefix = cString(header, 345, 155);
    const name = pax.path ?? longName ?? (prefix ? `${prefix}/` : "") + cString(header, 0, 100);
    entries.push({
      name,
      type:
        { "0": "file", "\0": "file", "1": "hardlink", "2": "symlink", "5": "directory" }[type] ??
        type,
      mode: octal(header, 100, 8),
      mtimeMs: pax.mtime ? Math.round(Number(pax.mtime) * 1000) : octal(header, 136, 12) * 1000,
      linkName: pax.linkpath ?? longLink ?? cString(header, 157, 100),
      content: content.slice(),
    });
    pax = {};
    longName = undefined;
    longLink = undefined;
  }
  return entries;
}

/**
 * A body of about `totalBytes` generated as it is pulled: `first`, then zeros.
 * `pulled()` says how much the server took before it answered.
 */
export function lazyBody(first: Uint8Array, totalBytes: number) {
  let pulled = 0;
  let stopped = false;
  const zeros = new Uint8Array(64 << 10);
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (stopped || pulled >= totalBytes) return controller.close();
        const chunk = pulled === 0 ? first : zeros;
        pulled += chunk.length;
        controller.enqueue(chunk);
      },
    },
    { highWaterMark: 0 },
  );
  return { body, pulled: () => pulled, stop: () => (stopped = true) };
}

/**
 * A real source tree to round-trip: this kit's own files (its compiled or
 * source folder), as archive items with their bytes.
 */
export function ownSourceTree(maxFiles = 400): Map<string, Uint8Array> {
  const root = fileURLToPath(new URL("../..", import.meta.url));
  const files = new Map<string, Uint8Array>();
  const walk = (dir: string, prefix: string) => {
    for (const name of readdirSync(dir).sort()) {
      if (files.size >= maxFiles) return;
      const path = join(dir, name);
      const st = statSync(path);
      const rel = prefix ? `${prefix}/${name}` : name;
      if (st.isDirectory()) walk(path, rel);
      else if (st.isFile() && st.size <= 1 << 20)
        files.set(rel, new Uint8Array(readFileSync(path)));
    }
  };
  walk(root, "");
  return files;
}

function record(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const n = encoder.encode(body).length;
  let length = n + 1;
  while (String(length).length + n > length) length++;
  return `${length}${body}`;
}

function parsePax(bytes: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  const text = new TextDecoder().decode(bytes);
  for (const line of text.split("\n")) {
    const m = /^\d+ ([^=]+)=(.*)$/s.exec(line);
    if (m) out[m[1] as string] = m[2] as string;
  }
  return out;
}

function block(h: {
  name: string;
  mode: number;
  size: number;
  mtime: number;
  type: string;
  linkName: string;
}) {
  const b = new Uint8Array(512);
  const put = (text: string, offset: number, length: number) =>
    b.set(encoder.encode(text).slice(0, length), offset);
  const oct = (value: number, offset: number, length: number) =>
    put(`${value.toString(8).padStart(length - 1, "0")}\0`, offset, length);
  put(h.name, 0, 100);
  oct(h.mode, 100, 8);
  oct(0, 108, 8);
  oct(0, 116, 8);
  oct(h.size, 124, 12);
  oct(h.mtime, 136, 12);
  put("        ", 148, 8);
  put(h.type, 156, 1);
  put(h.linkName, 157, 100);
  put("ustar\u000000", 257, 8);
  let sum = 0;
  for (const byte of b) sum += byte;
  put(`${sum.toString(8).padStart(6, "0")}\0 `, 148, 8);
  return b;
}

function octal(b: Uint8Array, offset: number, length: number): number {
  const text = cString(b, offset, length).trim();
  return text === "" ? 0 : Number.parseInt(text, 8);
}

function cString(b: Uint8Array, offset: number, length: number): string {
  const slice = b.subarray(offset, offset + length);
  const end = slice.indexOf(0);
  return new TextDecoder().decode(end === -1 ? slice : slice.subarray(0, end));
}

function pad(n: number): number {
  return (512 - (n % 512)) % 512;
}

function toBytes(content: Uint8Array | string | undefined): Uint8Array {
  if (content === undefined) return new Uint8Array(0);
  return typeof content === "string" ? encoder.encode(content) : content;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
