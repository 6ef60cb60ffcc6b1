/** Assertions for cases: statuses, problem details and byte-exact comparisons. */
import assert from "node:assert/strict";
import type { ErrorCode, Problem } from "@cairn/spec";
import type { ApiResponse } from "./api-response.js";
import { preview } from "./errors.js";

export { assert };

/** Fails unless the response has one of the statuses; the message shows the body. */
export function expectStatus(res: ApiResponse, ...statuses: number[]): void {
  if (statuses.includes(res.status)) return;
  assert.fail(
    `${res.describe()}, expected ${statuses.join(" or ")}\n  body: ${preview(res.bytes) || "(empty)"}`,
  );
}

/**
 * Fails unless the response is a problem with this HTTP status, a matching `status` member, and
 * (when given) one of the codes. Returns the problem.
 */
export function expectProblem(
  res: ApiResponse,
  status: number,
  code?: ErrorCode | readonly ErrorCode[],
): Problem {
  expectStatus(res, status);
  const contentType = res.header("content-type") ?? "";
  assert.match(contentType, /^application\/problem\+json/i, `${res.describe()}: Content-Type`);
  const problem = res.json<Problem>();
  assert.equal(
    problem.status,
    status,
    `${res.describe()}: problem.status should equal the HTTP status`,
  );
  if (code !== undefined) {
    const codes: readonly ErrorCode[] = typeof code === "string" ? [code] : code;
    assert.ok(
      codes.includes(problem.code),
      `${res.describe()}: expected code ${codes.join(" or ")}, got ${problem.code}` +
        (problem.detail ? ` (${problem.detail})` : ""),
    );
  }
  return problem;
}

/** Byte-exact comparison that reports the first differing offset instead of dumping arrays. */
export function expectBytes(actual: Uint8Array, expected: Uint8Array, what: string): void {
  const n = Math.min(actual.byteLength, expected.byteLength);
  let i = 0;
  while (i < n && actual[i] === expected[i]) i++;
  if (i === n && actual.byteLength === expected.byteLength) return;
  const detail =
    i < n
      ? `first difference at byte ${i}: got 0x${actual[i]?.toString(16)}, expected 0x${expected[i]?.toString(16)}`
      : "one is a prefix of the other";
  assert.fail(
    `${what}: got ${actual.byteLength} bytes, expected ${expected.byteLength}; ${detail}`,
  );
}

/** UTF-8 bytes of a string. */
export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** Compares strings by Unicode code point (UTF-8 byte order), not by UTF-16 code unit. */
export function compareCodePoints(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}
