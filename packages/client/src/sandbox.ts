/** `Sandbox`: one sandbox's metadata, its files (`fs`) and script runs (`exec`). */
import type { Transport } from "./core/transport.js";
import { SandboxFiles } from "./sandbox-files.js";
import type { Env, ExecRequest, ExecResult, RequestOptions, SandboxData } from "./types.js";

/** The server's script time limit when `timeoutMs` is not given. */
const DEFAULT_SCRIPT_TIMEOUT_MS = 30_000;
/** How much longer than the script's limit the request may take (queueing, committing). */
const EXEC_GRACE_MS = 10_000;

export interface ExecOptions
  extends Omit<RequestOptions, "timeoutMs">,
    Omit<ExecRequest, "script"> {
  /**
   * Client-side limit for the HTTP request. Defaults to the script's `timeoutMs` plus 10 s,
   * and never less than the client's `timeoutMs`.
   */
  requestTimeoutMs?: number;
}

/**
 * A sandbox: a file tree on the server that bash scripts run against. Its fields are a snapshot
 * from when it was fetched; `refresh()` updates them.
 *
 * @example
 * const sandbox = await cairn.sandboxes.create({ name: "demo" });
 * await sandbox.fs.write("/hello.txt", "hi");
 * const { stdout } = await sandbox.exec("cat /hello.txt");
 */
export class Sandbox {
  /** File operations on this sandbox. */
  readonly fs: SandboxFiles;
  readonly #transport: Transport;
  #data: SandboxData;

  constructor(transport: Transport, data: SandboxData) {
    this.#transport = transport;
    this.#data = data;
    this.fs = new SandboxFiles(transport, data.id);
  }

  get id(): string {
    return this.#data.id;
  }
  /** A label chosen by the creator; not unique. */
  get name(): string | null {
    return this.#data.name;
  }
  /** Bumped by every committed change to the sandbox's files. */
  get version(): number {
    return this.#data.version;
  }
  /** Environment variables given to every script. */
  get env(): Env {
    return this.#data.env;
  }
  /** ISO 8601 date-time. */
  get createdAt(): string {
    return this.#data.createdAt;
  }
  /** ISO 8601 date-time. */
  get updatedAt(): string {
    return this.#data.updatedAt;
  }

  /**
   * Runs a bash script against the sandbox. Its file changes are committed in one step when it
   * ends (per `commit`); a non-zero exit code is a result, not an error. Not retried.
   *
   * @example
   * const result = await sandbox.exec("ls -la /src", { cwd: "/src", timeoutMs: 10_000 });
   * if (result.exitCode !== 0) console.error(result.stderr);
   * console.log(result.commit.status, result.commit.version);
   */
  async exec(script: string, options: ExecOptions = {}): Promise<ExecResult> {
    const { cwd, env, stdin, timeoutMs, commit, requestTimeoutMs, ...request } = options;
    const scriptLimit = timeoutMs ?? DEFAULT_SCRIPT_TIMEOUT_MS;
    const httpTimeout =
      requestTimeoutMs ?? Math.max(this.#transport.timeoutMs, scriptLimit + EXEC_GRACE_MS);
    const { data } = await this.#transport.request(
      { ...request, timeoutMs: httpTimeout },
      (api, init) =>
        api.POST("/v1/sandboxes/{sandboxId}/exec", {
          ...init,
          params: { path: { sandboxId: this.id } },
          body: { script, cwd, env, stdin, timeoutMs, commit },
        }),
    );
    return data;
  }

  /**
   * Fetches the sandbox again and updates this object's fields.
   *
   * @example
   * await sandbox.refresh();
   * console.log(sandbox.version);
   */
  async refresh(options: RequestOptions = {}): Promise<this> {
    const { data } = await this.#transport.request(options, (api, init) =>
      api.GET("/v1/sandboxes/{sandboxId}", { ...init, params: { path: { sandboxId: this.id } } }),
    );
    this.#data = data;
    return this;
  }

  /**
   * Deletes the sandbox and all of its files.
   *
   * @example await sandbox.delete();
   */
  async delete(options: RequestOptions = {}): Promise<void> {
    await this.#transport.request(options, (api, init) =>
      api.DELETE("/v1/sandboxes/{sandboxId}", {
        ...init,
        params: { path: { sandboxId: this.id } },
      }),
    );
  }

  /** The plain data, as the API returns it. */
  toJSON(): SandboxData {
    return { ...this.#data };
  }

  /** Shows the fields in Node's, Bun's and Deno's console.log. */
  [Symbol.for("nodejs.util.inspect.custom")](): SandboxData {
    return this.toJSON();
  }
}
