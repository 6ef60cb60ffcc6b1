/** One application log line per request at debug, carrying the request id; 5xx at warn. */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env.js";
import type { AppLogger } from "../logger.js";
import type { OperationOf } from "../operations.js";

export function requestLog(logger: AppLogger, operationOf: OperationOf): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    const log = withRequestId(logger, c.get("requestId"));
    c.set("log", log);
    await next();
    const status = c.res.status;
    if (status < 500 && logger.isLevelEnabled?.("debug") === false) return;
    const line = status >= 500 ? log.warn : log.debug;
    line(
      {
        method: c.req.method,
        path: c.req.path,
        operation: operationOf(c.req.method, c.req.path),
        status,
        durationMs: Math.round((performance.now() - started) * 100) / 100,
      },
      status >= 500 ? "request failed" : "request",
    );
  };
}

/**
 * The logger with the request id on every line. Not `child()`: pino builds a child's
 * serializers up front, a cost per request even when nothing is logged.
 */
function withRequestId(logger: AppLogger, reqId: string): AppLogger {
  const bound = { reqId };
  return {
    error: (fields, message) => logger.error({ ...bound, ...fields }, message),
    warn: (fields, message) => logger.warn({ ...bound, ...fields }, message),
    info: (fields, message) => logger.info({ ...bound, ...fields }, message),
    debug: (fields, message) => logger.debug({ ...bound, ...fields }, message),
    child: (bindings) => logger.child({ ...bound, ...bindings }),
  };
}
