/** The inventory's rule tells statements bounded by tenant from those that are not. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APP_ROLE } from "./schema.js";
import { type StatementEntry, tenantTablesOf, traceStatements } from "./statement-inventory.js";
import { SERVER_ONLY, useTestDatabase } from "./test-database.js";

describe.skipIf(SERVER_ONLY !== undefined)(
  `statement inventory${SERVER_ONLY ? ` (skipped: ${SERVER_ONLY})` : ""}`,
  () => {
    const db = useTestDatabase();
    let traced: ReturnType<typeof traceStatements>;
    beforeAll(async () => {
      traced = traceStatements(db().url, await tenantTablesOf(db().sql), { max: 1 });
    });
    afterAll(() => traced?.sql.end());

    const entry = (fragment: string): StatementEntry | undefined =>
      traced.entries().find((e) => e.text.includes(fragment));

    it("passes a statement with its own tenant equality, and flags one bounded only by the policy", async () => {
      await traced.sql.begin(async (tx) => {
        await tx`SELECT set_config('role', ${APP_ROLE}, true), set_config('cairn.tenant_id', 't1', true)`;
        await tx`SELECT ino FROM inodes WHERE tenant_id = ${"t1"} AND sandbox_id = ${"s"} /* own */`;
        // A handler that forgot the tenant: row-level security still bounds it, but Citus could
        // not route it, so the inventory refuses it.
        await tx`SELECT ino FROM inodes WHERE sandbox_id = ${"s"} /* forgetful */`;
      });
      expect(entry("/* own */")?.problems).toEqual([]);
      expect(entry("/* own */")?.tables).toEqual(["inodes"]);
      expect(entry("/* forgetful */")?.problems).toEqual([
        "inodes reached only through the row-level security policy's tenant",
      ]);
    });

    it("flags a scan no tenant index can serve, and an insert whose tenant is not a parameter", async () => {
      await traced.sql`SELECT name FROM dentries WHERE name = ${"x"} /* by name */`;
      await traced.sql`INSERT INTO blob_text (hash, tenant_id, body) SELECT 'h', 't', 'b' WHERE false /* insert */`;
      // (With sequential scans priced out, Postgres walks the whole primary key instead.)
      expect(entry("/* by name */")?.problems).toEqual([
        expect.stringMatching(/ of dentries without a tenant equality in its index condition$/),
      ]);
      expect(entry("/* insert */")?.problems).toEqual([
        "INSERT INTO blob_text without tenant_id from a parameter first",
      ]);
    });
  },
);
