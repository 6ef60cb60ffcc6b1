/** `sandbox.history`: the commit log of one sandbox. */
import { Page, PagePromise } from "./core/pagination.js";
import type { Transport } from "./core/transport.js";
import type { Commit, RequestOptions } from "./types.js";

export interface ListCommitsOptions extends RequestOptions {
  /** Page size (1–200, default 50). */
  limit?: number;
  /** A previous page's `nextCursor`. */
  cursor?: string;
}

/**
 * What changed in a sandbox, commit by commit: paths, who and how.
 *
 * @example
 * for await (const commit of sandbox.history.commits()) console.log(commit.version, commit.changes);
 */
export class SandboxHistory {
  readonly #transport: Transport;
  readonly #sandboxId: string;

  /** @internal Made by `Sandbox`; not meant to be called. */
  constructor(transport: Transport, sandboxId: string) {
    this.#transport = transport;
    this.#sandboxId = sandboxId;
  }

  /**
   * The commit log, newest first: `await` it for one page, or `for await` it for every commit
   * still in the log.
   *
   * @example const { items } = await sandbox.history.commits({ limit: 10 });
   */
  commits(options: ListCommitsOptions = {}): PagePromise<Commit> {
    const { limit, cursor, ...request } = options;
    const sandboxId = this.#sandboxId;
    const loadPage = async (cursor: string | undefined): Promise<Page<Commit>> => {
      const { data } = await this.#transport.request(request, (api, init) =>
        api.GET("/v1/sandboxes/{sandboxId}/commits", {
          ...init,
          params: { path: { sandboxId }, query: { limit, cursor } },
        }),
      );
      return new Page(data.items, data.nextCursor, loadPage);
    };
    return new PagePromise(() => loadPage(cursor));
  }

  /**
   * The commit that made `version`; throws a `CairnError` with code `commit_not_found` once it
   * left the log.
   *
   * @example const { changes, origin } = await sandbox.history.commit(3);
   */
  async commit(version: number, options: RequestOptions = {}): Promise<Commit> {
    const { data } = await this.#transport.request(options, (api, init) =>
      api.GET("/v1/sandboxes/{sandboxId}/commits/{version}", {
        ...init,
        params: { path: { sandboxId: this.#sandboxId, version } },
      }),
    );
    return data;
  }
}
