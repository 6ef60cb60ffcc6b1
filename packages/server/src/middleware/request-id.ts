/** Accepts a sane `x-request-id` or makes one; echoes it on every response. */
import { randomUUID } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env.js";

const SANE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * `req_` and 24 random hex digits. From randomUUID, which draws on a cached pool of random
 * bytes: randomBytes asks OpenSSL on every call, ~10 µs per request.
 */
function newRequestId(): string {
  return `req_${randomUUID().replaceAll("-", "").slice(0, 24)}`;
}

export function requestId(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const given = c.req.header("x-request-id");
    const id = given && SANE_ID.test(given) ? given : newRequestId();
    c.set("requestId", id);
    c.header("x-request-id", id);
    await next();
  };
}
