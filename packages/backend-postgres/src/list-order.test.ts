/**
 * Listing order past a change in the number of digits of `seq`: the cursor column is read as
 * text, and ordering by that alias once sorted "9" above "10" (found by the conformance fuzz,
 * which creates enough sandboxes to cross it).
 */
import { SandboxService } from "@cairn/core";
import { expect, it } from "vitest";
import { createPostgresBackend } from "./postgres-backend.js";
import { useTestDatabase } from "./test-database.js";

const database = useTestDatabase();

it("lists newest first, page by page, when seq crosses 99 → 100", async () => {
  const sql = database().sql;
  await sql`SELECT setval('sandboxes_seq_seq', 95)`;
  const backend = createPostgresBackend({ sql });
  const service = new SandboxService({ backend });
  const scope = { tenantId: "order" };
  const ids: string[] = [];
  for (let i = 0; i < 10; i++) ids.push((await service.create(scope)).id);
  const seen: string[] = [];
  let after: string | undefined;
  do {
    const page = await backend.listSandboxes(scope.tenantId, { limit: 1, after });
    seen.push(...page.items.map((s) => s.id));
    after = page.next ?? undefined;
  } while (after);
  expect(seen).toEqual([...ids].reverse());
});
