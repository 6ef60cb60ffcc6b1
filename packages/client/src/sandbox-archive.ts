/** `sandbox.archive`: unpack a tar or tar.gz into a sandbox, and download a tree as tar.gz. */
import type { components } from "@cairn/spec/schema";
import { abortError, type Transport, toCairnError } from "./core/transport.js";
import type { MutatingRequestOptions, RequestOptions } from "./types.js";

/** What an import did: the new version, where it unpacked, and what it wrote. */
export type ArchiveImportResult = components["schemas"]["ArchiveImportResult"];

/**
 * What `import()` accepts: tar or tar.gz bytes (gzip is recognised by its magic bytes). A
 * `ReadableStream` is streamed as it is read, never held whole, and so is sent once: not
 * retried, and without an Idempotency-Key unless you pass `idempotencyKey`.
 */
export type ArchiveData = Uint8Array | ArrayBuffer | Blob | ReadableStream<Uint8Array>;

export interface ImportArchiveOptions extends MutatingRequestOptions {
  /** Directory to unpack into (default `/`); created if missing. */
  path?: string;
  /** Import only if the sandbox is still at this version (else `PreconditionFailedError`). */
  ifVersion?: number;
  /** Whether the bytes are gzip-compressed: sets the Content-Type (default: looked up in the bytes, else false). */
  gzip?: boolean;
}

export interface ExportArchiveOptions extends RequestOptions {
  /** Directory or file to export (default `/`). */
  path?: string;
}

/** A tar.gz download: the stream, and the sandbox version it was read at. */
export interface ArchiveDownload {
  stream: ReadableStream<Uint8Array>;
  version: number;
}

/** Archive import and export for one sandbox. */
export class SandboxArchive {
  readonly #transport: Transport;
  readonly #sandboxId: string;

  /** @internal Made by the client; not meant to be called. */
  constructor(transport: Transport, sandboxId: string) {
    this.#transport = transport;
    this.#sandboxId = sandboxId;
  }

  /**
   * Unpacks a tar or tar.gz into the sandbox as one commit: every entry or none. Refusals are
   * `ArchiveRejectedError`s (`code` says which rule: `archive_unsafe_entry`, `archive_too_large`,
   * ...); the server stops reading at the first one.
   *
   * @example
   * const { version, files } = await sandbox.archive.import(await readFile("src.tar.gz"), { path: "/src" });
   * await sandbox.archive.import(Readable.toWeb(createReadStream("big.tar")), { path: "/data" });
   */
  async import(
    data: ArchiveData,
    options: ImportArchiveOptions = {},
  ): Promise<ArchiveImportResult> {
    const { path, ifVersion, gzip, ...request } = options;
    const upload = await archiveUpload(data, gzip);
    const { data: result } = await this.#transport.request(
      { ...request, oneShotBody: upload.stream },
      (api, init) =>
        api.POST("/v1/sandboxes/{sandboxId}/archive", {
          ...init,
          ...upload.init,
          headers: { ...init.headers, "Content-Type": upload.contentType },
          params: {
            path: { sandboxId: this.#sandboxId },
            query: { path },
            header: { "If-Match": ifVersion === undefined ? undefined : `"${ifVersion}"` },
          },
        }),
    );
    return result;
  }

  /**
   * Downloads `path` (default `/`) as a tar.gz stream, pulled from the connection as you read
   * it. Modes, mtimes, symlinks and hard links are kept.
   *
   * @example
   * const { stream } = await sandbox.archive.export({ path: "/src" });
   * await stream.pipeTo(Writable.toWeb(createWriteStream("src.tar.gz")));
   */
  async export(options: ExportArchiveOptions = {}): Promise<ArchiveDownload> {
    const { path, ...request } = options;
    const { data, response } = await this.#transport.request(request, (api, init) =>
      api.GET("/v1/sandboxes/{sandboxId}/archive", {
        ...init,
        params: { path: { sandboxId: this.#sandboxId }, query: { path } },
        parseAs: "stream",
      }),
    );
    const body = data as ReadableStream<Uint8Array> | undefined;
    return {
      stream: body ? guarded(body, request.signal) : new Blob([]).stream(),
      version: Number(response.headers.get("cairn-sandbox-version") ?? Number.NaN),
    };
  }
}

/**
 * An archive as a request body: its media type, whether it streams (then it is sent once, never
 * retried), and the fetch options that send it as it is.
 */
export async function archiveUpload(data: ArchiveData, gzip: boolean | undefined) {
  const stream = data instanceof ReadableStream;
  const compressed = gzip ?? (await looksGzipped(data));
  return {
    stream,
    contentType: compressed ? "application/gzip" : "application/x-tar",
    init: {
      ...(stream ? ({ duplex: "half" } as RequestInit) : {}),
      // The spec types a binary body as string; the serializer passes the bytes through.
      body: toBody(data) as unknown as string,
      bodySerializer: (body: unknown) => body as string,
    },
  };
}

/** Whether the bytes start with gzip's magic (a stream is not peeked at: false). */
async function looksGzipped(data: ArchiveData): Promise<boolean> {
  if (data instanceof ReadableStream) return false;
  const head =
    data instanceof Blob
      ? new Uint8Array(await data.slice(0, 2).arrayBuffer())
      : data instanceof ArrayBuffer
        ? new Uint8Array(data, 0, Math.min(2, data.byteLength))
        : data.subarray(0, 2);
  return head[0] === 0x1f && head[1] === 0x8b;
}

/** fetch accepts views of an ArrayBuffer; a view of anything else is copied. */
function toBody(data: ArchiveData): BodyInit {
  if (!ArrayBuffer.isView(data)) return data;
  return data.buffer instanceof ArrayBuffer
    ? (data as Uint8Array<ArrayBuffer>)
    : new Uint8Array(data);
}

/** The body with failures as `CairnError`s, `AbortError` once `signal` aborts. */
function guarded(
  body: ReadableStream<Uint8Array>,
  signal: AbortSignal | undefined,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          if (signal?.aborted) throw abortError(signal);
          const { done, value } = await reader.read();
          if (done) controller.close();
          else controller.enqueue(value);
        } catch (error) {
          controller.error(signal?.aborted ? abortError(signal) : toCairnError(error, signal));
          void reader.cancel().catch(() => {});
        }
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
