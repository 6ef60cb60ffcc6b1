/**
 * The audit log as a table: events are queued and written in batches by the
 * server's own role (a request never waits on its audit row). A failed write
 * is reported and its batch dropped, never retried forever or left to grow.
 */
import type { AuditEvent } from "@cairn/core";
import type { Sql } from "postgres";

/** One event as the server records it (`AuditEvent` of `@cairn/core`). */
export type AuditRow = AuditEvent;

export interface AuditTable {
  /** Queues an event (the sink to hand the server). */
  write(event: AuditRow): void;
  /** Writes what is queued. */
  flush(): Promise<void>;
  /** Flushes and stops the timer. */
  close(): Promise<void>;
}

/** Text Postgres can store: no NUL (a path or id from a hostile request may carry one). */
const clean = (value: string | null) => (value === null ? null : value.replaceAll("\0", "\uFFFD"));

export function auditTable(
  sql: Sql,
  options: { batchMs?: number; maxQueued?: number; onError?: (error: unknown) => void } = {},
): AuditTable {
  const maxQueued = options.maxQueued ?? 10_000;
  const onError =
    options.onError ?? ((error) => console.error("[cairn] audit log write failed", error));
  let queue: AuditRow[] = [];
  let writing: Promise<void> = Promise.resolve();

  const flush = (): Promise<void> => {
    const rows = queue;
    queue = [];
    if (rows.length === 0) return writing;
    writing = writing.then(async () => {
      try {
        await sql`
          INSERT INTO audit_log (time, request_id, key_id, tenant_id, credential, operation, method,
                                 sandbox_id, path, status, code, duration_ms)
          SELECT * FROM unnest(
            ${sql.array(rows.map((r) => r.time))}::timestamptz[],
            ${sql.array(rows.map((r) => clean(r.requestId)!))}::text[],
            ${sql.array(rows.map((r) => clean(r.keyId)))}::text[],
            ${sql.array(rows.map((r) => clean(r.tenantId)))}::text[],
            ${sql.array(rows.map((r) => r.credential))}::text[],
            ${sql.array(rows.map((r) => r.operation))}::text[],
            ${sql.array(rows.map((r) => r.method))}::text[],
            ${sql.array(rows.map((r) => clean(r.sandboxId)))}::text[],
            ${sql.array(rows.map((r) => clean(r.path)))}::text[],
            ${sql.array(rows.map((r) => r.status))}::int[],
            ${sql.array(rows.map((r) => r.code))}::text[],
            ${sql.array(rows.map((r) => r.durationMs))}::real[])`;
      } catch (error) {
        onError(error);
      }
    });
    return writing;
  };
  const timer = setInterval(() => void flush(), options.batchMs ?? 1000);
  timer.unref();
  return {
    write(event) {
      if (queue.length >= maxQueued) return; // storage is down or slow: drop, do not grow
      queue.push(event);
    },
    flush,
    async close() {
      clearInterval(timer);
      await flush();
    },
  };
}
