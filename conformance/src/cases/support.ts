/** Helpers shared by case files: raw sandbox creation, byte fixtures, small waits. */
import { createHash } from "node:crypto";
import type { Problem, Sandbox } from "@cairn/spec";
import type { CaseContext } from "../context.js";
import type { ApiResponse } from "../harness/api-response.js";
import type { RequestOptions } from "../harness/request.js";

/** POST /v1/sandboxes as given; a sandbox that does get created is deleted after the case. */
export async function createSandboxRaw(
  ctx: CaseContext,
  options: RequestOptions,
): Promise<ApiResponse> {
  const res = await ctx.request("POST", "/v1/sandboxes", options);
  if (res.status === 201) ctx.deleteLater(res.json<Sandbox>().id);
  return res;
}

/** Every byte value 0–255 once, then a NUL, a CR LF and an invalid UTF-8 sequence. */
export function allBytes(): Uint8Array {
  const bytes = new Uint8Array(256 + 5);
  for (let i = 0; i < 256; i++) bytes[i] = i;
  bytes.set([0, 13, 10, 0xc3, 0x28], 256);
  return bytes;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The quoted lowercase sha256 hex of some bytes, as the spec defines a file's ETag. */
export function sha256Etag(bytes: Uint8Array): string {
  return `"${createHash("sha256").update(bytes).digest("hex")}"`;
}

/**
 * Sends a request until it is not a 409 `conflict` (at most `attempts` times). A conflict must
 * say `retryable: true`; anything else is returned as it is.
 */
export async function retryConflicts(
  send: () => Promise<ApiResponse>,
  attempts = 20,
): Promise<ApiResponse> {
  for (let i = 1; ; i++) {
    const res = await send();
    if (res.status !== 409 || i >= attempts) return res;
    const problem = res.json<Problem>();
    if (problem.code !== "conflict") return res;
    if (problem.retryable !== true)
      throw new Error(`${res.describe()}: a conflict must be retryable`);
    await sleep(5 * i);
  }
}

/** Where scripts of a new sandbox start, and its HOME. */
export const HOME = "/home/user";

/**
 * The root listing of a new sandbox that also holds `names`: every sandbox is
 * created with its home and /tmp (/bin and /usr/bin are seen by scripts only).
 */
export function rootWith(...names: string[]): string[] {
  return [...names, "home", "tmp"].sort();
}
