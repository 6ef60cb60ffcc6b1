/** A sandbox created for one case, with setup helpers that fail loudly when a step does not work. */
import type { ExecBatchResult, ExecResult, FileStat, Sandbox, Schemas } from "@cairn/spec";
import { ApiResponse } from "./api-response.js";
import { assert, expectProblem, expectStatus } from "./assert.js";
import type { ExecEventStream, StreamedExec } from "./event-stream.js";
import type { ExecBatchInput, ExecInput, UpdateSandboxInput } from "./inputs.js";
import type { RequestFn, RequestOptions, StreamFn } from "./request.js";

export type DirectoryListing = Schemas["DirectoryListing"];
export type MutationResult = Schemas["MutationResult"];
export type WriteResult = Schemas["WriteResult"];

export interface WriteOptions {
  headers?: Record<string, string>;
  mode?: string;
}

export class SandboxHandle {
  readonly id: string;
  /** The body of the 201 that created it. */
  readonly created: Sandbox;
  readonly #request: RequestFn;
  readonly #stream: StreamFn | undefined;

  constructor(created: Sandbox, request: RequestFn, stream?: StreamFn) {
    this.id = created.id;
    this.created = created;
    this.#request = request;
    this.#stream = stream;
  }

  /** A request under `/v1/sandboxes/{id}`, e.g. `sb.request("GET", "/fs/stat", { query: { path } })`. */
  request(
    method: Parameters<RequestFn>[0],
    subpath: string,
    options?: RequestOptions,
  ): Promise<ApiResponse> {
    return this.#request(method, `/v1/sandboxes/${this.id}${subpath}`, options);
  }

  async get(): Promise<Sandbox> {
    const res = await this.#request("GET", `/v1/sandboxes/${this.id}`);
    expectStatus(res, 200);
    return res.json<Sandbox>();
  }

  async version(): Promise<number> {
    return (await this.get()).version;
  }

  /** PUT a file (200 or 201 expected); returns the result and the ETag header. */
  async write(
    path: string,
    content: string | Uint8Array,
    options: WriteOptions = {},
  ): Promise<WriteResult & { etag: string | null }> {
    const res = await this.writeRaw(path, content, options);
    expectStatus(res, 200, 201);
    return { ...res.json<WriteResult>(), etag: res.header("etag") };
  }

  writeRaw(
    path: string,
    content: string | Uint8Array,
    options: WriteOptions = {},
  ): Promise<ApiResponse> {
    const body = typeof content === "string" ? new TextEncoder().encode(content) : content;
    return this.request("PUT", "/files", {
      query: { path, mode: options.mode },
      headers: options.headers,
      body,
    });
  }

  readRaw(path: string, headers?: Record<string, string>): Promise<ApiResponse> {
    return this.request("GET", "/files", { query: { path }, headers });
  }

  async read(path: string): Promise<Uint8Array> {
    const res = await this.readRaw(path);
    expectStatus(res, 200);
    return res.bytes;
  }

  async readText(path: string): Promise<string> {
    return new TextDecoder().decode(await this.read(path));
  }

  statRaw(path: string): Promise<ApiResponse> {
    return this.request("GET", "/fs/stat", { query: { path } });
  }

  async stat(path: string): Promise<FileStat> {
    const res = await this.statRaw(path);
    expectStatus(res, 200);
    return res.json<FileStat>();
  }

  /** True on 200, false on 404 `ENOENT`; anything else fails. */
  async exists(path: string): Promise<boolean> {
    const res = await this.statRaw(path);
    if (res.status === 200) return true;
    expectProblem(res, 404, "ENOENT");
    return false;
  }

  listRaw(path: string, query: { limit?: number; cursor?: string } = {}): Promise<ApiResponse> {
    return this.request("GET", "/fs/list", { query: { path, ...query } });
  }

  async list(
    path: string,
    query: { limit?: number; cursor?: string } = {},
  ): Promise<DirectoryListing> {
    const res = await this.listRaw(path, query);
    expectStatus(res, 200);
    return res.json<DirectoryListing>();
  }

  /** Entry names of a directory, following `nextCursor` to the end. */
  async names(path: string): Promise<string[]> {
    const names: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 1000; page++) {
      const listing = await this.list(path, cursor ? { cursor } : {});
      names.push(...listing.entries.map((e) => e.name));
      if (listing.nextCursor === null) return names;
      cursor = listing.nextCursor;
    }
    throw new Error(`listing ${path} did not end after 1000 pages`);
  }

  mkdirRaw(path: string, parents?: boolean): Promise<ApiResponse> {
    return this.request("POST", "/fs/mkdir", {
      body: parents === undefined ? { path } : { path, parents },
    });
  }

  async mkdir(path: string, parents?: boolean): Promise<MutationResult> {
    const res = await this.mkdirRaw(path, parents);
    expectStatus(res, 201);
    return res.json<MutationResult>();
  }

  execRaw(body: ExecInput): Promise<ApiResponse> {
    return this.request("POST", "/exec", { body });
  }

  /** Runs a script (200 expected, any exit code). */
  async exec(body: ExecInput | string): Promise<ExecResult> {
    const res = await this.execRaw(typeof body === "string" ? { script: body } : body);
    expectStatus(res, 200);
    return res.json<ExecResult>();
  }

  /**
   * POST /exec with `Accept: text/event-stream`: an `ExecEventStream` for a 200 event stream,
   * otherwise the (checked) response.
   */
  execStreamRaw(body: ExecInput): Promise<ExecEventStream | ApiResponse> {
    if (!this.#stream) throw new Error("this SandboxHandle was made without a stream function");
    return this.#stream("POST", `/v1/sandboxes/${this.id}/exec`, { body });
  }

  /** Opens a streamed exec; fails unless the answer is a 200 event stream. */
  async execStream(body: ExecInput | string): Promise<ExecEventStream> {
    const opened = await this.execStreamRaw(typeof body === "string" ? { script: body } : body);
    if (opened instanceof ApiResponse) {
      expectStatus(opened, 200);
      assert.fail(
        `${opened.describe()}: expected text/event-stream, got ${opened.header("content-type")}`,
      );
    }
    return opened;
  }

  /** Runs a streamed exec to its end: every event, and the output decoded. */
  async streamExec(body: ExecInput | string): Promise<StreamedExec> {
    return (await this.execStream(body)).collect();
  }

  batchRaw(body: ExecBatchInput): Promise<ApiResponse> {
    return this.request("POST", "/exec/batch", { body });
  }

  /** Runs a batch (200 expected). */
  async batch(body: ExecBatchInput): Promise<ExecBatchResult> {
    const res = await this.batchRaw(body);
    expectStatus(res, 200);
    return res.json<ExecBatchResult>();
  }

  /** PATCH the sandbox as given. */
  updateRaw(
    body: UpdateSandboxInput | object,
    headers?: Record<string, string>,
  ): Promise<ApiResponse> {
    return this.#request("PATCH", `/v1/sandboxes/${this.id}`, { body, headers });
  }

  /** PATCH the sandbox (200 expected); returns the sandbox after the change. */
  async update(body: UpdateSandboxInput, headers?: Record<string, string>): Promise<Sandbox> {
    const res = await this.updateRaw(body, headers);
    expectStatus(res, 200);
    return res.json<Sandbox>();
  }
}
