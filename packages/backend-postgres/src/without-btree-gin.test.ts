/**
 * Where btree_gin cannot be created (here: the migrating role may not create extensions in
 * its database), migration 10 says so and keeps migration 6's global trigram index, and
 * grep still finds every match.
 */
import { createHash } from "node:crypto";
import { SandboxService } from "@cairn/core";
import type postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "./migrate.js";
import { createPostgresBackend } from "./postgres-backend.js";
import { createRestrictedDatabase, type RestrictedDatabase, SERVER_ONLY } from "./test-database.js";

describe.skipIf(SERVER_ONLY !== undefined)(
  `migration 10 without btree_gin${SERVER_ONLY ? ` (skipped: ${SERVER_ONLY})` : ""}`,
  () => {
    let db: RestrictedDatabase;
    let sql: postgres.Sql;
    let notices: string[];

    beforeAll(async () => {
      db = await createRestrictedDatabase("nobtree");
      ({ sql, notices } = db);
    }, 60_000);

    afterAll(() => db?.drop());

    it("keeps the global index, says why, and grep still finds the matches", async () => {
      const report = await migrate(sql);
      expect(report.applied.some((name) => /^10: /.test(name))).toBe(true);
      expect(notices.some((n) => /btree_gin or pg_trgm unavailable/.test(n))).toBe(true);
      const indexes = await sql<Array<{ indexname: string }>>`
      SELECT indexname FROM pg_indexes WHERE tablename = 'blob_text' ORDER BY indexname`;
      expect(indexes.map((i) => i.indexname)).toEqual(["blob_text_pkey", "blob_text_trgm"]);

      const backend = createPostgresBackend({ sql });
      const service = new SandboxService({ backend });
      const enc = new TextEncoder();
      const files = Array.from({ length: 50 }, (_, i) => ({
        path: `/f${i}.txt`,
        bytes: enc.encode(i % 10 === 3 ? `x needle_${i}\n` : `hay ${i}\n`),
      }));
      await service.create({ tenantId: "a" }, { files });
      await backend.idle();
      const hashes = files.map((f) => createHash("sha256").update(f.bytes).digest("hex"));
      const found = await backend.grepCandidates!("a", hashes, {
        pattern: "needle_\\d+",
        fixedString: false,
        ignoreCase: false,
      });
      expect([...(found ?? [])].sort()).toEqual([3, 13, 23, 33, 43].map((i) => hashes[i]!).sort());
    }, 60_000);
  },
);
