import { describe, expect, it } from "vitest";
import {
  APIError,
  AuthenticationError,
  BadRequestError,
  CairnError,
  ConflictError,
  ConnectionError,
  EditMatchError,
  IdempotencyKeyMismatchError,
  InternalServerError,
  NotFoundError,
  PatchConflictError,
  PermissionDeniedError,
  PreconditionFailedError,
  RateLimitError,
  RequestTimeoutError,
  TimeoutError,
} from "./errors.js";
import type { ErrorCode } from "./types.js";

function problemResponse(status: number, code: ErrorCode, extra: Record<string, unknown> = {}) {
  const body = { type: "about:blank", title: code, status, code, retryable: false, ...extra };
  const headers = { "content-type": "application/problem+json", "x-request-id": "req_header" };
  return { response: new Response(null, { status, headers }), body };
}

describe("APIError.from", () => {
  const cases: [string, { status: number; code: ErrorCode; want: typeof APIError }][] = [
    ["400 invalid_request", { status: 400, code: "invalid_request", want: BadRequestError }],
    ["400 EINVAL", { status: 400, code: "EINVAL", want: BadRequestError }],
    ["413 payload_too_large", { status: 413, code: "payload_too_large", want: BadRequestError }],
    ["415", { status: 415, code: "unsupported_media_type", want: BadRequestError }],
    ["416", { status: 416, code: "range_not_satisfiable", want: BadRequestError }],
    ["401 unauthorized", { status: 401, code: "unauthorized", want: AuthenticationError }],
    ["403 forbidden", { status: 403, code: "forbidden", want: PermissionDeniedError }],
    ["404 ENOENT", { status: 404, code: "ENOENT", want: NotFoundError }],
    ["404 sandbox_not_found", { status: 404, code: "sandbox_not_found", want: NotFoundError }],
    ["408 timeout", { status: 408, code: "timeout", want: TimeoutError }],
    ["409 EEXIST", { status: 409, code: "EEXIST", want: ConflictError }],
    ["409 conflict", { status: 409, code: "conflict", want: ConflictError }],
    ["412", { status: 412, code: "precondition_failed", want: PreconditionFailedError }],
    ["429 rate_limited", { status: 429, code: "rate_limited", want: RateLimitError }],
    ["500 internal_error", { status: 500, code: "internal_error", want: InternalServerError }],
    ["503 unavailable", { status: 503, code: "unavailable", want: InternalServerError }],
    ["405 method_not_allowed", { status: 405, code: "method_not_allowed", want: APIError }],
    ["code timeout wins", { status: 504, code: "timeout", want: TimeoutError }],
    ["invalid_request wins", { status: 422, code: "invalid_request", want: BadRequestError }],
    ["422 EINVAL", { status: 422, code: "EINVAL", want: BadRequestError }],
    [
      "422 idempotency_key_mismatch",
      {
        status: 422,
        code: "idempotency_key_mismatch",
        want: IdempotencyKeyMismatchError,
      },
    ],
    ["422 edit_no_match", { status: 422, code: "edit_no_match", want: EditMatchError }],
    ["422 edit_ambiguous", { status: 422, code: "edit_ambiguous", want: EditMatchError }],
    ["422 patch_conflict", { status: 422, code: "patch_conflict", want: PatchConflictError }],
    ["400 patch_invalid", { status: 400, code: "patch_invalid", want: BadRequestError }],
    [
      "409 idempotency_in_progress",
      { status: 409, code: "idempotency_in_progress", want: ConflictError },
    ],
  ];

  it.each(cases)("%s", (_name, { status, code, want }) => {
    const { response, body } = problemResponse(status, code, {
      detail: "what happened",
      requestId: "req_body",
    });
    const error = APIError.from(response, body);
    expect(error).toBeInstanceOf(want);
    expect(error).toBeInstanceOf(APIError);
    expect(error).toBeInstanceOf(CairnError);
    expect(error.name).toBe(want.name);
    expect(error.status).toBe(status);
    expect(error.code).toBe(code);
    expect(error.requestId).toBe("req_body");
    expect(error.problem).toMatchObject({ code, status, detail: "what happened" });
    expect(error.message).toBe(`${status} ${code}: what happened`);
  });

  it("takes requestId from the x-request-id header when the body has none", () => {
    const { response, body } = problemResponse(404, "ENOENT", { path: "/a.txt" });
    const error = APIError.from(response, body);
    expect(error.requestId).toBe("req_header");
    expect(error.problem.path).toBe("/a.txt");
  });

  it("puts a patch conflict's hunk and path on the PatchConflictError", () => {
    const { response, body } = problemResponse(422, "patch_conflict", { hunk: 3, path: "/a.ts" });
    const error = APIError.from(response, body);
    expect(error).toBeInstanceOf(PatchConflictError);
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error).toMatchObject({ hunk: 3, path: "/a.ts" });

    const whole = problemResponse(422, "patch_conflict", { path: "/gone.ts" });
    expect(APIError.from(whole.response, whole.body)).toMatchObject({
      hunk: undefined,
      path: "/gone.ts",
    });
  });

  it("copies retryable from the problem", () => {
    const { response, body } = problemResponse(409, "conflict", { retryable: true });
    expect(APIError.from(response, body).retryable).toBe(true);
  });

  it("builds a problem from the status when the body is not problem+json", () => {
    const response = new Response(null, { status: 502, statusText: "Bad Gateway" });
    const error = APIError.from(response, "<html>upstream down</html>");
    expect(error).toBeInstanceOf(InternalServerError);
    expect(error).toMatchObject({ status: 502, code: "unavailable", retryable: true });
    expect(error.requestId).toBeUndefined();
    expect(error.problem).toMatchObject({
      title: "Bad Gateway",
      detail: "<html>upstream down</html>",
    });
  });

  it.each([
    [500, undefined, "internal_error", InternalServerError],
    [404, "", "route_not_found", NotFoundError],
    [401, { message: "no" }, "unauthorized", AuthenticationError],
    [418, "teapot", "invalid_request", APIError],
  ] as const)("status %i with body %j gives code %s", (status, body, code, want) => {
    const error = APIError.from(new Response(null, { status }), body);
    expect(error).toBeInstanceOf(want);
    expect(error.code).toBe(code);
    expect(error.retryable).toBe(false);
  });

  it("reads Retry-After seconds into RateLimitError.retryAfter", () => {
    const response = new Response(null, { status: 429, headers: { "retry-after": "7" } });
    const error = APIError.from(response, undefined);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfter).toBe(7);
  });

  it("reads a Retry-After HTTP date into RateLimitError.retryAfter", () => {
    const at = new Date(Date.now() + 30_000).toUTCString();
    const response = new Response(null, { status: 429, headers: { "retry-after": at } });
    const { retryAfter } = APIError.from(response, undefined) as RateLimitError;
    expect(retryAfter).toBeGreaterThan(28);
    expect(retryAfter).toBeLessThanOrEqual(30);
  });
});

