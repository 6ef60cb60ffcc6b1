/** The errors the client throws: one root, and one factory that picks an `APIError` class from a response. */
import { parseRetryAfter } from "./core/retry-after.js";
import type { ErrorCode, Problem } from "./types.js";

/**
 * The root of every error this client throws.
 *
 * @example
 * try { await cairn.sandboxes.get("sbx_missing"); }
 * catch (e) { if (e instanceof CairnError) console.error(e.message); }
 */
export class CairnError extends Error {
  override name = "CairnError";
}

/** The server answered with an error status; `problem` holds its RFC 9457 body. */
export class APIError extends CairnError {
  override name = "APIError";
  /** The HTTP status. */
  readonly status: number;
  /** Cairn's stable error code: a POSIX errno name for filesystem errors, snake_case otherwise. */
  readonly code: ErrorCode;
  /** True when sending the same request again may succeed; nothing was applied. */
  readonly retryable: boolean;
  /** The request's id, from the body or the `x-request-id` header; quote it in bug reports. */
  readonly requestId: string | undefined;
  /** The problem details from the body, or ones built from the status when the body had none. */
  readonly problem: Problem;
  /** The response headers. */
  readonly headers: Headers;

  constructor(status: number, problem: Problem, headers: Headers) {
    super(`${status} ${problem.code}: ${problem.detail ?? problem.title}`);
    this.status = status;
    this.code = problem.code;
    this.retryable = problem.retryable;
    this.requestId = problem.requestId ?? headers.get("x-request-id") ?? undefined;
    this.problem = problem;
    this.headers = headers;
  }

  /**
   * The one factory: builds the error for a failed response and its parsed body (a problem
   * object, other JSON, text or nothing), choosing the class from the status and the code.
   *
   * @example
   * const error = APIError.from(response, await response.json()); // a NotFoundError for a 404
   */
  static from(response: Response, body: unknown): APIError {
    const problem = asProblem(body) ?? problemFromStatus(response, body);
    const ErrorClass = errorClassFor(response.status, problem.code);
    return new ErrorClass(response.status, problem, response.headers);
  }

  /**
   * The same factory for a problem that arrived inside a successful response (an exec event
   * stream's `error` event): the class comes from the problem's own `status` and `code`, so it
   * matches what the non-streaming call would have thrown.
   *
   * @example
   * const error = APIError.fromProblem({ code: "timeout", status: 408 }, response.headers); // TimeoutError
   */
  static fromProblem(body: unknown, headers: Headers): APIError {
    const problem = asProblem(body) ?? {
      type: "about:blank",
      title: "Malformed error event",
      status: 500,
      code: "internal_error",
      retryable: false,
      detail: `The server sent an error that is not a problem object: ${String(JSON.stringify(body)).slice(0, 500)}`,
    };
    const ErrorClass = errorClassFor(problem.status, problem.code);
    return new ErrorClass(problem.status, problem, headers);
  }
}

/**
 * The validation family: 400, 413, 415, 416, 422 or `invalid_request`. The request itself is
 * wrong (a bad field, a path outside the rules, a body too large); sending it again will not help.
 */
export class BadRequestError extends APIError {
  override name = "BadRequestError";
}
/**
 * 422 `idempotency_key_mismatch`: this `Idempotency-Key` was already used with a different
 * request (another method, path or body). Nothing was applied; use a new key for a new request.
 */
export class IdempotencyKeyMismatchError extends BadRequestError {
  override name = "IdempotencyKeyMismatchError";
}
/**
 * 422 `edit_no_match` or `edit_ambiguous` (`code` says which): `sandbox.fs.edit()`'s `oldString`
 * is not in the file, or is there more than once and `replaceAll` was not set. Nothing changed;
 * read the file again, or give more surrounding text to make the match unique.
 */
export class EditMatchError extends BadRequestError {
  override name = "EditMatchError";
  declare readonly code: "edit_no_match" | "edit_ambiguous";
}
/**
 * 422 `patch_conflict`: a hunk of `sandbox.fs.patch()`'s diff does not apply to the file as it is
 * now. Nothing changed (a patch applies whole or not at all); `hunk` and `path` say where.
 */
export class PatchConflictError extends BadRequestError {
  override name = "PatchConflictError";
  declare readonly code: "patch_conflict";
  /**
   * The 1-based hunk, counted within `path`'s part of the diff, that did not apply; undefined
   * when no one hunk is to blame (a diff that deletes a file whose text it does not all remove).
   */
  readonly hunk: number | undefined = this.problem.hunk;
  /** The sandbox path of the file the conflict is in. */
  readonly path: string | undefined = this.problem.path;
}
/**
 * An archive `sandbox.archive.import()` refused (`code` says which rule): not a tar
 * (`archive_invalid`), an entry that would land outside the destination
 * (`archive_unsafe_entry`), a device or FIFO (`archive_unsupported_entry`), or a limit
 * (`archive_too_large`, `archive_too_many_entries`, `archive_entry_too_large`). Nothing was applied.
 */
