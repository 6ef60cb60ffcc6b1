/** `sandbox.fs`: read, write and manage the files of one sandbox. */

import { PagePromise } from "./core/pagination.js";
import { abortError, type Transport, toCairnError } from "./core/transport.js";
import { DirectoryPage } from "./directory-page.js";
import type {
  DirectoryEntry,
  FileStat,
  MutatingRequestOptions,
  MutationResult,
  RequestOptions,
  WriteResult,
} from "./types.js";

/**
 * What `write()` accepts; a string is written as UTF-8. A `ReadableStream` is streamed to the
 * server as it is read (never held in memory whole), and so is sent once: not retried, and
 * without an Idempotency-Key unless you pass `idempotencyKey`.
 */
export type FileData = string | Uint8Array | ArrayBuffer | Blob | ReadableStream<Uint8Array>;

/** A byte range; `end` is inclusive and defaults to the end of the file. */
export interface ByteRange {
  start: number;
  end?: number;
}

export interface ReadOptions extends RequestOptions {
  /** Read only these bytes (sent as `Range: bytes=start-end`). */
  range?: ByteRange;
}

export interface WriteOptions extends MutatingRequestOptions {
  /** Replace the file only if its current ETag is this one (else `PreconditionFailedError`). */
  ifMatch?: string;
  /** `"*"`: create the file only if nothing exists at the path (else `PreconditionFailedError`). */
  ifNoneMatch?: "*";
  /** Permission bits in octal, e.g. `"755"` (default `644` for a new file). */
  mode?: string;
}

export interface StatOptions extends RequestOptions {
  /** Describe a symlink's target rather than the link (default true). */
  followSymlinks?: boolean;
}

export interface ListOptions extends RequestOptions {
  /** Page size (1–10000, default 1000). */
  limit?: number;
  /** A previous page's `nextCursor`. */
  cursor?: string;
}

export interface MkdirOptions extends MutatingRequestOptions {
  /** Create missing parents and succeed if the directory exists (`mkdir -p`). */
  parents?: boolean;
}

export interface MoveOptions extends MutatingRequestOptions {
  /** Replace an existing destination (a file, or an empty directory). */
  overwrite?: boolean;
}

export type CopyOptions = MoveOptions;

/** `create()`'s options: `write()`'s without the preconditions (it sets `If-None-Match: *`). */
export type CreateFileOptions = Omit<WriteOptions, "ifMatch" | "ifNoneMatch">;

export interface RemoveOptions extends MutatingRequestOptions {
  /** Delete a directory and everything under it. */
  recursive?: boolean;
  /** Delete only if the file's current ETag is this one. */
  ifMatch?: string;
}

const OCTET_STREAM = "application/octet-stream";

/** The file operations of one sandbox; paths are absolute (`/src/main.ts`). */
export class SandboxFiles {
  readonly #transport: Transport;
  readonly #sandbox: { sandboxId: string };

  /** @internal Made by the client; not meant to be called. */
  constructor(transport: Transport, sandboxId: string) {
    this.#transport = transport;
    this.#sandbox = { sandboxId };
  }

  /**
   * Reads a file as UTF-8 text (invalid sequences become U+FFFD). Symlinks are followed.
   *
   * @example const source = await sandbox.fs.readText("/src/main.ts");
   */
  async readText(path: string, options: ReadOptions = {}): Promise<string> {
    return new TextDecoder().decode(await this.readBytes(path, options));
  }

  /**
   * Reads a file's bytes, or a range of them. Symlinks are followed.
   *
   * @example
   * const bytes = await sandbox.fs.readBytes("/logo.png");
   * const head = await sandbox.fs.readBytes("/big.log", { range: { start: 0, end: 1023 } });
   */
  async readBytes(path: string, options: ReadOptions = {}): Promise<Uint8Array> {
    const { range, ...request } = options;
    const header = range ? { Range: rangeHeader(range) } : undefined;
    const { data } = await this.#transport.request(request, (api, init) =>
      api.GET("/v1/sandboxes/{sandboxId}/files", {
        ...init,
        params: { path: this.#sandbox, query: { path }, header },
        parseAs: "arrayBuffer",
      }),
    );
    // openapi-fetch leaves `data` undefined for an empty body (Content-Length: 0).
    return new Uint8Array(data ?? new ArrayBuffer(0));
  }

