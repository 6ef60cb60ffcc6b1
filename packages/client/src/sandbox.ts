/** `Sandbox`: one sandbox's metadata, its files (`fs`) and script runs (`exec`). */
import type { Transport } from "./core/transport.js";
import { CairnError } from "./errors.js";
import { ExecStream } from "./exec-stream.js";
import { SandboxArchive } from "./sandbox-archive.js";
import { SandboxFiles } from "./sandbox-files.js";
import { SandboxHistory } from "./sandbox-history.js";
import type {
  Env,
  ExecBatchRequest,
  ExecBatchResult,
  ExecRequest,
  ExecResult,
  ExecStep,
  MutatingRequestOptions,
  RequestOptions,
  Runtimes,
  SandboxData,
  SandboxUsage,
  ShellState,
  UpdateSandboxRequest,
} from "./types.js";

/** The server's script time limit when `timeoutMs` is not given. */
const DEFAULT_SCRIPT_TIMEOUT_MS = 30_000;
/** How much longer than the script's limit the request may take (queueing, committing). */
const EXEC_GRACE_MS = 10_000;

export interface ExecOptions
  extends Omit<MutatingRequestOptions, "timeoutMs">,
    Omit<ExecRequest, "script"> {
  /**
   * Client-side limit for the HTTP request. Defaults to the script's `timeoutMs` plus 10 s,
   * and never less than the client's `timeoutMs`.
   */
  requestTimeoutMs?: number;
}

export interface ExecBatchOptions
  extends Omit<MutatingRequestOptions, "timeoutMs">,
    Omit<ExecBatchRequest, "steps"> {
  /**
   * Client-side limit for the HTTP request. Defaults to the batch's `timeoutMs` plus 10 s,
   * and never less than the client's `timeoutMs`.
   */
  requestTimeoutMs?: number;
}

export interface UpdateSandboxOptions extends MutatingRequestOptions {
  /**
   * Apply the change only if the sandbox is still at this version (sent as
   * `If-Match: "<version>"`); otherwise it throws `PreconditionFailedError`.
   */
  ifVersion?: number;
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
  /** Tar / tar.gz import and export. */
  readonly archive: SandboxArchive;
  /** The commit log: what changed, who and how. */
  readonly history: SandboxHistory;
  readonly #transport: Transport;
  #data: SandboxData;

  /** @internal Made by the client; not meant to be called. */
  constructor(transport: Transport, data: SandboxData) {
    this.#transport = transport;
    this.#data = data;
    this.fs = new SandboxFiles(transport, data.id);
    this.archive = new SandboxArchive(transport, data.id);
    this.history = new SandboxHistory(transport, data.id);
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
  /** Whether exec keeps the shell's working directory and exported variables between calls. */
  get persistShell(): boolean {
    return this.#data.persistShell;
  }
  /** Optional interpreters enabled for scripts (`python3`, `js-exec`). */
  get runtimes(): Runtimes {
    return this.#data.runtimes;
  }
  /** The saved shell state (with `persistShell`); null before the first exec. */
  get shell(): ShellState | null {
    return this.#data.shell;
  }
  /** ISO 8601 date-time. */
  get createdAt(): string {
    return this.#data.createdAt;
  }
  /** ISO 8601 date-time. */
  get updatedAt(): string {
    return this.#data.updatedAt;
  }
  /** When the sandbox expires (ISO 8601), or null; after that it is gone (404). */
  get expiresAt(): string | null {
    return this.#data.expiresAt;
  }
  /** Seconds without activity after which the sandbox expires, or null. */
  get idleTimeout(): number | null {
    return this.#data.idleTimeout;
  }
  /** With an idle timeout: when it expires unless something reads, runs or writes before. */
  get idleExpiresAt(): string | null {
    return this.#data.idleExpiresAt;
  }

  /**
   * Runs a bash script against the sandbox. Its file changes are committed in one step when it
   * ends (per `commit`); a non-zero exit code is a result, not an error. Retried like any call
   * (lost response, 429, retryable error) with the same Idempotency-Key, so the server replays
   * the first run's result rather than running the script twice.
   *
   * @example
   * const result = await sandbox.exec("ls -la /src", { cwd: "/src", timeoutMs: 10_000 });
   * if (result.exitCode !== 0) console.error(result.stderr);
   * console.log(result.commit.status, result.commit.version);
   */
  async exec(script: string, options: ExecOptions = {}): Promise<ExecResult> {
    const { body, request } = this.#execRequest(script, options);
    const { data } = await this.#transport.request(request, (api, init) =>
      api.POST("/v1/sandboxes/{sandboxId}/exec", {
        ...init,
        params: { path: { sandboxId: this.id } },
        body,
      }),
    );
    // The route also answers with an event stream, but only when asked to (see execStream).
    return data as ExecResult;
  }

