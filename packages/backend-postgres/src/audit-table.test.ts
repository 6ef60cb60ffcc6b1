/** The audit table: batched rows, NUL-safe, not readable by the per-request role. */
import { describe, expect, it } from "vitest";
import { auditTable } from "./audit-table.js";
import { APP_ROLE } from "./schema.js";
import { useTestDatabase } from "./test-database.js";

const database = useTestDatabase();
const event = (i: number, extra: Record<string, unknown> = {}) => ({
  time: new Date(1_700_000_000_000 + i).toISOString(),
  requestId: `req_${i}`,
  keyId: i % 2 ? `key_${i}` : null,
  tenantId: "t",
  credential: "key",
  operation: "execScript",
  method: "POST",
  sandboxId: "sbx_1",
  path: null,
  status: 200,
  code: null,
  durationMs: 1.5,
  ...extra,
});

describe("auditTable", () => {
  it("writes queued events in one batch, with a hostile NUL made harmless", async () => {
    const sql = database().sql;
    const table = auditTable(sql, { batchMs: 60_000 });
    for (let i = 0; i < 50; i++) table.write(event(i));
    table.write(event(50, { path: "/a\u0000b", status: 400, code: "EINVAL" }));
    await table.close();
    const rows = await sql<Array<{ n: number }>>`SELECT count(*)::int AS n FROM audit_log`;
    expect(rows[0]!.n).toBe(51);
    const [odd] = await sql`SELECT path, status, code FROM audit_log WHERE request_id = 'req_50'`;
    expect(odd).toEqual({ path: "/a\uFFFDb", status: 400, code: "EINVAL" });
  });

  it("is invisible to the per-request role", async () => {
    const sql = database().sql;
    await expect(
      sql.begin(async (tx) => {
        await tx.unsafe(`SET LOCAL ROLE ${APP_ROLE}`);
        return tx`SELECT count(*) FROM audit_log`;
      }),
    ).rejects.toThrow(/permission denied/);
  });
});
