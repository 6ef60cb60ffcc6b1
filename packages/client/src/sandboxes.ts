/** `cairn.sandboxes`: create (from JSON or an archive), get, list, update and delete sandboxes. */
import type { components } from "@cairn/spec/schema";
import { Page, PagePromise } from "./core/pagination.js";
import type { Transport } from "./core/transport.js";
import { Sandbox, type UpdateSandboxOptions, updateSandbox } from "./sandbox.js";
import { type ArchiveData, archiveUpload } from "./sandbox-archive.js";
import type {
  CreateSandboxRequest,
  MutatingRequestOptions,
  RequestOptions,
  UpdateSandboxRequest,
} from "./types.js";

export interface CreateSandboxOptions extends CreateSandboxRequest, MutatingRequestOptions {}

/** A create's settings beside a tar body: those of `create()` but `files` and `from`. */
export interface CreateFromArchiveOptions
  extends Omit<CreateSandboxRequest, "files" | "from">,
    MutatingRequestOptions {
  /** Directory to unpack into (default `/`); created if missing. */
  path?: string;
  /** Whether the bytes are gzip-compressed: sets the Content-Type (default: looked up in the bytes, else false). */
  gzip?: boolean;
}

/** The request options among a create's options (everything that is not a body field). */
function requestOptionsOf(options: CreateSandboxOptions): MutatingRequestOptions {
  const {
    name: _name,
    env: _env,
    persistShell: _persistShell,
    runtimes: _runtimes,
    policy: _policy,
    files: _files,
    from: _from,
    ttl: _ttl,
    expiresAt: _expiresAt,
    idleTimeout: _idleTimeout,
    ...request
  } = options;
  return request;
}

export interface ListSandboxesOptions extends RequestOptions {
  /** Page size (1–200, default 50). */
  limit?: number;
  /** A previous page's `nextCursor`. */
  cursor?: string;
}

/** The sandboxes on the server. */
export class Sandboxes {
  readonly #transport: Transport;

  /** @internal Made by the client; not meant to be called. */
  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /**
   * Creates a sandbox, optionally seeded with files (written in the same commit). With
   * `persistShell`, exec keeps the working directory and exported variables between calls;
   * `runtimes` enables `python3` / `js-exec`. Sent with an Idempotency-Key, so a retry after a
   * lost response returns the same sandbox rather than creating a second one.
   *
   * @example
   * const sandbox = await cairn.sandboxes.create({
   *   name: "build",
   *   env: { NODE_ENV: "production" },
   *   persistShell: true,
   *   files: [{ path: "/src/main.sh", content: "echo hi\n", mode: "755" }],
   * });
   * // A fork: a copy of a snapshot's tree (or `{ sandboxId }`: another sandbox's), content shared.
   * const fork = await cairn.sandboxes.create({ from: { snapshotId: snapshot.id } });
   * // Gone (404) an hour from now, or after 10 minutes without activity, whichever comes first.
   * const scratch = await cairn.sandboxes.create({ ttl: 3600, idleTimeout: 600 });
   */
  async create(options: CreateSandboxOptions = {}): Promise<Sandbox> {
    const { name, env, persistShell, runtimes, policy, files, from, ttl, expiresAt, idleTimeout } =
      options;
    const request = requestOptionsOf(options);
    const body = {
      name,
      env,
      persistShell,
      runtimes,
      policy,
      from,
      ttl,
      expiresAt,
      idleTimeout,
      files: files?.map((file) => ({ ...file, encoding: file.encoding ?? "utf8" })),
    };
    const { data } = await this.#transport.request(request, (api, init) =>
      api.POST("/v1/sandboxes", {
        ...init,
        // The generated type requires `persistShell` (it has a default); left out, it is off.
        body: body as components["schemas"]["CreateSandboxRequest"],
      }),
    );
    return new Sandbox(this.#transport, data);
  }

