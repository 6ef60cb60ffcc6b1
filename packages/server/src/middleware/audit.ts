/**
 * The audit log: one event per API request saying who (key, tenant) did what
 * (operation, sandbox, path) with what outcome (status, error code) and how
 * long it took. Never the content, never a key's secret. Requests refused
 * before they were authenticated are logged too, with no key.
 */
import type { AuditEvent } from "@cairn/core";
import { loadSpec } from "@cairn/spec";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env.js";
import { toProblemError } from "../problem.js";

export type { AuditEvent };
export type AuditSink = (event: AuditEvent) => void;

/** JSON lines on standard output, one per request. */
export const stdoutAuditSink: AuditSink = (event) => {
  process.stdout.write(`${JSON.stringify({ audit: event })}\n`);
};

export interface Route {
  method: string;
  pattern: RegExp;
  operationId: string;
}

/** Every operation in the spec as a method and a path pattern. */
export function specRoutes(document: Record<string, unknown>): Route[] {
  const spec = document as { paths?: Record<string, Record<string, { operationId?: string }>> };
  const routes: Route[] = [];
  for (const [template, item] of Object.entries(spec.paths ?? {})) {
    const source = template
      .split(/\{[^}]+\}/)
      .map((part) => part.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&"))
      .join("[^/]+");
    for (const [method, op] of Object.entries(item)) {
      if (typeof op?.operationId !== "string") continue;
      routes.push({
        method: method.toUpperCase(),
        pattern: new RegExp(`^${source}$`),
        operationId: op.operationId,
      });
    }
  }
  return routes;
}

/** `spec`: the parsed OpenAPI document, when the caller has it already (parsing takes ~0.1 s). */
export function audit(
  sink: AuditSink,
  spec: Record<string, unknown> = loadSpec(),
): MiddlewareHandler<AppEnv> {
  const routes = specRoutes(spec);
  return async (c, next) => {
    const started = performance.now();
    await next();
    const url = new URL(c.req.url);
    const principal = c.get("principal");
    const method = c.req.method;
    // The problem's code from the error that became it (never by re-reading the body).
    const code = c.error ? toProblemError(c.error).code : null;
    sink({
      time: new Date().toISOString(),
      requestId: c.get("requestId"),
      keyId: principal?.keyId ?? null,
      tenantId: principal?.tenantId ?? c.get("scope")?.tenantId ?? null,
      credential: principal?.kind ?? "none",
      operation:
        routes.find((r) => r.method === method && r.pattern.test(url.pathname))?.operationId ??
        "unknown",
      method,
      sandboxId: /^\/v1\/sandboxes\/([^/]+)/.exec(url.pathname)?.[1] ?? null,
      path: url.searchParams.get("path"),
      status: c.res.status,
      code,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
    });
  };
}
