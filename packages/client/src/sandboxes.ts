/** `cairn.sandboxes`: create, get, list and delete sandboxes. */
import { Page, PagePromise } from "./core/pagination.js";
import type { Transport } from "./core/transport.js";
import { Sandbox } from "./sandbox.js";
import type { CreateSandboxRequest, RequestOptions } from "./types.js";

export interface CreateSandboxOptions extends CreateSandboxRequest, RequestOptions {}

export interface ListSandboxesOptions extends RequestOptions {
  /** Page size (1–200, default 50). */
  limit?: number;
  /** A previous page's `nextCursor`. */
  cursor?: string;
}

/** The sandboxes on the server. */
export class Sandboxes {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /**
   * Creates a sandbox, optionally seeded with files (written in the same commit). Not retried.
   *
   * @example
   * const sandbox = await cairn.sandboxes.create({
   *   name: "build",
   *   env: { NODE_ENV: "production" },
   *   files: [{ path: "/src/main.sh", content: "echo hi\n", mode: "755" }],
   * });
   */
  async create(options: CreateSandboxOptions = {}): Promise<Sandbox> {
    const { name, env, files, signal, timeoutMs, maxRetries, headers } = options;
    const { data } = await this.#transport.request(
      { signal, timeoutMs, maxRetries, headers },
      (api, init) =>
        api.POST("/v1/sandboxes", {
          ...init,
          body: {
            name,
            env,
            files: files?.map((file) => ({ ...file, encoding: file.encoding ?? "utf8" })),
          },
        }),
    );
    return new Sandbox(this.#transport, data);
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
   * Deletes a sandbox and all of its files.
   *
   * @example await cairn.sandboxes.delete("sbx_123");
   */
  async delete(sandboxId: string, options: RequestOptions = {}): Promise<void> {
    await this.#transport.request(options, (api, init) =>
      api.DELETE("/v1/sandboxes/{sandboxId}", { ...init, params: { path: { sandboxId } } }),
    );
  }
}
