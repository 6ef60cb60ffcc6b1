/** The HTTP layer: an openapi-fetch client whose fetch adds auth, retries, timeouts and typed errors. */
import type { paths } from "@cairn/spec/schema";
import type { Client } from "openapi-fetch";
import createClient from "openapi-fetch";
import {
  AbortError,
  APIError,
  asProblem,
  CairnError,
  ConnectionError,
  RequestTimeoutError,
} from "../errors.js";
import type { MutatingRequestOptions, Problem } from "../types.js";
import { sleep, startDeadline } from "./abort.js";
import { markIdempotent } from "./idempotency.js";
import { type Attempt, DEFAULT_MAX_RETRIES, retryDelay } from "./retry.js";

export const DEFAULT_TIMEOUT_MS = 60_000;

/** A fetch function; only the `Request` argument is used. */
export type Fetch = (request: Request) => Promise<Response>;

export interface TransportConfig {
  baseUrl: string;
  apiKey: string;
  fetch?: Fetch | undefined;
  maxRetries?: number | undefined;
  timeoutMs?: number | undefined;
  headers?: Record<string, string> | undefined;
}

/** What the transport hands each openapi-fetch call: that call's headers and fetch. */
export interface CallInit {
  headers: Record<string, string> | undefined;
  fetch: Fetch;
}

/** A call's options as the transport takes them: the caller's, plus what the method knows. */
export interface CallOptions extends MutatingRequestOptions {
  /**
   * The body is a caller's `ReadableStream`: it can be sent only once, so the call is not
   * retried and the request is not copied (a copy would hold the whole body in memory). Nor is
   * it given an Idempotency-Key unless the caller chose one: with no retry there is nothing to
   * replay, and the server would have to hold the whole body to fingerprint the request.
   */
  oneShotBody?: boolean;
  /** Statuses besides 2xx whose body is the answer, not an error (`/v1/ready`'s 503). */
  answerStatuses?: readonly number[];
}

export type Api = Client<paths>;
type FetchResult = { data?: unknown; error?: unknown; response: Response };
/** The success branch's body type of an openapi-fetch result. */
type SuccessData<R> = R extends { data: infer D } ? D : never;

/**
 * Sends API calls. Every call goes through `request()`, which turns failures into `CairnError`s;
 * the fetch it hands openapi-fetch applies this call's timeout, signal and retry budget.
 */
export class Transport {
  readonly api: Api;
  readonly maxRetries: number;
  readonly timeoutMs: number;
  readonly #fetch: Fetch;

  constructor(config: TransportConfig) {
    const custom = config.fetch;
    // Called unbound: browsers reject `fetch` invoked on anything but the global object.
    this.#fetch = custom ? (request) => custom(request) : (request) => globalThis.fetch(request);
    this.maxRetries = config.maxRetries ?? DEFAULT_MAX_RETRIES;
    this.timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.api = createClient<paths>({
      baseUrl: config.baseUrl,
      headers: { ...config.headers, Authorization: `Bearer ${config.apiKey}` },
      fetch: (request) => this.#send(request, {}),
    });
  }

  /**
   * Makes one API call with openapi-fetch and returns the success body and response; any
   * failure is thrown as a `CairnError` (an `APIError` subclass for error responses).
   *
   * @example
   * const { data } = await transport.request(options, (api, init) =>
   *   api.GET("/v1/sandboxes/{sandboxId}", { ...init, params: { path: { sandboxId } } }),
   * );
   */
  async request<R extends FetchResult>(
    options: CallOptions,
    call: (api: Api, init: CallInit) => Promise<R>,
  ): Promise<{ data: SuccessData<R>; response: Response }> {
    let result: R;
    try {
      result = await call(this.api, {
        headers: options.headers,
        fetch: (request) => this.#send(request, options),
      });
    } catch (error) {
      throw toCairnError(error, options.signal);
    }
    if (options.answerStatuses?.includes(result.response.status)) {
      return { data: (result.data ?? result.error) as SuccessData<R>, response: result.response };
    }
    if (!result.response.ok) throw APIError.from(result.response, result.error);
    return { data: result.data as SuccessData<R>, response: result.response };
  }

  /**
   * Sends `request` until the retry policy says stop; returns the last response or throws.
   * Called once per call: the Idempotency-Key set here is the same on every attempt.
   */
  async #send(request: Request, options: CallOptions): Promise<Response> {
    markIdempotent(request, options.idempotencyKey, !options.oneShotBody);
    const maxRetries = options.oneShotBody ? 0 : (options.maxRetries ?? this.maxRetries);
    for (let number = 0; ; number++) {
      const attempt = await this.#attempt(request, number, options);
      const delay = retryDelay(attempt, maxRetries);
      if (delay === undefined) {
        if (attempt.error) throw attempt.error;
        return attempt.response;
      }
      await attempt.response?.body?.cancel();
      await sleep(delay, options.signal);
    }
  }

  /** One try, on a copy of `request`; a caller's abort is thrown, other failures are returned. */
  async #attempt(request: Request, number: number, options: CallOptions): Promise<Attempt> {
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const deadline = startDeadline(options.signal, timeoutMs);
    try {
      const copy = options.oneShotBody ? request : request.clone();
      const response = await this.#fetch(new Request(copy, { signal: deadline.signal }));
      return { request, number, response, problem: await peekProblem(response) };
    } catch (cause) {
      if (options.signal?.aborted) throw abortError(options.signal);
      const error = deadline.timedOut()
        ? new RequestTimeoutError(`No response within ${timeoutMs} ms`, { cause })
        : new ConnectionError(`Could not reach ${request.url}: ${messageOf(cause)}`, { cause });
      return { request, number, error };
    } finally {
      deadline.clear();
    }
  }
}

/** The problem body of an error response, read from a copy so the response stays readable. */
async function peekProblem(response: Response): Promise<Problem | undefined> {
  if (response.ok || !/json/i.test(response.headers.get("content-type") ?? "")) return undefined;
  try {
    return asProblem(await response.clone().json());
  } catch {
    return undefined;
  }
}

/** A failure while sending or reading (other than an error status) as a `CairnError`. */
export function toCairnError(error: unknown, signal: AbortSignal | undefined): CairnError {
  if (error instanceof CairnError) return error;
  if (signal?.aborted) return abortError(signal);
  // Reading the body failed: the connection broke after the headers arrived.
  if (error instanceof TypeError) {
    return new ConnectionError(`Connection failed: ${error.message}`, { cause: error });
  }
  return new CairnError(`Could not read the response: ${messageOf(error)}`, { cause: error });
}

export function abortError(signal: AbortSignal): AbortError {
  return new AbortError("Request aborted", { cause: signal.reason });
}

function messageOf(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : "";
    return `${error.message}${cause}`;
  }
  return String(error);
}
