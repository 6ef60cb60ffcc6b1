/**
 * Whether cached trees are current: the versions of the sandboxes that requests of one
 * event-loop turn ask about, read in one round trip. A probe joins only a batch that has not
 * been sent, so its answer is never older than its request (strong consistency across
 * replicas holds); a busy server sends one query per turn instead of one per request.
 */
import { LIVE, literal } from "./rows.js";
import { APP_ROLE } from "./schema.js";

/** Runs a simple (multi-statement) query and gives each statement's rows. */
export type SimpleQuery = (text: string) => Promise<ReadonlyArray<ReadonlyArray<unknown>>>;

/** Probes per batch at most; more start the next batch. */
const MAX_BATCH = 256;

interface Waiter {
  resolve(version: number | undefined): void;
  reject(error: unknown): void;
}

export function versionProbe(
  query: SimpleQuery,
): (tenantId: string, id: string) => Promise<number | undefined> {
  /** The batch not yet sent: waiters by tenant, then by sandbox id. */
  let open: Map<string, Map<string, Waiter[]>> | undefined;
  let size = 0;

  async function send(batch: Map<string, Map<string, Waiter[]>>): Promise<void> {
    // One implicit transaction: the role holds for all of it, each tenant's setting until the
    // next one, and none of it outlives the query (row-level security applies throughout).
    try {
      const statements = [`SELECT set_config('role', '${APP_ROLE}', true)`];
      for (const [tenantId, ids] of batch) {
        const tenant = literal(tenantId);
        statements.push(
          `SELECT set_config('cairn.tenant_id', ${tenant}, true)`,
          `SELECT id, version::float8 AS version FROM sandboxes
           WHERE tenant_id = ${tenant} AND id IN (${[...ids.keys()].map(literal).join(", ")}) AND ${LIVE}`,
        );
      }
      const results = await query(statements.join(";\n"));
      let at = 2;
      for (const ids of batch.values()) {
        const rows = results[at] as ReadonlyArray<{ id: string; version: number }>;
        at += 2;
        const versions = new Map(rows.map((r) => [r.id, r.version]));
        for (const [id, waiters] of ids) for (const w of waiters) w.resolve(versions.get(id));
      }
    } catch (error) {
      for (const ids of batch.values())
        for (const waiters of ids.values()) for (const w of waiters) w.reject(error);
    }
  }

  return (tenantId, id) =>
    new Promise((resolve, reject) => {
      // Refused here (NUL), so that one bad value cannot fail the batch.
      literal(tenantId);
      literal(id);
      if (!open || size >= MAX_BATCH) {
        const batch = new Map<string, Map<string, Waiter[]>>();
        open = batch;
        size = 0;
        // After this turn's I/O callbacks: every request read in this turn joins the batch.
        setImmediate(() => {
          if (open === batch) open = undefined;
          void send(batch);
        });
      }
      let ids = open.get(tenantId);
      if (!ids) {
        ids = new Map();
        open.set(tenantId, ids);
      }
      const waiters = ids.get(id);
      if (waiters) waiters.push({ resolve, reject });
      else ids.set(id, [{ resolve, reject }]);
      size++;
    });
}
