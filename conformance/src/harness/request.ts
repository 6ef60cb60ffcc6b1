/** Real HTTP requests with fetch; every response is checked against the spec before a case sees it. */
import { ApiResponse } from "./api-response.js";
import { preview, SpecViolationError } from "./errors.js";
import type { SpecValidator } from "./spec-validator.js";

export type HttpMethod = "GET" | "PUT" | "POST" | "DELETE" | "PATCH" | "HEAD" | "OPTIONS";

export type QueryValue = string | number | boolean | undefined;

export interface RequestOptions {
  /** Query parameters; each value is percent-encoded with `encodeURIComponent`. */
  query?: Record<string, QueryValue>;
  headers?: Record<string, string>;
  /**
   * A plain object is sent as JSON. A `Uint8Array` or string is sent as-is, with the
   * Content-Type the spec declares for the operation unless `headers` names one.
   */
  body?: object | Uint8Array | string;
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
  const parts = Object.entries(query)
    .filter((entry): entry is [string, string | number | boolean] => entry[1] !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return parts.length ? `?${parts.join("&")}` : "";
}

/**
 * Creates `request(method, path, options)`: fetches `baseUrl + path`, reads the whole body and
 * throws a `SpecViolationError` unless the response matches the spec.
 * @example
 * const request = createRequester({ baseUrl, apiKey, validator: new SpecValidator() });
 * const res = await request("GET", "/v1/health", { auth: false });
 */
export function createRequester(options: RequesterOptions): RequestFn {
  const base = options.baseUrl.replace(/\/+$/, "");
  return async (method, path, init = {}) => {
    const operation = options.validator.findOperation(method, path);
    if (!operation) throw new Error(`the spec has no operation for ${method} ${path}`);
    const url = `${base}${path}${buildQuery(init.query)}`;
    const headers = new Headers();
    if (init.auth !== false) {
      const key = typeof init.auth === "string" ? init.auth : options.apiKey;
      headers.set("authorization", `Bearer ${key}`);
    }
    let body: Uint8Array<ArrayBuffer> | string | undefined;
    if (init.body instanceof Uint8Array || typeof init.body === "string") {
      body = typeof init.body === "string" ? init.body : init.body.slice();
      const declared = options.validator.requestMediaTypes(operation)[0];
      headers.set("content-type", declared ?? "application/octet-stream");
    } else if (init.body !== undefined) {
      body = JSON.stringify(init.body);
      headers.set("content-type", "application/json");
    }
    for (const [k, v] of Object.entries(init.headers ?? {})) headers.set(k, v);

    const response = await fetch(url, {
      method,
      headers,
      body,
      redirect: "manual",
      signal: options.signal,
    });
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
  };
}
