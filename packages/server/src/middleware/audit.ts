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
import { operationMatcher } from "../operations.js";
import { toProblemError } from "../problem.js";

export type { AuditEvent };
export type AuditSink = (event: AuditEvent) => void;

/**
 * JSON lines on standard output, one per request. The lines of one event-loop turn go out in
 * one write (a write per request cost ~10 % of a busy server's reads); the process's exit
 * writes what is left.
 */
export const stdoutAuditSink: AuditSink = (event) => {
  if (pendingAudit.length === 0) {
    setImmediate(flushAudit);
    if (!flushOnExit) {
      flushOnExit = true;
      process.once("exit", flushAudit);
    }
  }
  pendingAudit.push(`${JSON.stringify({ audit: event })}\n`);
};

let pendingAudit: string[] = [];
let flushOnExit = false;

function flushAudit(): void {
  if (pendingAudit.length === 0) return;
  const lines = pendingAudit.join("");
  pendingAudit = [];
  process.stdout.write(lines);
}

/** `spec`: the parsed OpenAPI document, when the caller has it already (parsing takes ~0.1 s). */
export function audit(
  sink: AuditSink,
  spec: Record<string, unknown> = loadSpec(),
): MiddlewareHandler<AppEnv> {
  const operationOf = operationMatcher(spec);
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
      operation: operationOf(method, url.pathname) ?? "unknown",
      method,
      sandboxId: /^\/v1\/sandboxes\/([^/]+)/.exec(url.pathname)?.[1] ?? null,
      path: url.searchParams.get("path"),
      status: c.res.status,
      code,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
    });
  };
}
