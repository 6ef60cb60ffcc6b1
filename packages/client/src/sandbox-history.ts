/** `sandbox.history`: the commit log, snapshots and restores of one sandbox. */
import { Page, PagePromise } from "./core/pagination.js";
import type { Transport } from "./core/transport.js";
import { ConnectionError, NotFoundError } from "./errors.js";
import { readEventStream } from "./exec-stream.js";
import type {
  Commit,
  MutatingRequestOptions,
  RequestOptions,
  RestoreResult,
  SandboxDiff,
  Snapshot,
} from "./types.js";

export interface SnapshotOptions extends MutatingRequestOptions {
  name?: string;
  /** Snapshot only if the sandbox is still at this version (`PreconditionFailedError` otherwise). */
  ifVersion?: number;
}

export interface WatchOptions extends RequestOptions {
  /** Only commits that changed this path or anything under it. */
  path?: string;
  /** Start after this version (its commits are replayed from the log); default: from now. */
  after?: number;
  /** Wait before reconnecting after the connection dropped (default 1000 ms). */
  reconnectDelayMs?: number;
}

export interface RestoreOptions extends MutatingRequestOptions {
  /** Restore only if the sandbox is still at this version (`PreconditionFailedError` otherwise). */
  ifVersion?: number;
}

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
   * Freezes the current tree as a snapshot (metadata only; content is shared).
   *
   * @example
   * const before = await sandbox.history.snapshot({ name: "before-refactor" });
   * const fork = await cairn.sandboxes.create({ from: { snapshotId: before.id } });
   */
  async snapshot(options: SnapshotOptions = {}): Promise<Snapshot> {
    const { name, ifVersion, ...request } = options;
    const { data } = await this.#transport.request(request, (api, init) =>
      api.POST("/v1/sandboxes/{sandboxId}/snapshots", {
        ...init,
        params: {
          path: { sandboxId: this.#sandboxId },
          header: ifVersion === undefined ? undefined : { "If-Match": `"${ifVersion}"` },
        },
        body: name === undefined ? {} : { name },
      }),
    );
    return data;
  }

  /** The sandbox's snapshots, newest first (`await` one page or `for await` all). */
  snapshots(options: ListCommitsOptions = {}): PagePromise<Snapshot> {
    const { limit, cursor, ...request } = options;
    const sandboxId = this.#sandboxId;
    const loadPage = async (cursor: string | undefined): Promise<Page<Snapshot>> => {
      const { data } = await this.#transport.request(request, (api, init) =>
        api.GET("/v1/sandboxes/{sandboxId}/snapshots", {
          ...init,
          params: { path: { sandboxId }, query: { limit, cursor } },
        }),
      );
      return new Page(data.items, data.nextCursor, loadPage);
    };
    return new PagePromise(() => loadPage(cursor));
  }

  async getSnapshot(snapshotId: string, options: RequestOptions = {}): Promise<Snapshot> {
    const { data } = await this.#transport.request(options, (api, init) =>
      api.GET("/v1/sandboxes/{sandboxId}/snapshots/{snapshotId}", {
        ...init,
        params: { path: { sandboxId: this.#sandboxId, snapshotId } },
      }),
    );
    return data;
  }

  async deleteSnapshot(snapshotId: string, options: MutatingRequestOptions = {}): Promise<void> {
    await this.#transport.request(options, (api, init) =>
      api.DELETE("/v1/sandboxes/{sandboxId}/snapshots/{snapshotId}", {
        ...init,
        params: { path: { sandboxId: this.#sandboxId, snapshotId } },
      }),
    );
  }

  /**
   * Puts the files back as a snapshot has them (a `snp_...` id), or as they were at a version
   * the commit log still reaches (a number), in one new commit (undo it by restoring the version
   * before it).
   *
   * @example const { version, changes } = await sandbox.history.restore(before.id);
   * @example await sandbox.history.restore(12); // the files as of version 12
   */
  async restore(target: string | number, options: RestoreOptions = {}): Promise<RestoreResult> {
    const { ifVersion, ...request } = options;
    const { data } = await this.#transport.request(request, (api, init) =>
      api.POST("/v1/sandboxes/{sandboxId}/restore", {
        ...init,
        params: {
          path: { sandboxId: this.#sandboxId },
          header: ifVersion === undefined ? undefined : { "If-Match": `"${ifVersion}"` },
        },
        body: typeof target === "number" ? { version: target } : { snapshotId: target },
      }),
    );
    return data;
  }

  /**
   * What differs between two states (snapshot ids or versions; `to` defaults to now): the changed
   * paths and a unified diff of each changed text file.
   *
   * @example const { changes, files } = await sandbox.history.diff({ from: before.id });
   */
  async diff(
    range: { from: string | number; to?: string | number },
    options: RequestOptions = {},
  ): Promise<SandboxDiff> {
    const query = {
      from: String(range.from),
      ...(range.to === undefined ? {} : { to: String(range.to) }),
    };
    const { data } = await this.#transport.request(options, (api, init) =>
      api.GET("/v1/sandboxes/{sandboxId}/diff", {
        ...init,
        params: { path: { sandboxId: this.#sandboxId }, query },
      }),
    );
    return data;
  }

  /**
   * The sandbox's commits as they land (through any server replica), in version order. A
   * dropped connection is reopened with `Last-Event-ID`, so no commit is missed or repeated;
   * the iteration ends when the sandbox is deleted, or with an `AbortError` on `signal`.
   *
   * @example
   * for await (const commit of sandbox.history.watch({ path: "/src", signal })) {
   *   console.log(commit.version, commit.changes.map((c) => `${c.kind} ${c.path}`));
   * }
   */
  async *watch(options: WatchOptions = {}): AsyncGenerator<Commit, void, undefined> {
    const { path, after, reconnectDelayMs = 1000, ...request } = options;
    // Always resume from a known version, so a drop before the first event loses nothing.
    let last = after ?? (await this.#currentVersion(request));
    if (last === undefined) return;
    for (;;) {
      let body: ReadableStream<Uint8Array> | undefined;
      try {
        const opened = await this.#transport.request(request, (api, init) =>
          api.GET("/v1/sandboxes/{sandboxId}/events", {
            ...init,
            headers: {
              ...init.headers,
              Accept: "text/event-stream",
              "Last-Event-ID": String(last),
            },
            params: { path: { sandboxId: this.#sandboxId }, query: { path } },
            parseAs: "stream",
          }),
        );
        body = opened.data ?? undefined;
        if (!body) throw new ConnectionError("The event stream had no body");
        for await (const message of readEventStream(body, request.signal)) {
          if (message.event === "deleted") return;
          if (message.event !== "commit") continue;
          const commit = JSON.parse(message.data) as Commit;
          last = commit.version;
          yield commit;
        }
      } catch (error) {
        if (error instanceof NotFoundError) return;
        if (!(error instanceof ConnectionError)) throw error;
      }
      // The stream ended or broke without `deleted`: pick up where it left off.
      await new Promise((resolve) => setTimeout(resolve, reconnectDelayMs));
    }
  }

  /** The sandbox's version now; undefined when it is gone. */
  async #currentVersion(options: RequestOptions): Promise<number | undefined> {
    try {
      const { data } = await this.#transport.request(options, (api, init) =>
        api.GET("/v1/sandboxes/{sandboxId}", {
          ...init,
          params: { path: { sandboxId: this.#sandboxId } },
        }),
      );
      return data.version;
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
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
