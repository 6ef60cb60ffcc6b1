/** Bearer API key authentication, compared in constant time. */
import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import type { AppEnv, Principal } from "../env.js";
import { ProblemError } from "../problem.js";

const digest = (value: string) => createHash("sha256").update(value).digest();

/** The single tenant every key maps to until multi-tenant keys exist. */
export const DEFAULT_TENANT = "default";

export function bearerAuth(apiKey: string): MiddlewareHandler<AppEnv> {
  const expected = digest(apiKey);
  return async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match || !timingSafeEqual(digest(match[1]!), expected)) {
      throw new ProblemError(
        401,
        "unauthorized",
        match ? "invalid API key" : "missing bearer API key",
        {
          headers: { "WWW-Authenticate": 'Bearer realm="cairn"' },
        },
      );
    }
    c.set("scope", { tenantId: DEFAULT_TENANT });
    c.set("principal", STATIC_PRINCIPAL);
    await next();
  };
}

/** The server's single static key: the default tenant, full access to its sandboxes. */
export const STATIC_PRINCIPAL: Principal = Object.freeze({
  keyId: null,
  tenantId: DEFAULT_TENANT,
  scopes: Object.freeze(["tenant"]),
  sandboxIds: null,
  kind: "static",
});

/** No authentication: the default tenant, as with the static key. */
export const ANONYMOUS_PRINCIPAL: Principal = Object.freeze({ ...STATIC_PRINCIPAL, kind: "none" });

/** Authentication turned off: every request acts as the default tenant. */
export function noAuth(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set("scope", { tenantId: DEFAULT_TENANT });
    c.set("principal", ANONYMOUS_PRINCIPAL);
    await next();
  };
}
