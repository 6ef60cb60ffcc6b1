/**
 * Reads a tar or tar.gz request body into checked archive entries, as it
 * arrives: every header is checked before its bytes are read, and the first
 * broken rule or limit stops the reading (the rest of the body is never read).
 */
import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import {
  type ArchiveEntry,
  ArchiveError,
  type ArchiveHeader,
  type ArchiveLimits,
  ArchiveStager,
  FsError,
} from "@cairn/core";
import { extract, type Header as TarHeaders } from "tar-stream";

const KINDS: Partial<Record<string, ArchiveHeader["kind"]>> = {
  file: "file",
  "contiguous-file": "file",
  directory: "directory",
  symlink: "symlink",
  link: "hardlink",
};

/**
 * The entries of a tar archive, gzip-compressed or not (told by its magic bytes).
 * Throws an `ArchiveError` (or an `FsError` for a name the sandbox cannot hold).
 * The body is never cancelled, only no longer read, so the server can still answer
 * on the same connection.
 *
 * @example
 * const entries = await readArchive(c.req.raw.body, c.get("limits"));
 */
export async function readArchive(
  body: ReadableStream<Uint8Array> | null,
  limits: ArchiveLimits,
): Promise<ArchiveEntry[]> {
  const stager = new ArchiveStager(limits);
  if (body === null) return stager.entries;
  const source = new BodySource(body, limits.maxArchiveBytes);
  const head = await source.peek(2);
  if (head.length === 0) return stager.entries;
  const raw = Readable.from(source.chunks(), { objectMode: false });
  let tarBytes: Readable = raw;
  if (head[0] === 0x1f && head[1] === 0x8b) {
    const gunzip = createGunzip();
    raw.on("error", (error) => gunzip.destroy(error));
    tarBytes = raw.pipe(gunzip);
  }
  const tar = extract();
  let stopped = false;
  const feeding = (async () => {
    let unpacked = 0;
    try {
      for await (const chunk of tarBytes) {
        if (stopped) return;
        unpacked += (chunk as Uint8Array).length;
        if (unpacked > limits.maxArchiveBytes) {
          throw new ArchiveError(
            "archive_too_large",
            `the archive unpacks to more than ${limits.maxArchiveBytes} bytes of tar`,
          );
        }
        if (!tar.write(chunk)) {
          await new Promise<void>((resolve) => {
            const done = () => {
              tar.off("drain", done);
              tar.off("close", done);
              resolve();
            };
            tar.on("drain", done);
            tar.on("close", done);
          });
        }
      }
      (tar as unknown as { end(): void }).end();
    } catch (error) {
      tar.destroy(error as Error);
    }
  })();
  try {
    for await (const entry of tar) {
      const staged = stager.header(headerOf(entry.header));
      if (staged.kind === "file") {
        const body = entry as unknown as AsyncIterable<Uint8Array>;
        stager.add(staged, await collect(body, entry.header.size ?? 0, entry.header.name));
      } else {
        entry.resume();
        stager.add(staged);
      }
    }
    await feeding;
    return stager.entries;
  } catch (error) {
    stopped = true;
    tarBytes.destroy();
    raw.destroy();
    throw asArchiveError(error);
  }
}

/** Reads the body's chunks, counting them against the archive limit; never cancels it. */
class BodySource {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly pending: Uint8Array[] = [];
  private received = 0;

  constructor(
    body: ReadableStream<Uint8Array>,
    private readonly maxBytes: number,
  ) {
    this.reader = body.getReader();
  }

  /** At least `n` bytes from the start (fewer only if the body is shorter). */
  async peek(n: number): Promise<Uint8Array> {
    let have = this.pending.reduce((sum, c) => sum + c.length, 0);
    while (have < n) {
      const chunk = await this.read();
      if (chunk === undefined) break;
      this.pending.push(chunk);
      have += chunk.length;
    }
    return Buffer.concat(this.pending).subarray(0, n);
  }

  async *chunks(): AsyncGenerator<Uint8Array> {
    try {
      while (this.pending.length > 0) yield this.pending.shift() as Uint8Array;
      for (;;) {
        const chunk = await this.read();
        if (chunk === undefined) return;
        yield chunk;
      }
    } finally {
      this.reader.releaseLock();
    }
  }

  private async read(): Promise<Uint8Array | undefined> {
    const { done, value } = await this.reader.read();
    if (done) return undefined;
    this.received += value.length;
    if (this.received > this.maxBytes) {
      throw new ArchiveError(
        "archive_too_large",
        `the archive is larger than ${this.maxBytes} bytes`,
      );
    }
    return value;
  }
}

function headerOf(h: TarHeaders): ArchiveHeader {
  const paxMtime = Number.parseFloat((h as { pax?: Record<string, string> }).pax?.mtime ?? "");
  const kind = KINDS[h.type ?? "file"] ?? "other";
  return {
    name: h.name,
    kind,
    size: kind === "file" ? (h.size ?? 0) : 0,
    mode: h.mode ?? (kind === "directory" ? 0o755 : 0o644),
    mtimeMs: Number.isFinite(paxMtime)
      ? Math.round(paxMtime * 1000)
      : (h.mtime?.getTime() ?? Date.now()),
    linkName: h.linkname ?? undefined,
    typeName: h.type ?? undefined,
  };
}

async function collect(entry: AsyncIterable<Uint8Array>, size: number, name: string) {
  const bytes = new Uint8Array(size);
  let offset = 0;
  for await (const chunk of entry) {
    if (offset + chunk.length > size) break;
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  if (offset !== size) {
    throw new ArchiveError("archive_invalid", `entry '${name}' is truncated`, name);
  }
  return bytes;
}

function asArchiveError(error: unknown): unknown {
  if (error instanceof ArchiveError || error instanceof FsError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ArchiveError("archive_invalid", `not a readable tar or tar.gz archive: ${message}`);
}
