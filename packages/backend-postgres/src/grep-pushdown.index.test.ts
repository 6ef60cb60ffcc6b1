/**
 * The pushdown must really use the trigram index, also as the row-level-
 * security-bound app role (where a plain `body ~ regex` cannot: the regex
 * operator is not leakproof, so Postgres would read every row).
 */
import { SandboxService } from "@cairn/core";
import { describe, expect, it } from "vitest";
import { createPostgresBackend } from "./postgres-backend.js";
import { useTestDatabase } from "./test-database.js";

describe("grep candidates", () => {
  const db = useTestDatabase();

  it("come from the trigram index, for the caller's tenant only", async () => {
    const backend = createPostgresBackend({ sql: db().sql });
    const service = new SandboxService({ backend });
    const enc = new TextEncoder();
    const files = Array.from({ length: 200 }, (_, i) => ({
      path: `/f${i}.txt`,
      bytes: enc.encode(i === 7 ? "needle_here\n" : `hay ${i}\n`),
    }));
    await service.create({ tenantId: "a" }, { files });
    await service.create(
      { tenantId: "b" },
      { files: [{ path: "/n", bytes: enc.encode("needle_b\n") }] },
    );
    await backend.idle?.();
    const scans = async () => {
      const [row] = await db().sql<Array<{ n: string }>>`
        SELECT idx_scan::text AS n FROM pg_stat_user_indexes WHERE indexrelname = 'blob_text_tenant_trgm'`;
      return Number(row?.n ?? 0);
    };
    const before = await scans();
    const { createHash } = await import("node:crypto");
    const hashes = files.map((f) => createHash("sha256").update(f.bytes).digest("hex"));
    const bHash = createHash("sha256").update(enc.encode("needle_b\n")).digest("hex");
    const found = await backend.grepCandidates!("a", [...hashes, bHash], {
      pattern: "needle",
      fixedString: true,
      ignoreCase: false,
    });
    // Tenant a's 199 hay files are ruled out, and so is tenant b's blob: a does not store it
    // (blobs are per tenant), so a could not read it anyway.
    expect([...(found ?? [])]).toEqual([hashes[7]!]);
    // Index statistics reach the view when the pool's session reports them (about a second).
    let after = await scans();
    for (let i = 0; i < 50 && after === before; i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = await scans();
    }
    expect(after).toBeGreaterThan(before);
  }, 30_000);
});
