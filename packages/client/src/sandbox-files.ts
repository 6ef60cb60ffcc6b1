/** `sandbox.fs`: read, write and manage the files of one sandbox. */

import { PagePromise } from "./core/pagination.js";
import type { Transport } from "./core/transport.js";
import { DirectoryPage } from "./directory-page.js";
import type {
  DirectoryEntry,
  FileStat,
  MutationResult,
  RequestOptions,
  WriteResult,
} from "./types.js";

/** What `write()` accepts; a string is written as UTF-8. */
export type FileData = string | Uint8Array | ArrayBuffer | Blob;

/** A byte range; `end` is inclusive and defaults to the end of the file. */
export interface ByteRange {
  start: number;
  end?: number;
}

export interface ReadOptions extends RequestOptions {
  /** Read only these bytes (sent as `Range: bytes=start-end`). */
  range?: ByteRange;
}

export interface WriteOptions extends RequestOptions {
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

export interface MkdirOptions extends RequestOptions {
  /** Create missing parents and succeed if the directory exists (`mkdir -p`). */
  parents?: boolean;
}

export interface MoveOptions extends RequestOptions {
  /** Replace an existing destination (a file, or an empty directory). */
  overwrite?: boolean;
}

export type CopyOptions = MoveOptions;

export interface RemoveOptions extends RequestOptions {
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
   * Creates or replaces a file with `data`, creating missing parent directories.
   *
   * @example
   * const { etag } = await sandbox.fs.write("/notes.txt", "v1");
   * await sandbox.fs.write("/notes.txt", "v2", { ifMatch: etag }); // only if unchanged since
   * await sandbox.fs.write("/run.sh", "echo hi\n", { mode: "755", ifNoneMatch: "*" });
   */
  async write(path: string, data: FileData, options: WriteOptions = {}): Promise<WriteResult> {
    const { ifMatch, ifNoneMatch, mode, ...request } = options;
    const { data: result, response } = await this.#transport.request(request, (api, init) =>
      api.PUT("/v1/sandboxes/{sandboxId}/files", {
        ...init,
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

/** fetch accepts views of an ArrayBuffer; a view of anything else (a SharedArrayBuffer) is copied. */
function toBody(data: FileData): BodyInit {
  if (!ArrayBuffer.isView(data)) return data;
  return data.buffer instanceof ArrayBuffer
    ? (data as Uint8Array<ArrayBuffer>)
    : new Uint8Array(data);
}
