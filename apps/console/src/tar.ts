/** A minimal POSIX tar writer (ustar, PAX records for long names) for dropped directories. */
import type { DroppedFile } from "./upload.js";

const encoder = new TextEncoder();

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, "0")}\0`;
}

function header(
  name: string,
  size: number,
  type: "0" | "x",
  mtime: number,
): Uint8Array<ArrayBuffer> {
  const block = new Uint8Array(512);
  const put = (text: string, at: number, width: number) =>
    block.set(encoder.encode(text).subarray(0, width), at);
  put(name, 0, 100);
  put(octal(0o644, 8), 100, 8);
  put(octal(0, 8), 108, 8);
  put(octal(0, 8), 116, 8);
  put(octal(size, 12), 124, 12);
  put(octal(Math.floor(mtime / 1000), 12), 136, 12);
  put("        ", 148, 8); // the checksum counts its own field as spaces
  put(type, 156, 1);
  put("ustar\0", 257, 6);
  put("00", 263, 2);
  const sum = block.reduce((total, byte) => total + byte, 0);
  put(`${sum.toString(8).padStart(6, "0")}\0 `, 148, 8);
  return block;
}

/** A PAX record `"<len> path=<value>\n"`, where len counts the whole record, itself included. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bytes = encoder.encode(body).length;
  let length = bytes + 1;
  while (String(length).length + bytes !== length) length = String(length).length + bytes;
  return `${length}${body}`;
}

function padding(size: number): Uint8Array<ArrayBuffer> {
  return new Uint8Array((512 - (size % 512)) % 512);
}

/** The dropped files as one tar Blob (the File objects are referenced, not copied). */
export function tarOf(files: DroppedFile[]): Blob {
  const parts: BlobPart[] = [];
  for (const { path, file } of files) {
    let name = path;
    if (encoder.encode(path).length > 100) {
      const record = new Uint8Array(encoder.encode(paxRecord("path", path)));
      parts.push(header("././@PaxHeader", record.length, "x", file.lastModified));
      parts.push(record, padding(record.length));
      name = path.slice(0, 99);
    }
    parts.push(header(name, file.size, "0", file.lastModified), file, padding(file.size));
  }
  parts.push(new Uint8Array(1024));
  return new Blob(parts, { type: "application/x-tar" });
}