export class ArchiveRejectedError extends BadRequestError {
  override name = "ArchiveRejectedError";
  declare readonly code:
    | "archive_invalid"
    | "archive_unsafe_entry"
    | "archive_unsupported_entry"
    | "archive_too_large"
    | "archive_too_many_entries"
    | "archive_entry_too_large";
}
/** The auth family, 401: the API key is missing or wrong. */
export class AuthenticationError extends APIError {
  override name = "AuthenticationError";
}
/** The auth family, 403: the API key may not do this. */
export class PermissionDeniedError extends APIError {
  override name = "PermissionDeniedError";
}
/** 404: no such sandbox, file or route (`code` says which). */
export class NotFoundError extends APIError {
  override name = "NotFoundError";
}
/**
 * The conflict family, 409: the path is in the way (`EEXIST`, `ENOTEMPTY`, ...), a concurrent
 * write won (`conflict`, retryable), or a request with the same `Idempotency-Key` is still
 * running (`idempotency_in_progress`, retryable).
 */
export class ConflictError extends APIError {
  override name = "ConflictError";
}
/** The conflict family, 412: an `If-Match` / `If-None-Match` did not hold; nothing changed. */
export class PreconditionFailedError extends APIError {
  override name = "PreconditionFailedError";
}
/** 408 or `timeout`: the script ran out of time on the server; nothing was committed. */
export class TimeoutError extends APIError {
  override name = "TimeoutError";
}
/** The server family, 5xx: the server failed (`unavailable` ones are retryable). */
export class InternalServerError extends APIError {
  override name = "InternalServerError";
}

/** 429: too many requests; `retryAfter` is the server's requested wait in seconds, if it sent one. */
export class RateLimitError extends APIError {
  override name = "RateLimitError";
  readonly retryAfter: number | undefined = parseRetryAfter(this.headers.get("retry-after"));
}

/**
 * The transport family: no response, because the server could not be reached or the connection
 * broke. It has the same fields as an `APIError`, with no `status`, `requestId` or `problem`.
 */
export class ConnectionError extends CairnError {
  override name = "ConnectionError";
  /** `connection_failed`, or `request_timeout` for a `RequestTimeoutError`. */
  readonly code: "connection_failed" | "request_timeout" = "connection_failed";
  /** No response, so no HTTP status. */
  readonly status: undefined = undefined;
  /** No response, so no request id. */
  readonly requestId: undefined = undefined;
  /** No response, so no problem details. */
  readonly problem: undefined = undefined;
  /**
   * True: sending it again may work. Whether the request reached the server is unknown; the
   * client's own retries are safe (reads, PUT, DELETE, and POST / PATCH with their
   * Idempotency-Key).
   */
  readonly retryable: boolean = true;
}
/** No response within the client-side `timeoutMs` (after any retries). */
export class RequestTimeoutError extends ConnectionError {
  override name = "RequestTimeoutError";
  override readonly code = "request_timeout";
}
/** The caller's `signal` aborted the call; `cause` is the signal's reason. */
export class AbortError extends CairnError {
  override name = "AbortError";
}
const CLASS_BY_STATUS: Record<number, typeof APIError> = {
  400: BadRequestError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  408: TimeoutError,
  409: ConflictError,
  412: PreconditionFailedError,
  413: BadRequestError,
  415: BadRequestError,
  416: BadRequestError,
  422: BadRequestError,
  429: RateLimitError,
};

function errorClassFor(status: number, code: ErrorCode): typeof APIError {
  if (code === "idempotency_key_mismatch") return IdempotencyKeyMismatchError;
  if (code === "edit_no_match" || code === "edit_ambiguous") return EditMatchError;
  if (code === "patch_conflict") return PatchConflictError;
  if (code.startsWith("archive_")) return ArchiveRejectedError;
  if (code === "timeout") return TimeoutError;
  if (code === "invalid_request") return BadRequestError;
  return CLASS_BY_STATUS[status] ?? (status >= 500 ? InternalServerError : APIError);
}

/**
 * The body as a problem when it looks like one (an object with a string `code`), else undefined.
 *
 * @example asProblem({ code: "ENOENT", status: 404, retryable: false }) // the same object
 */
export function asProblem(body: unknown): Problem | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const candidate = body as Partial<Problem>;
  if (typeof candidate.code !== "string") return undefined;
  return {
    ...candidate,
    type: candidate.type ?? "about:blank",
    title: candidate.title ?? candidate.code,
    status: candidate.status ?? 0,
    code: candidate.code,
    retryable: candidate.retryable === true,
  };
}

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: "invalid_request",
  401: "unauthorized",
  403: "forbidden",
  404: "route_not_found",
  405: "method_not_allowed",
  408: "timeout",
  409: "conflict",
  412: "precondition_failed",
  413: "payload_too_large",
  415: "unsupported_media_type",
  416: "range_not_satisfiable",
  429: "rate_limited",
  502: "unavailable",
  503: "unavailable",
  504: "unavailable",
};

/** Statuses that mean "try again later" even without a problem body (e.g. from a proxy). */
const TRANSIENT_STATUSES = new Set([429, 502, 503, 504]);

/** A problem for a response whose body was not problem+json (a proxy's page, an empty body, ...). */
function problemFromStatus(response: Response, body: unknown): Problem {
  const { status } = response;
  const text = typeof body === "string" ? body.trim().slice(0, 500) : "";
  return {
    type: "about:blank",
    title: response.statusText || `HTTP ${status}`,
    status,
    code: CODE_BY_STATUS[status] ?? (status >= 500 ? "internal_error" : "invalid_request"),
    retryable: TRANSIENT_STATUSES.has(status),
    ...(text ? { detail: text } : {}),
  };
}