  /**
   * Reads a file, or a range of it, as a stream of bytes: it resolves when the response starts,
   * and each chunk is read from the connection as you pull it (nothing is buffered). Aborting
   * `signal` ends the stream with `AbortError`; cancel the stream to stop early. Symlinks are
   * followed.
   *
   * @example
   * const stream = await sandbox.fs.readStream("/big.tar");
   * for await (const chunk of stream) hash.update(chunk); // Node, Deno, Bun; or stream.getReader()
   * await (await sandbox.fs.readStream("/big.log", { range: { start: 1024 } })).pipeTo(sink);
   */
  async readStream(path: string, options: ReadOptions = {}): Promise<ReadableStream<Uint8Array>> {
    const { range, ...request } = options;
    const header = range ? { Range: rangeHeader(range) } : undefined;
    const { data } = await this.#transport.request(request, (api, init) =>
      api.GET("/v1/sandboxes/{sandboxId}/files", {
        ...init,
        params: { path: this.#sandbox, query: { path }, header },
        parseAs: "stream",
      }),
    );
    // undefined for an empty body (Content-Length: 0).
    return data ? passThrough(data, request.signal) : new Blob([]).stream();
  }

  /**
   * Creates or replaces a file with `data`, creating missing parent directories.
   *
   * @example
   * const { etag } = await sandbox.fs.write("/notes.txt", "v1");
   * await sandbox.fs.write("/notes.txt", "v2", { ifMatch: etag }); // only if unchanged since
   * await sandbox.fs.write("/run.sh", "echo hi\n", { mode: "755", ifNoneMatch: "*" });
   */
  async write(path: string, data: FileData, options: WriteOptions = {}): Promise<WriteResult> {
    const { ifMatch, ifNoneMatch, mode, ...request } = options;
    const stream = data instanceof ReadableStream;
    const call = { ...request, oneShotBody: stream };
    const { data: result, response } = await this.#transport.request(call, (api, init) =>
      api.PUT("/v1/sandboxes/{sandboxId}/files", {
        ...init,
        // fetch sends a stream body only when told it is half-duplex (Node, Chromium).
        ...(stream ? ({ duplex: "half" } as RequestInit) : {}),
        headers: { ...init.headers, "Content-Type": OCTET_STREAM },
        params: {
          path: this.#sandbox,
          query: { path, mode },
          header: { "If-Match": ifMatch, "If-None-Match": ifNoneMatch },
        },
        // The spec types an octet-stream body as string; the serializer passes the bytes through.
        body: toBody(data) as unknown as string,
        bodySerializer: (body) => body,
      }),
    );
    const etag = response.headers.get("etag") ?? result.file.etag ?? "";
    return { ...result, etag, created: response.status === 201 };
  }

  /**
   * Creates a file only if nothing exists at the path (`If-None-Match: *`); if something does,
   * it throws `PreconditionFailedError` and changes nothing. Safe as a lock or a claim.
   *
   * @example
   * try {
   *   await sandbox.fs.create("/locks/build", "mine");
   * } catch (e) {
   *   if (e instanceof PreconditionFailedError) console.log("someone else holds it");
   *   else throw e;
   * }
   */
  async create(
    path: string,
    data: FileData,
    options: CreateFileOptions = {},
  ): Promise<WriteResult> {
    return this.write(path, data, { ...options, ifMatch: undefined, ifNoneMatch: "*" });
  }

  /**
   * Describes what is at a path (type, size, mode, mtime, and the ETag of a file).
   *
   * @example const { type, size, etag } = await sandbox.fs.stat("/src/main.ts");
   */
  async stat(path: string, options: StatOptions = {}): Promise<FileStat> {
    const { followSymlinks, ...request } = options;
    const { data } = await this.#transport.request(request, (api, init) =>
      api.GET("/v1/sandboxes/{sandboxId}/fs/stat", {
        ...init,
        params: { path: this.#sandbox, query: { path, followSymlinks } },
      }),
    );
    return data;
  }

  /**
   * Lists a directory: `await` it for one page, or `for await` it for every entry.
   *
   * @example
   * for await (const entry of sandbox.fs.list("/src")) console.log(entry.name);
   * const { entries, nextCursor } = await sandbox.fs.list("/src", { limit: 100 });
   */
  list(path: string, options: ListOptions = {}): PagePromise<DirectoryEntry, DirectoryPage> {
    const { limit, cursor, ...request } = options;
    const loadPage = async (cursor: string | undefined): Promise<DirectoryPage> => {
      const { data } = await this.#transport.request(request, (api, init) =>
        api.GET("/v1/sandboxes/{sandboxId}/fs/list", {
          ...init,
          params: { path: this.#sandbox, query: { path, limit, cursor } },
        }),
      );
      return new DirectoryPage(data.path, data.entries, data.nextCursor, loadPage);
    };
    return new PagePromise(() => loadPage(cursor));
  }

  /**
   * Creates a directory; with `parents`, also its missing parents, and an existing one is fine.
   *
   * @example await sandbox.fs.mkdir("/src/lib", { parents: true });
   */
  async mkdir(path: string, options: MkdirOptions = {}): Promise<MutationResult> {
    const { parents, ...request } = options;
    const { data } = await this.#transport.request(request, (api, init) =>
      api.POST("/v1/sandboxes/{sandboxId}/fs/mkdir", {
        ...init,
        params: { path: this.#sandbox },
        body: { path, parents: parents ?? false },
      }),
    );
    return data;
  }

  /**
   * Moves or renames a file or directory.
   *
   * @example await sandbox.fs.move("/draft.md", "/final.md", { overwrite: true });
   */
  async move(from: string, to: string, options: MoveOptions = {}): Promise<MutationResult> {
    const { overwrite, ...request } = options;
    const { data } = await this.#transport.request(request, (api, init) =>
      api.POST("/v1/sandboxes/{sandboxId}/fs/move", {
        ...init,
        params: { path: this.#sandbox },
        body: { from, to, overwrite: overwrite ?? false },
      }),
    );
    return data;
  }

  /**
   * Copies a file, or a directory with everything under it.
   *
   * @example await sandbox.fs.copy("/src", "/src.bak");
   */
  async copy(from: string, to: string, options: CopyOptions = {}): Promise<MutationResult> {
    const { overwrite, ...request } = options;
    const { data } = await this.#transport.request(request, (api, init) =>
      api.POST("/v1/sandboxes/{sandboxId}/fs/copy", {
        ...init,
        params: { path: this.#sandbox },
        body: { from, to, overwrite: overwrite ?? false },
      }),
    );
    return data;
  }

  /**
   * Deletes a file, symlink or directory (a non-empty one needs `recursive`).
   *
   * @example await sandbox.fs.remove("/build", { recursive: true });
   */
  async remove(path: string, options: RemoveOptions = {}): Promise<MutationResult> {
    const { recursive, ifMatch, ...request } = options;
    const { data } = await this.#transport.request(request, (api, init) =>
      api.DELETE("/v1/sandboxes/{sandboxId}/files", {
        ...init,
        params: {
          path: this.#sandbox,
          query: { path, recursive },
          header: { "If-Match": ifMatch },
        },
      }),
    );
    return data;
  }
}

