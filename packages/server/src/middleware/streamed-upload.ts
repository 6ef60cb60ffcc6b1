/**
 * Streamed uploads (archive imports, and sandbox creates with a tar body): bodies
 * too large to hold, read by their route as they arrive. The global body limit and
 * the idempotency fingerprint must not buffer them; instead the bytes the route
 * reads are hashed on the way.
 */
import { createHash, type Hash } from "node:crypto";
import type { Context } from "hono";
import type { AppEnv } from "../env.js";

const STREAMED = /^\/v1\/sandboxes\/[^/]+\/archive\/?$/;
const CREATE = /^\/v1\/sandboxes\/?$/;
const ARCHIVE_TYPES = new Set(["application/x-tar", "application/gzip", "application/x-gzip"]);

/** Whether this request's body is streamed by its route (and must not be buffered). */
export function isStreamedUpload(c: Context): boolean {
  if (c.req.method !== "POST") return false;
  return STREAMED.test(c.req.path) || (CREATE.test(c.req.path) && isArchiveBody(c));
}

/** Whether the body is declared a tar or tar.gz (by its Content-Type). */
export function isArchiveBody(c: Context): boolean {
  const type = (c.req.header("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  return ARCHIVE_TYPES.has(type);
}

/** The request body as the route should read it (hashed when a middleware asked). */
export function uploadBody(c: Context<AppEnv>): ReadableStream<Uint8Array> | null {
  return c.get("uploadBody") ?? c.req.raw.body;
}

/** What was read of a streamed body: its byte count and sha256, and whether it ended. */
export interface BodyDigest {
  bytes: number;
  sha256: string;
  complete: boolean;
}

/**
 * Wraps a body so every chunk a reader pulls is counted and hashed. Pulls one
 * chunk per read (no read-ahead), so the digest covers exactly what was read.
 */
export function digestingBody(body: ReadableStream<Uint8Array>): {
  body: ReadableStream<Uint8Array>;
  digest(): BodyDigest;
} {
  const hash = createHash("sha256");
  let bytes = 0;
  let complete = false;
  const reader = body.getReader();
  const wrapped = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) {
          complete = true;
          controller.close();
          return;
        }
        hash.update(value);
        bytes += value.length;
        controller.enqueue(value);
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  return { body: wrapped, digest: () => ({ bytes, sha256: hash.copy().digest("hex"), complete }) };
}

/**
 * Whether `body` starts with the bytes `digest` describes (and, when that body
 * was read to its end, ends there too). Reads at most `digest.bytes + 1` bytes.
 */
export async function bodyMatches(
  body: ReadableStream<Uint8Array> | null,
  digest: BodyDigest,
): Promise<boolean> {
  const hash: Hash = createHash("sha256");
  let seen = 0;
  let extra = false;
  if (body) {
    const reader = body.getReader();
    try {
      while (seen < digest.bytes) {
        const { done, value } = await reader.read();
        if (done) break;
        const take = Math.min(value.length, digest.bytes - seen);
        hash.update(value.subarray(0, take));
        seen += take;
        if (take < value.length) extra = true;
      }
      if (!extra && digest.complete && seen === digest.bytes) {
        const { done, value } = await reader.read();
        extra = !done && value.length > 0;
      }
    } finally {
      reader.releaseLock();
    }
  }
  if (seen !== digest.bytes || hash.digest("hex") !== digest.sha256) return false;
  return !(digest.complete && extra);
}

/** The digest as stored beside an idempotent response (never replayed as a header). */
export function formatDigest(d: BodyDigest): string {
  return `${d.complete ? "full" : "prefix"} ${d.bytes} ${d.sha256}`;
}

export function parseDigest(text: string | undefined): BodyDigest | undefined {
  const m = /^(full|prefix) (\d+) ([0-9a-f]{64})$/.exec(text ?? "");
  if (!m) return undefined;
  return { complete: m[1] === "full", bytes: Number(m[2]), sha256: m[3] as string };
}
