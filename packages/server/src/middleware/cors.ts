/** CORS for browser apps on other origins: preflights answered before authentication. */
import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import type { AppEnv } from "../env.js";

/** What a browser may send: everything the API reads from a request's headers. */
export const CORS_REQUEST_HEADERS = [
  "Authorization",
  "Content-Type",
  "Idempotency-Key",
  "If-Match",
  "If-None-Match",
  "Range",
  "Last-Event-ID",
];
/** What a browser app may read from an answer besides the CORS-safelisted headers. */
export const CORS_EXPOSED_HEADERS = [
  "ETag",
  "Retry-After",
  "Idempotent-Replayed",
  "X-Request-Id",
  "Content-Range",
  "Content-Disposition",
  "Cairn-Sandbox-Version",
];

/**
 * Allows exactly `origins` (e.g. `https://app.example.com`). A preflight is answered here, so it
 * never meets authentication (a browser sends it without the Authorization header); one from
 * any other origin gets no `Access-Control-Allow-Origin`, and the browser refuses the call.
 */
export function corsFor(origins: readonly string[]): MiddlewareHandler<AppEnv> {
  const allowed = new Set(origins);
  return cors({
    origin: (origin) => (allowed.has(origin) ? origin : null),
    allowMethods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
    allowHeaders: CORS_REQUEST_HEADERS,
    exposeHeaders: CORS_EXPOSED_HEADERS,
    maxAge: 600,
  });
}
