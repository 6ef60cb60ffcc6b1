/**
 * Whether cached trees are current: sandbox versions read in one round trip, with the probes
 * that arrive while others are on their way sent together. At most two queries are in flight;
 * a probe that finds both slots taken joins the next batch, which goes out when one answers.
 * A probe joins only a batch that has not been sent, so its answer is never older than its
 * request (strong consistency across replicas holds). An idle server sends each probe at once;
 * a busy one sends one query for many requests instead of one each.
 */
import { LIVE, literal } from "./rows.js";
import { APP_ROLE } from "./schema.js";

/** Runs a simple (multi-statement) query and gives each statement's rows. */
export type SimpleQuery = (text: string) => Promise<ReadonlyArray<ReadonlyArray<unknown>>>;

/** Probes per batch at most; a full batch goes out whatever is in flight. */
const MAX_BATCH = 256;
/** Queries in flight at once, unless a batch is full. */
const MAX_IN_FLIGHT = 2;

interface Waiter {
  resolve(version: number | undefined): void;
  reject(error: unknown): void;
}

export function versionProbe(
  query: SimpleQuery,
): (tenantId: string, id: string) => Promise<number | undefined> {
  /** The batch not yet sent: waiters by tenant, then by sandbox id. */
  let waiting = new Map<string, Map<string, Waiter[]>>();
  let size = 0;
  let inFlight = 0;

  function flush(): void {
    if (size === 0) return;
    const batch = waiting;
    waiting = new Map();
    size = 0;
    inFlight++;
    void send(batch).finally(() => {
      inFlight--;
      if (inFlight < MAX_IN_FLIGHT) flush();
    });
  }

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
      let ids = waiting.get(tenantId);
      if (!ids) {
        ids = new Map();
        waiting.set(tenantId, ids);
      }
      const waiters = ids.get(id);
      if (waiters) waiters.push({ resolve, reject });
      else ids.set(id, [{ resolve, reject }]);
      size++;
      if (inFlight < MAX_IN_FLIGHT || size >= MAX_BATCH) flush();
    });
}
