/** Counts every request and times it to its response's headers, by operationId and status. */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env.js";
import type { CairnMetrics } from "../metrics/metrics.js";
import type { OperationOf } from "../operations.js";

export function requestMetrics(
  metrics: CairnMetrics,
  operationOf: OperationOf,
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    await next();
    // Paths outside the spec (/mcp, /docs, unknown ones) share one label: no unbounded series.
    const path = c.req.path;
    const operation = operationOf(c.req.method, path) ?? (path === "/mcp" ? "mcp" : "other");
    const labels = { operation, status: String(c.res.status) };
    metrics.requests.inc(labels);
    metrics.requestSeconds.observe(labels, (performance.now() - started) / 1000);
  };
}