  /**
   * Runs a bash script like `exec()`, streaming its output as it is produced (server-sent
   * events). The request is sent when you start reading; `for await` yields `stdout` / `stderr`
   * chunks (exact bytes, plus their UTF-8 `text`) and then one `exit` event. A failure after the
   * stream started (e.g. the script timed out; nothing is committed) is thrown from the loop as
   * the same error `exec()` would throw. Aborting `signal` stops the script. Retried like
   * `exec()` until the stream starts, never after.
   *
   * @example
   * const controller = new AbortController();
   * for await (const event of sandbox.execStream("npm test", { signal: controller.signal })) {
   *   if (event.type === "exit") console.log("exit code", event.exitCode);
   *   else process[event.type].write(event.data);
   * }
   * const { exitCode, stdout } = await sandbox.execStream("cat /logo.png").result(); // bytes
   */
  execStream(script: string, options: ExecOptions = {}): ExecStream {
    const { body, request } = this.#execRequest(script, options);
    return new ExecStream(async () => {
      const { data, response } = await this.#transport.request(request, (api, init) =>
        api.POST("/v1/sandboxes/{sandboxId}/exec", {
          ...init,
          headers: { ...init.headers, Accept: "text/event-stream" },
          params: { path: { sandboxId: this.id } },
          body,
          parseAs: "stream",
        }),
      );
      const type = response.headers.get("content-type") ?? "";
      if (!data || !/^text\/event-stream\b/i.test(type)) {
        void data?.cancel().catch(() => {});
        throw new CairnError(`Expected an event stream from exec, got "${type || "no body"}"`);
      }
      return { body: data, headers: response.headers };
    }, options.signal);
  }

  /**
   * Runs several scripts in one call. By default they run in order against one journal (each
   * sees the files the previous ones wrote), stop after the first non-zero exit, and commit once
   * at the end per `commit`; with `parallel` they run at once, read-only. `results[i]` belongs
   * to `steps[i]`; `timeoutMs` bounds the whole batch. A string step is `{ script }`. Retried
   * like `exec()`.
   *
   * @example
   * const { results, commit } = await sandbox.execBatch(
   *   ["npm ci", { script: "npm test", cwd: "/app" }],
   *   { commit: "on_success" },
   * );
   * for (const step of results) console.log(step.exitCode, step.stdout);
   */
  async execBatch(
    steps: (string | ExecStep)[],
    options: ExecBatchOptions = {},
  ): Promise<ExecBatchResult> {
    const { parallel, stopOnError, commit, timeoutMs, maxOutputBytes, requestTimeoutMs, ...rest } =
      options;
    const request = { ...rest, timeoutMs: this.#httpTimeout(timeoutMs, requestTimeoutMs) };
    const body = {
      steps: steps.map((step) => (typeof step === "string" ? { script: step } : step)),
      parallel,
      stopOnError,
      commit,
      timeoutMs,
      maxOutputBytes,
    };
    const { data } = await this.#transport.request(request, (api, init) =>
      api.POST("/v1/sandboxes/{sandboxId}/exec/batch", {
        ...init,
        params: { path: { sandboxId: this.id } },
        body,
      }),
    );
    return data;
  }

  /**
   * Changes the sandbox's name, env, `persistShell`, `runtimes` or expiry (`ttl`, `expiresAt`,
   * `idleTimeout`; null clears) (or forgets its saved shell state with `resetShell`) and
   * updates this object's fields. With `ifVersion` the change is
   * made only if the sandbox is still at that version.
   *
   * @example
   * await sandbox.update({ persistShell: true, runtimes: ["python3"] });
   * await sandbox.update({ name: "renamed" }, { ifVersion: sandbox.version });
   */
  async update(patch: UpdateSandboxRequest, options: UpdateSandboxOptions = {}): Promise<this> {
    this.#data = await updateSandbox(this.#transport, this.id, patch, options);
    return this;
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
   * What the sandbox holds, counted as its quota counts (content bytes, a hard-linked file
   * once; files, directories and symlinks), at one version, with the quota.
   *
   * @example
   * const { bytes, maxBytes } = await sandbox.usage();
   * console.log(`${((100 * bytes) / maxBytes).toFixed(1)}% of the quota`);
   */
  async usage(options: RequestOptions = {}): Promise<SandboxUsage> {
    const { data } = await this.#transport.request(options, (api, init) =>
      api.GET("/v1/sandboxes/{sandboxId}/usage", {
        ...init,
        params: { path: { sandboxId: this.id } },
      }),
    );
    return data;
  }

  /**
   * Deletes the sandbox and all of its files.
   *
   * @example await sandbox.delete();
   */
  async delete(options: MutatingRequestOptions = {}): Promise<void> {
    await this.#transport.request(options, (api, init) =>
      api.DELETE("/v1/sandboxes/{sandboxId}", {
        ...init,
        params: { path: { sandboxId: this.id } },
      }),
    );
  }

  /** The exec body (without the fields left out) and the HTTP options for it. */
  #execRequest(script: string, options: ExecOptions) {
    const {
      cwd,
      env,
      stdin,
      timeoutMs,
      commit,
      readOnly,
      maxOutputBytes,
      requestTimeoutMs,
      ...request
    } = options;
    const body = { script, cwd, env, stdin, timeoutMs, commit, readOnly, maxOutputBytes };
    return {
      body,
      request: { ...request, timeoutMs: this.#httpTimeout(timeoutMs, requestTimeoutMs) },
    };
  }

  /** The HTTP limit for a script run: the script's limit plus a grace, at least the client's. */
  #httpTimeout(scriptTimeoutMs: number | undefined, requestTimeoutMs: number | undefined) {
    const scriptLimit = scriptTimeoutMs ?? DEFAULT_SCRIPT_TIMEOUT_MS;
    return requestTimeoutMs ?? Math.max(this.#transport.timeoutMs, scriptLimit + EXEC_GRACE_MS);
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

/** PATCH /v1/sandboxes/{id}, for `sandbox.update()` and `cairn.sandboxes.update()`. */
export async function updateSandbox(
  transport: Transport,
  sandboxId: string,
  patch: UpdateSandboxRequest,
  options: UpdateSandboxOptions,
): Promise<SandboxData> {
  const { ifVersion, ...request } = options;
  const ifMatch = ifVersion === undefined ? undefined : `"${ifVersion}"`;
  const { data } = await transport.request(request, (api, init) =>
    api.PATCH("/v1/sandboxes/{sandboxId}", {
      ...init,
      params: { path: { sandboxId }, header: { "If-Match": ifMatch } },
      body: patch,
    }),
  );
  return data;
}
