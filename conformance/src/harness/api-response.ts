/** A fully read HTTP response that has already been checked against the spec. */
import type { OperationMatch } from "./spec-validator.js";

export class ApiResponse {
  readonly method: string;
  readonly url: string;
  readonly operation: OperationMatch;
  readonly status: number;
  readonly headers: Headers;
  /** The raw body bytes. */
  readonly bytes: Uint8Array;
  readonly #json: unknown;

  constructor(init: {
    method: string;
    url: string;
    operation: OperationMatch;
    status: number;
    headers: Headers;
    bytes: Uint8Array;
    json: unknown;
  }) {
    this.method = init.method;
    this.url = init.url;
    this.operation = init.operation;
    this.status = init.status;
    this.headers = init.headers;
    this.bytes = init.bytes;
    this.#json = init.json;
  }

  /** The body decoded as UTF-8. */
  get text(): string {
    return new TextDecoder().decode(this.bytes);
  }

  /**
   * The JSON body, already validated against the operation's schema for this status.
   * Throws when the response has no JSON body.
   */
  json<T = unknown>(): T {
    if (this.#json === undefined) {
      throw new Error(
        `${this.describe()} has no JSON body (Content-Type ${this.header("content-type")})`,
      );
    }
    return this.#json as T;
  }

  header(name: string): string | null {
    return this.headers.get(name);
  }

  /** `GET /v1/... (readFile) → 404`, for messages. */
  describe(): string {
    const u = new URL(this.url);
    return `${this.method.toUpperCase()} ${u.pathname}${u.search} (${this.operation.operationId}) → ${this.status}`;
  }
}
