/** `sandbox.fs`: read, write and manage the files of one sandbox. */

import { PagePromise } from "./core/pagination.js";
import { abortError, type Transport, toCairnError } from "./core/transport.js";
import { DirectoryPage } from "./directory-page.js";
import type {
  DirectoryEntry,
  EditResult,
  FileMeta,
  FileMetaResult,
  FileStat,
  GlobResult,
  GrepResult,
  MutatingRequestOptions,
  MutationResult,
  PatchResult,
  ReadLinesResult,
  RequestOptions,
  SearchMode,
  SearchResult,
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

export interface ReadLinesOptions extends RequestOptions {
  /** The first line to return, 1-based (default 1). */
  startLine?: number;
  /** The last line to return, inclusive (default the last line of the file). */
  endLine?: number;
  /** Most bytes of text to return (default 256 KiB); the lines are cut at a line boundary. */
  maxBytes?: number;
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

export interface GlobOptions extends RequestOptions {
  /** The directory to search (default `/`); a relative pattern is matched against paths under it. */
  path?: string;
  /** Most paths to return (1–10000, default 1000). */
  limit?: number;
  /** Most entries to walk before stopping (1–1000000, default 100000). */
  maxEntries?: number;
}

export interface GrepOptions extends RequestOptions {
  /** Match `pattern` as a plain string, not a regular expression. */
  fixedString?: boolean;
  /** Match regardless of case. */
  ignoreCase?: boolean;
  /** Match only whole words. */
  wholeWord?: boolean;
  /** Lines of context to return before and after each match (0–20, default 0). */
  context?: number;
  /** The directory or file to search (default `/`). */
  path?: string;
  /** Search only the files whose path, relative to `path`, matches this glob. */
  glob?: string;
  /** Most matches to return (1–10000, default 1000). */
  maxResults?: number;
  /** A longer matching line is cut to this many bytes and flagged `cut` (1–65536, default 500). */
  maxLineBytes?: number;
  /** Larger files are skipped and counted in `skipped.tooLarge` (default 10 MiB, at most 100 MiB). */
  maxFileBytes?: number;
}

export interface SearchOptions extends RequestOptions {
  /** Only files carrying every one of these tags. */
  tags?: string[];
  /** The directory or file to search (default `/`). */
  path?: string;
  /** Search only the files whose path, relative to `path`, matches this glob. */
  glob?: string;
  /** Most hits to return (1–200, default 20). */
  limit?: number;
  /** Larger files are ranked on path, tags and summary only, and counted (default 10 MiB). */
  maxFileBytes?: number;
  /**
   * `text` (default, BM25), `semantic` (similarity of embeddings) or `hybrid` (a blend); the
   * last two need a server with an embeddings provider (else `semantic_search_unavailable`).
   * The answer's `mode` says which ran, `missingEmbeddings` how many files had none yet.
   */
  mode?: SearchMode;
}

export interface SetMetaOptions extends MutatingRequestOptions {
  /** Set it only if the file's current ETag is this one (else `PreconditionFailedError`). */
  ifMatch?: string;
}

export interface EditOptions extends MutatingRequestOptions {
  /** Replace every occurrence; without it, more than one is `EditMatchError` (`edit_ambiguous`). */
  replaceAll?: boolean;
  /** Edit only if the file's current ETag is this one (else `PreconditionFailedError`). */
  ifMatch?: string;
}

export interface PatchOptions extends MutatingRequestOptions {
  /** Apply a one-file diff to this file, whatever the diff's `---` / `+++` headers say. */
  path?: string;
  /** With `path`: patch only if that file's current ETag is this one (else `PreconditionFailedError`). */
  ifMatch?: string;
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
   * Reads lines `startLine` to `endLine` (1-based, inclusive) of a text file, with the file's
   * total line count and ETag. Line endings (`\n`, `\r\n`, a lone `\r`) come back as `\n`; past
   * `maxBytes` the lines are cut at a line boundary and `truncated` is true. A binary file comes
   * back as `binary: true` with no text (read its bytes with `readBytes()`).
   *
   * @example
   * const { text, totalLines } = await sandbox.fs.readLines("/src/main.ts", { startLine: 10, endLine: 20 });
   */
  async readLines(path: string, options: ReadLinesOptions = {}): Promise<ReadLinesResult> {
    const { startLine, endLine, maxBytes, ...request } = options;
    const { data } = await this.#transport.request(request, (api, init) =>
      api.GET("/v1/sandboxes/{sandboxId}/fs/read", {
        ...init,
        params: { path: this.#sandbox, query: { path, startLine, endLine, maxBytes } },
      }),
    );
    return data;
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
   * Replaces `oldString` with `newString` in a text file, in one commit, keeping its mode. The
   * string must be there exactly once, else `EditMatchError` (`edit_no_match`, or
   * `edit_ambiguous` unless `replaceAll`); with `ifMatch` the edit applies only to the content
   * you read, else `PreconditionFailedError`. Nothing changes when it fails.
   *
   * @example
   * const { etag } = await sandbox.fs.edit("/src/config.ts", "debug: false", "debug: true");
   * await sandbox.fs.edit("/src/main.ts", "oldName", "newName", { replaceAll: true, ifMatch: etag });
   */
  async edit(
    path: string,
    oldString: string,
    newString: string,
    options: EditOptions = {},
  ): Promise<EditResult> {
    const { replaceAll, ifMatch, ...request } = options;
    const { data } = await this.#transport.request(request, (api, init) =>
      api.POST("/v1/sandboxes/{sandboxId}/fs/edit", {
        ...init,
        params: { path: this.#sandbox, header: { "If-Match": ifMatch } },
        body: { path, oldString, newString, replaceAll: replaceAll ?? false },
      }),
    );
    return data;
  }

  /**
   * Applies a unified diff (plain or git; one or more files, `/dev/null` to create or delete) in
   * one commit: all of it or nothing. A hunk that does not apply is `PatchConflictError`, naming
   * the `hunk` and the `path`; a malformed diff is `BadRequestError` (`patch_invalid`). With
   * `path`, a one-file diff applies to that file whatever its headers say, and `ifMatch` pins
   * that file's content.
   *
   * @example
   * const diff = "--- a/greeting.txt\n+++ b/greeting.txt\n@@ -1 +1 @@\n-hello\n+hello world\n";
   * const { files } = await sandbox.fs.patch(diff); // [{ path: "/greeting.txt", status: "modified", etag }]
   */
  async patch(diff: string, options: PatchOptions = {}): Promise<PatchResult> {
    const { path, ifMatch, ...request } = options;
    const { data } = await this.#transport.request(request, (api, init) =>
      api.POST("/v1/sandboxes/{sandboxId}/fs/patch", {
        ...init,
        params: { path: this.#sandbox, header: { "If-Match": ifMatch } },
        body: { patch: diff, path },
      }),
    );
    return data;
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
   * Finds the paths (of files, directories and symlinks) under `path` (default `/`) that match a
   * glob pattern, sorted and absolute. `**` spans any number of directories (including none), `*`
   * and `?` stay within a name, `[a-z]` / `[!x]` are character classes and `{a,b}` alternatives;
   * names that start with a dot match like any other. A relative pattern is matched against paths
   * relative to `path`, one that starts with `/` against absolute paths. A cut list says why in
   * `truncated` (else null).
   *
   * @example
   * const { paths } = await sandbox.fs.glob("*.{ts,tsx}", { path: "/src" }); // ["/src/main.ts", ...]
   * const { paths: tree, truncated } = await sandbox.fs.glob("/src/**", { limit: 100 }); // "/src" too
   */
  async glob(pattern: string, options: GlobOptions = {}): Promise<GlobResult> {
    const { path, limit, maxEntries, ...request } = options;
    const { data } = await this.#transport.request(request, (api, init) =>
      api.GET("/v1/sandboxes/{sandboxId}/fs/glob", {
        ...init,
        params: { path: this.#sandbox, query: { pattern, path, limit, maxEntries } },
      }),
    );
    return data;
  }

  /**
   * Finds the lines that match `pattern`, a JavaScript regular expression's source (or a plain
   * string with `fixedString`), in the files under `path` (default `/`). A match never spans
   * lines. Binary files and files over `maxFileBytes` are skipped and counted in `skipped`; a
   * cut list says why in `truncated` (else null).
   *
   * @example
   * const { matches } = await sandbox.fs.grep("TODO|FIXME", { path: "/src", glob: "*.ts", context: 2 });
   * for (const { path, line, text } of matches) console.log(`${path}:${line}: ${text}`);
   */
  async grep(pattern: string, options: GrepOptions = {}): Promise<GrepResult> {
    const {
      fixedString,
      ignoreCase,
      wholeWord,
      context,
      path,
      glob,
      maxResults,
      maxLineBytes,
      maxFileBytes,
      ...request
    } = options;
    const query = {
      pattern,
      fixedString,
      ignoreCase,
      wholeWord,
      context,
      path,
      glob,
      maxResults,
      maxLineBytes,
      maxFileBytes,
    };
    const { data } = await this.#transport.request(request, (api, init) =>
      api.GET("/v1/sandboxes/{sandboxId}/fs/grep", {
        ...init,
        params: { path: this.#sandbox, query },
      }),
    );
    return data;
  }

  /**
   * Ranks the files under `path` (default `/`) by how well they match the words of `query`: any
   * word counts, rarer words and more occurrences count more, and a word in the file's tags,
   * summary or path counts most. Identifiers match by their parts (`config` finds `parseConfig`)
   * and a plural `s` is ignored. Each hit shows up to 3 lines with the most words. With `tags`,
   * only files carrying all of them; `query` may then be empty. `mode: "semantic"` ranks by
   * meaning instead, `"hybrid"` by a blend of both (on a server with an embeddings provider).
   *
   * @example
   * const { hits } = await sandbox.fs.search("retry backoff", { path: "/src" });
   * for (const { path, score, lines } of hits) console.log(path, score, lines[0]?.text);
   */
  async search(query: string, options: SearchOptions = {}): Promise<SearchResult> {
    const { tags, path, glob, limit, maxFileBytes, mode, ...request } = options;
    const { data } = await this.#transport.request(request, (api, init) =>
      api.GET("/v1/sandboxes/{sandboxId}/fs/search", {
        ...init,
        params: {
          path: this.#sandbox,
          query: { q: query, tag: tags, path, glob, limit, maxFileBytes, mode },
        },
      }),
    );
    return data;
  }

  /**
   * A file's tags and one-line summary (empty when none were set), which `search()` weighs.
   *
   * @example const { tags, summary } = await sandbox.fs.getMeta("/src/server.ts");
   */
  async getMeta(path: string, options: RequestOptions = {}): Promise<FileMetaResult> {
    const { data } = await this.#transport.request(options, (api, init) =>
      api.GET("/v1/sandboxes/{sandboxId}/fs/meta", {
        ...init,
        params: { path: this.#sandbox, query: { path } },
      }),
    );
    return data;
  }

  /**
   * Replaces a file's tags and one-line summary (`{}` clears them) without touching its content
   * or ETag. They belong to the file: they follow moves and links and are copied by `copy()`.
   *
   * @example
   * await sandbox.fs.setMeta("/src/server.ts", { tags: ["entry", "http"], summary: "Starts the HTTP server." });
   */
  async setMeta(
    path: string,
    meta: FileMeta,
    options: SetMetaOptions = {},
  ): Promise<FileMetaResult> {
    const { ifMatch, ...request } = options;
    const { data } = await this.#transport.request(request, (api, init) =>
      api.PUT("/v1/sandboxes/{sandboxId}/fs/meta", {
        ...init,
        params: { path: this.#sandbox, query: { path }, header: { "If-Match": ifMatch } },
        body: meta,
      }),
    );
    return data;
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
