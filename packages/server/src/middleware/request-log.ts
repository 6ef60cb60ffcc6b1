/** One application log line per request at debug, carrying the request id; 5xx at warn. */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env.js";
import type { AppLogger } from "../logger.js";
import type { OperationOf } from "../operations.js";

export function requestLog(logger: AppLogger, operationOf: OperationOf): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    const log = logger.child({ reqId: c.get("requestId") });
    c.set("log", log);
    await next();
    const path = new URL(c.req.url).pathname;
    const status = c.res.status;
    const fields = {
      method: c.req.method,
      path,
      operation: operationOf(c.req.method, path),
      status,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
    };
    if (status >= 500) log.warn(fields, "request failed");
    else log.debug(fields, "request");
  };
}