  /**
   * Creates a sandbox seeded with a tar or tar.gz archive, in one commit: the sandbox exists
   * with every entry, or not at all. Unlike `files` (at most 10,000), the archive may hold as
   * many files as the sandbox quota and the archive limits allow. A `ReadableStream` is
   * streamed as it is read, never held whole, and so sent once: not retried, and without an
   * Idempotency-Key unless you pass `idempotencyKey`. Refusals are `ArchiveRejectedError`s
   * (`archive_unsafe_entry`, `archive_too_large`, ...), or an `APIError` with `code` `EDQUOT` (507) past the quota.
   *
   * @example
   * const sandbox = await cairn.sandboxes.createFromArchive(await readFile("repo.tar.gz"), {
   *   name: "repo",
   *   path: "/home/user/repo",
   *   env: { CI: "1" },
   * });
   * await cairn.sandboxes.createFromArchive(Readable.toWeb(createReadStream("big.tar")));
   */
  async createFromArchive(
    data: ArchiveData,
    options: CreateFromArchiveOptions = {},
  ): Promise<Sandbox> {
    const {
      path,
      gzip,
      name,
      env,
      persistShell,
      runtimes,
      policy,
      ttl,
      expiresAt,
      idleTimeout,
      ...request
    } = options;
    const upload = await archiveUpload(data, gzip);
    const query = {
      path,
      name,
      env: env === undefined ? undefined : Object.entries(env).map(([k, v]) => `${k}=${v}`),
      persistShell,
      runtimes,
      policy: policy === undefined ? undefined : JSON.stringify(policy),
      ttl,
      expiresAt,
      idleTimeout,
    };
    const { data: created } = await this.#transport.request(
      { ...request, oneShotBody: upload.stream },
      (api, init) =>
        api.POST("/v1/sandboxes", {
          ...init,
          ...upload.init,
          headers: { ...init.headers, "Content-Type": upload.contentType },
          params: { query },
        }),
    );
    return new Sandbox(this.#transport, created);
  }

  /**
   * Fetches a sandbox by id.
   *
   * @example const sandbox = await cairn.sandboxes.get("sbx_123");
   */
  async get(sandboxId: string, options: RequestOptions = {}): Promise<Sandbox> {
    const { data } = await this.#transport.request(options, (api, init) =>
      api.GET("/v1/sandboxes/{sandboxId}", { ...init, params: { path: { sandboxId } } }),
    );
    return new Sandbox(this.#transport, data);
  }

  /**
   * Lists sandboxes, newest first: `await` it for one page, or `for await` it for all of them.
   *
   * @example
   * for await (const sandbox of cairn.sandboxes.list()) console.log(sandbox.id, sandbox.name);
   * const { items, nextCursor } = await cairn.sandboxes.list({ limit: 20 });
   */
  list(options: ListSandboxesOptions = {}): PagePromise<Sandbox> {
    const { limit, cursor, ...request } = options;
    const loadPage = async (cursor: string | undefined): Promise<Page<Sandbox>> => {
      const { data } = await this.#transport.request(request, (api, init) =>
        api.GET("/v1/sandboxes", { ...init, params: { query: { limit, cursor } } }),
      );
      const sandboxes = data.items.map((item) => new Sandbox(this.#transport, item));
      return new Page(sandboxes, data.nextCursor, loadPage);
    };
    return new PagePromise(() => loadPage(cursor));
  }

  /**
   * Changes a sandbox's settings (see `sandbox.update()`); with `ifVersion`, only if it is still
   * at that version.
   *
   * @example const sandbox = await cairn.sandboxes.update("sbx_123", { env: { CI: "1" } }, { ifVersion: 4 });
   */
  async update(
    sandboxId: string,
    patch: UpdateSandboxRequest,
    options: UpdateSandboxOptions = {},
  ): Promise<Sandbox> {
    const data = await updateSandbox(this.#transport, sandboxId, patch, options);
    return new Sandbox(this.#transport, data);
  }

  /**
   * Deletes a sandbox and all of its files.
   *
   * @example await cairn.sandboxes.delete("sbx_123");
   */
  async delete(sandboxId: string, options: MutatingRequestOptions = {}): Promise<void> {
    await this.#transport.request(options, (api, init) =>
      api.DELETE("/v1/sandboxes/{sandboxId}", { ...init, params: { path: { sandboxId } } }),
    );
  }
}
