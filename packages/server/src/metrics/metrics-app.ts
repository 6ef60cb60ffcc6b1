/** The scrape endpoint, `GET /metrics`, as an app of its own: served on its own port, off the API. */
import { timingSafeEqual } from "node:crypto";
import { Hono } from "hono";
import type { CairnMetrics } from "./metrics.js";

export interface MetricsAppOptions {
  /** When set, scrapes must send `Authorization: Bearer <token>`. */
  token?: string;
}

/**
 * @example
 * const metrics = createMetrics();
 * await startServer({ app: metricsApp(metrics), port: 9464 });
 */
export function metricsApp(metrics: CairnMetrics, options: MetricsAppOptions = {}): Hono {
  const expected = options.token ? Buffer.from(`Bearer ${options.token}`) : undefined;
  return new Hono().get("/metrics", async (c) => {
    if (expected) {
      const given = Buffer.from(c.req.header("authorization") ?? "");
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        return c.text("unauthorized\n", 401, { "WWW-Authenticate": "Bearer" });
      }
    }
    const text = await metrics.registry.metrics();
    return c.body(text, 200, { "Content-Type": metrics.registry.contentType });
  });
}
