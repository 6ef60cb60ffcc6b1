/** `Cairn`: the client's entry point, holding the connection settings and the `sandboxes` resource. */
import { Keys, Tenants } from "./admin.js";
import { DEFAULT_TIMEOUT_MS, type Fetch, Transport } from "./core/transport.js";
import { Sandboxes } from "./sandboxes.js";
import type { Health, Limits, Readiness, RequestOptions } from "./types.js";

export interface CairnOptions {
  /** The server's URL, e.g. `http://127.0.0.1:7878`. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <apiKey>`. */
  apiKey: string;
  /** A fetch to use instead of `globalThis.fetch` (a proxy agent, a test double, ...). */
  fetch?: Fetch;
  /**
   * Retries after a connection failure, a client-side timeout, a 429 or a retryable error
   * (default 2). POST and PATCH calls carry an Idempotency-Key, the same on each retry.
   */
  maxRetries?: number;
  /** Client-side limit per attempt in milliseconds, until the response headers arrive (default 60 s). */
  timeoutMs?: number;
  /** Headers sent with every request. */
  headers?: Record<string, string>;
}

/**
 * A client for one Cairn server.
 *
 * @example
 * const cairn = new Cairn({ baseUrl: "http://127.0.0.1:7878", apiKey: "sk_..." });
 * const sandbox = await cairn.sandboxes.create({ name: "demo" });
 * const { stdout } = await sandbox.exec("echo hello");
 */
export class Cairn {
  /** Create, get, list, update and delete sandboxes. */
  readonly sandboxes: Sandboxes;
  /** Tenants and their API keys (needs an admin key). */
  readonly tenants: Tenants;
  /** API keys by id: get, revoke (needs an admin key). */
  readonly keys: Keys;
  readonly #transport: Transport;

  constructor(options: CairnOptions) {
    this.#transport = new Transport({
      baseUrl: options.baseUrl,
      apiKey: options.apiKey,
      fetch: options.fetch,
      maxRetries: options.maxRetries,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      headers: options.headers,
    });
    this.sandboxes = new Sandboxes(this.#transport);
    this.tenants = new Tenants(this.#transport);
    this.keys = new Keys(this.#transport);
  }

  /**
   * Reports that the server is up, and its version. Needs no API key.
   *
   * @example const { status, version } = await cairn.health(); // "ok", "1.0.0"
   */
  async health(options: RequestOptions = {}): Promise<Health> {
    const { data } = await this.#transport.request(options, (api, init) =>
      api.GET("/v1/health", { ...init }),
    );
    return data;
  }

  /**
   * Whether the server can take traffic: storage reachable, migrations current, not draining.
   * Not being ready is an answer (`status: "not_ready"`, the reasons in `storage.problems`),
   * not an error, and it is asked once (no retries unless `maxRetries` says so). Needs no key.
   *
   * @example const { status, draining } = await cairn.ready(); // "ready", false
   */
  async ready(options: RequestOptions = {}): Promise<Readiness> {
    const { data } = await this.#transport.request(
      { maxRetries: 0, ...options, answerStatuses: [503] },
      (api, init) => api.GET("/v1/ready", { ...init }),
    );
    return data;
  }

  /**
   * Every bound the server applies to this key: body and file sizes, path depth, the
   * per-sandbox quota, rate limits, exec timeouts and output caps, archive limits.
   *
   * @example const { sandboxMaxBytes, rateLimitPerSecond } = await cairn.limits();
   */
  async limits(options: RequestOptions = {}): Promise<Limits> {
    const { data } = await this.#transport.request(options, (api, init) =>
      api.GET("/v1/limits", { ...init }),
    );
    return data;
  }
}
