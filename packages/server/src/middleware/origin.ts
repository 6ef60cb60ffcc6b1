/** Puts who is calling and through which operation on the scope, for the commit log. */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env.js";
import { operationMatcher } from "../operations.js";

/** After auth: `scope.origin` names the operation (from the spec), key, JWT subject and request. */
export function commitOrigin(spec: Record<string, unknown>): MiddlewareHandler<AppEnv> {
  const operationOf = operationMatcher(spec);
  return async (c, next) => {
    const method = c.req.method;
    const path = c.req.path;
    const principal = c.get("principal");
    c.set("scope", {
      ...c.get("scope"),
      origin: {
        operation: operationOf(method, path) ?? "unknown",
        keyId: principal?.keyId ?? null,
        subject: principal?.subject ?? null,
        requestId: c.get("requestId") ?? null,
      },
    });
    await next();
  };
}
