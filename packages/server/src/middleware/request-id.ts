/** Accepts a sane `x-request-id` or makes one; echoes it on every response. */
import { randomBytes } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env.js";

const SANE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestId(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const given = c.req.header("x-request-id");
    const id = given && SANE_ID.test(given) ? given : `req_${randomBytes(12).toString("hex")}`;
    c.set("requestId", id);
    c.header("x-request-id", id);
    await next();
  };
}
