/** Real HTTP requests with fetch; every response is checked against the spec before a case sees it. */
import { ApiResponse } from "./api-response.js";
import { preview, SpecViolationError } from "./errors.js";
import { ExecEventStream } from "./event-stream.js";
import { essence } from "./media-type.js";
import type { OperationMatch, SpecValidator } from "./spec-validator.js";

export type HttpMethod = "GET" | "PUT" | "POST" | "DELETE" | "PATCH" | "HEAD" | "OPTIONS";

/** An array repeats the parameter (`tag=a&tag=b`). */
export type QueryValue = string | number | boolean | undefined | readonly string[];

export interface RequestOptions {
  /** Query parameters; each value is percent-encoded with `encodeURIComponent`. */
  query?: Record<string, QueryValue>;
  headers?: Record<string, string>;
  /**
   * A plain object is sent as JSON. A `Uint8Array` or string is sent as-is, with the
   * Content-Type the spec declares for the operation unless `headers` names one. A
   * `ReadableStream` is streamed (half-duplex) the same way, pulled as the server reads it.
   */
  body?: object | Uint8Array | string | ReadableStream<Uint8Array>;
  /**
   * `true` (default) sends `Authorization: Bearer <apiKey>`, `false` sends none, and a
   * string sends `Bearer <that string>`. An `authorization` header in `headers` wins.
   */
  auth?: boolean | string;
}

export type RequestFn = (
  method: HttpMethod,
  path: string,
  options?: RequestOptions,
) => Promise<ApiResponse>;

export interface RequesterOptions {
  baseUrl: string;
  apiKey: string;
  validator: SpecValidator;
  signal?: AbortSignal;
}

/** Builds a query string with `encodeURIComponent` (spaces as `%20`, never `+`). */
export function buildQuery(query: Record<string, QueryValue> | undefined): string {
  if (!query) return "";
  const parts = Object.entries(query).flatMap(([k, v]) =>
    v === undefined
      ? []
      : (Array.isArray(v) ? v : [v]).map(
          (item) => `${encodeURIComponent(k)}=${encodeURIComponent(String(item))}`,
        ),
  );
  return parts.length ? `?${parts.join("&")}` : "";
}

/** A request ready for fetch: its operation, URL, headers and body. */
interface Prepared {
  operation: OperationMatch;
  url: string;
  headers: Headers;
  body: Uint8Array<ArrayBuffer> | string | ReadableStream<Uint8Array> | undefined;
}

function prepare(
  options: RequesterOptions,
  method: HttpMethod,
  path: string,
  init: RequestOptions,
  defaultHeaders: Record<string, string> = {},
): Prepared {
  const operation = options.validator.findOperation(method, path);
  if (!operation) throw new Error(`the spec has no operation for ${method} ${path}`);
  const url = `${options.baseUrl.replace(/\/+$/, "")}${path}${buildQuery(init.query)}`;
  const headers = new Headers(defaultHeaders);
  if (init.auth !== false) {
    const key = typeof init.auth === "string" ? init.auth : options.apiKey;
    headers.set("authorization", `Bearer ${key}`);
  }
  let body: Uint8Array<ArrayBuffer> | string | ReadableStream<Uint8Array> | undefined;
  if (
    init.body instanceof Uint8Array ||
    typeof init.body === "string" ||
    init.body instanceof ReadableStream
  ) {
    body = init.body instanceof Uint8Array ? init.body.slice() : init.body;
    const declared = options.validator.requestMediaTypes(operation)[0];
    headers.set("content-type", declared ?? "application/octet-stream");
  } else if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers.set("content-type", "application/json");
  }
  for (const [k, v] of Object.entries(init.headers ?? {})) headers.set(k, v);
  return { operation, url, headers, body };
}

/** Reads the whole body and checks the response against the spec. */
async function complete(
  options: RequesterOptions,
  method: HttpMethod,
  { operation, url }: Prepared,
  response: Response,
): Promise<ApiResponse> {
  const bytes = new Uint8Array(await response.arrayBuffer());
  const shape = { status: response.status, headers: response.headers, body: bytes };
  const { violations, json } = options.validator.checkResponse(operation, shape);
  const result = new ApiResponse({
    method,
    url,
    operation,
    status: response.status,
    headers: response.headers,
    bytes,
    json,
  });
  if (violations.length > 0) {
    throw new SpecViolationError(result.describe(), violations, preview(bytes));
  }
  return result;
}

function send(options: RequesterOptions, method: HttpMethod, prepared: Prepared) {
  return fetch(prepared.url, {
    method,
    headers: prepared.headers,
    body: prepared.body,
    redirect: "manual",
    signal: options.signal,
    ...(prepared.body instanceof ReadableStream ? { duplex: "half" } : {}),
  } as RequestInit);
}

/**
 * Creates `request(method, path, options)`: fetches `baseUrl + path`, reads the whole body and
 * throws a `SpecViolationError` unless the response matches the spec.
 * @example
 * const request = createRequester({ baseUrl, apiKey, validator: new SpecValidator() });
 * const res = await request("GET", "/v1/health", { auth: false });
 */
export function createRequester(options: RequesterOptions): RequestFn {
  return async (method, path, init = {}) => {
    const prepared = prepare(options, method, path, init);
    return complete(options, method, prepared, await send(options, method, prepared));
  };
}

/**
 * A request that asks for server-sent events (`Accept: text/event-stream` unless `headers` name
 * an Accept). A 200 `text/event-stream` response is returned unread as an `ExecEventStream`,
 * whose events are checked as they are read; any other response is read and checked like
 * `request` does and returned as an `ApiResponse`.
 */
export type StreamFn = (
  method: HttpMethod,
  path: string,
  options?: RequestOptions,
) => Promise<ExecEventStream | ApiResponse>;

export interface StreamerOptions extends RequesterOptions {
  /** Called with every stream opened, e.g. to close the ones a case left open. */
  onOpen?: (stream: ExecEventStream) => void;
}

/** Creates a `StreamFn` (see there). */
export function createStreamer(options: StreamerOptions): StreamFn {
  return async (method, path, init = {}) => {
    const prepared = prepare(options, method, path, init, { accept: "text/event-stream" });
    const response = await send(options, method, prepared);
    const contentType = response.headers.get("content-type") ?? "";
    if (response.status !== 200 || essence(contentType) !== "text/event-stream") {
      return complete(options, method, prepared, response);
    }
    const { operation, url } = prepared;
    const describe = `${method} ${new URL(url).pathname} (${operation.operationId}) → 200`;
    // Status, Content-Type and headers; the body is checked event by event.
    const shape = { status: 200, headers: response.headers, body: new Uint8Array(0) };
    const { violations } = options.validator.checkResponse(operation, shape);
    if (violations.length > 0) {
      await response.body?.cancel().catch(() => {});
      throw new SpecViolationError(describe, violations);
    }
    const stream = new ExecEventStream({
      describe,
      status: 200,
      headers: response.headers,
      body: response.body,
      checkEvent: (event) => options.validator.checkStreamItem(operation, 200, contentType, event),
    });
    options.onOpen?.(stream);
    return stream;
  };
}
