import { describe, expect, it } from "vitest";
import { ConnectionError } from "../errors.js";
import type { ErrorCode, Problem } from "../types.js";
import { type Attempt, retryDelay } from "./retry.js";

const MAX = 2;
const always = () => 1; // the jitter's upper bound, so delays are the full backoff

function request(method: string, headers: Record<string, string> = {}): Request {
  return new Request("http://cairn.test/v1/sandboxes", { method, headers });
}

function problem(status: number, code: ErrorCode, retryable: boolean): Problem {
  return { type: "about:blank", title: code, status, code, retryable };
}

function answered(
  status: number,
  options: {
    method?: string;
    problem?: Problem;
    headers?: Record<string, string>;
    number?: number;
  } = {},
): Attempt {
  return {
    request: request(options.method ?? "GET"),
    number: options.number ?? 0,
    response: new Response(null, { status, headers: options.headers }),
    problem: options.problem,
  };
}

function failed(method = "GET", headers: Record<string, string> = {}): Attempt {
  return { request: request(method, headers), number: 0, error: new ConnectionError("down") };
}

describe("retryDelay", () => {
  const cases: [string, { given: Attempt; want: number | undefined }][] = [
    ["a connection failure", { given: failed(), want: 500 }],
    ["a 429", { given: answered(429), want: 500 }],
    [
      "a retryable 503",
      { given: answered(503, { problem: problem(503, "unavailable", true) }), want: 500 },
    ],
    [
      "a retryable 409",
      { given: answered(409, { problem: problem(409, "conflict", true) }), want: 500 },
    ],
    ["a gateway 502 without a problem", { given: answered(502), want: 500 }],
    ["a PUT", { given: answered(503, { method: "PUT" }), want: 500 }],
    ["a DELETE", { given: answered(503, { method: "DELETE" }), want: 500 }],
    [
      "a non-retryable 500",
      { given: answered(500, { problem: problem(500, "internal_error", false) }), want: undefined },
    ],
    [
      "a non-retryable 409",
      { given: answered(409, { problem: problem(409, "EEXIST", false) }), want: undefined },
    ],
    [
      "a retryable 400 (only 409/5xx count)",
      { given: answered(400, { problem: problem(400, "EINVAL", true) }), want: undefined },
    ],
    ["a 404", { given: answered(404), want: undefined }],
    ["a 500 without a problem", { given: answered(500), want: undefined }],
    ["a POST that failed to connect", { given: failed("POST"), want: undefined }],
    ["a POST answered 503", { given: answered(503, { method: "POST" }), want: undefined }],
    [
      "a POST with an Idempotency-Key",
      { given: failed("POST", { "Idempotency-Key": "k1" }), want: 500 },
    ],
    ["a PATCH that failed to connect", { given: failed("PATCH"), want: undefined }],
    [
      "a PATCH with an Idempotency-Key",
      { given: failed("PATCH", { "Idempotency-Key": "k1" }), want: 500 },
    ],
    ["the last allowed attempt", { given: answered(503, { number: MAX }), want: undefined }],
    [
      "Retry-After seconds",
      { given: answered(429, { headers: { "retry-after": "3" } }), want: 3000 },
    ],
    ["Retry-After 0", { given: answered(503, { headers: { "retry-after": "0" } }), want: 0 }],
    [
      "a Retry-After over a minute",
      { given: answered(429, { headers: { "retry-after": "61" } }), want: undefined },
    ],
  ];

  it.each(cases)("%s", (_name, { given, want }) => {
    expect(retryDelay(given, MAX, always)).toBe(want);
  });

  it("honours a Retry-After HTTP date", () => {
    const at = new Date(Date.now() + 5_000).toUTCString();
    const delay = retryDelay(answered(503, { headers: { "retry-after": at } }), MAX, always);
    expect(delay).toBeGreaterThan(3_000);
    expect(delay).toBeLessThanOrEqual(5_000);
  });

  it("backs off 0.5 s × 2ⁿ capped at 8 s", () => {
    const delays = [0, 1, 2, 3, 4, 5, 9].map((number) =>
      retryDelay(answered(503, { number }), 100, always),
    );
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 8000, 8000]);
  });

  it("applies full jitter: anywhere from 0 up to the backoff", () => {
    expect(retryDelay(answered(503, { number: 3 }), MAX + 5, () => 0)).toBe(0);
    expect(retryDelay(answered(503, { number: 3 }), MAX + 5, () => 0.25)).toBe(1000);
  });
});
