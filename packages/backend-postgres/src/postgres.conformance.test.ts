/**
 * The whole conformance suite on PostgreSQL (the machine's server, a fresh database),
 * and the inventory of the statements it made the backend send: each one reaches a
 * tenant table through an index condition with a tenant equality, or is a documented
 * exception (see docs/tenancy.md).
 */
import { describeConformance } from "@cairn/conformance/vitest";
import { describe, expect, it } from "vitest";
import { createPostgresBackend } from "./postgres-backend.js";
import { type StatementEntry, tenantTablesOf, traceStatements } from "./statement-inventory.js";
import { createTestDatabase, SERVER_ONLY } from "./test-database.js";

let inventory: (() => StatementEntry[]) | undefined;

describeConformance({
  name: "postgres backend",
  createBackend: async () => {
    const db = await createTestDatabase();
    const traced = traceStatements(db.url, await tenantTablesOf(db.sql));
    inventory = traced.entries;
    const backend = createPostgresBackend({ sql: traced.sql });
    return {
      ...backend,
      close: async () => {
        await backend.close?.();
        await db.drop();
      },
    };
  },
});

describe.skipIf(SERVER_ONLY !== undefined)(
  `statement inventory of the conformance run${SERVER_ONLY ? ` (skipped: ${SERVER_ONLY})` : ""}`,
  () => {
    it("every statement on tenant data carries a tenant equality the planner uses", () => {
      const entries = inventory?.() ?? [];
      const tenantStatements = entries.filter((e) => e.tables.length > 0);
      // The run must have exercised the backend for the check to mean anything.
      expect(tenantStatements.length).toBeGreaterThan(20);
      // Problems are about tenant tables only: the control plane's own tables (keys looked up
      // before the tenant is known, tenants managed by an admin) are the documented exception,
      // but a control-plane statement that reads tenant data (is the tenant empty?) obeys the rule.
      const broken = entries.filter((e) => e.problems.length > 0);
      expect(broken.map((e) => ({ text: e.text, problems: e.problems }))).toEqual([]);
      console.log(
        `${entries.length} distinct statements: ${tenantStatements.length} on tenant tables, ` +
          `${entries.filter((e) => e.controlPlane.length > 0).length} on the control plane, ` +
          `${entries.filter((e) => e.tables.length === 0 && e.controlPlane.length === 0).length} on no table`,
      );
    });
  },
);