describe("APIError.fromProblem", () => {
  it("picks the class from the problem's own status and code", () => {
    const headers = new Headers({ "x-request-id": "req_header" });
    const body = { type: "about:blank", title: "timeout", status: 408, code: "timeout" };
    const error = APIError.fromProblem({ ...body, retryable: false }, headers);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ status: 408, code: "timeout", requestId: "req_header" });
    expect(APIError.fromProblem({ status: 404, code: "ENOENT" }, headers)).toBeInstanceOf(
      NotFoundError,
    );
  });

  it("makes an InternalServerError of something that is not a problem", () => {
    const error = APIError.fromProblem("oops", new Headers());
    expect(error).toBeInstanceOf(InternalServerError);
    expect(error.code).toBe("internal_error");
    expect(error.problem.detail).toContain('"oops"');
  });
});

describe("transport errors", () => {
  it("have the same fields as an APIError: code, status, requestId, retryable, problem", () => {
    const cause = new TypeError("fetch failed");
    const connection = new ConnectionError("Could not reach the server", { cause });
    expect(connection).toBeInstanceOf(CairnError);
    expect(connection).toMatchObject({
      name: "ConnectionError",
      code: "connection_failed",
      status: undefined,
      requestId: undefined,
      retryable: true,
      problem: undefined,
      cause,
    });
    const timeout = new RequestTimeoutError("No response within 5 ms");
    expect(timeout).toBeInstanceOf(ConnectionError);
    expect(timeout).toMatchObject({ name: "RequestTimeoutError", code: "request_timeout" });
  });
});