function rangeHeader({ start, end }: ByteRange): string {
  const valid = (n: number) => Number.isSafeInteger(n) && n >= 0;
  if (!valid(start) || (end !== undefined && (!valid(end) || end < start))) {
    throw new RangeError(`Invalid byte range: start ${start}, end ${end}`);
  }
  return `bytes=${start}-${end ?? ""}`;
}

/**
 * The response body as a stream pulled one chunk at a time (no read-ahead), whose failures are
 * `CairnError`s like every other failure of the client: `AbortError` as soon as `signal` aborts.
 */
function passThrough(
  body: ReadableStream<Uint8Array>,
  signal: AbortSignal | undefined,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  // Not awaited: a teed body (a fetch wrapper that cloned the response) settles only when every
  // branch is cancelled.
  const stop = (reason?: unknown) => void reader.cancel(reason).catch(() => {});
  let onAbort = () => {};
  const cleanUp = () => signal?.removeEventListener("abort", onAbort);
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        if (!signal) return;
        onAbort = () => {
          controller.error(abortError(signal));
          stop(signal.reason);
        };
        if (signal.aborted) onAbort();
        else signal.addEventListener("abort", onAbort, { once: true });
      },
      async pull(controller) {
        try {
          const { done, value } = await reader.read();
          if (signal?.aborted) return; // already errored by onAbort
          if (!done) return controller.enqueue(value);
          cleanUp();
          controller.close();
        } catch (error) {
          cleanUp();
          if (!signal?.aborted) controller.error(toCairnError(error, signal));
        }
      },
      cancel(reason) {
        cleanUp();
        stop(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

/** fetch accepts views of an ArrayBuffer; a view of anything else (a SharedArrayBuffer) is copied. */
function toBody(data: FileData): BodyInit {
  if (!ArrayBuffer.isView(data)) return data;
  return data.buffer instanceof ArrayBuffer
    ? (data as Uint8Array<ArrayBuffer>)
    : new Uint8Array(data);
}
