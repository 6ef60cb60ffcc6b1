/**
 * Where btree_gin cannot be created (here: the migrating role may not create extensions in
 * its database), migration 10 says so and keeps migration 6's global trigram index, and
 * grep still finds every match.
 */
import { createHash, randomBytes } from "node:crypto";
import { SandboxService } from "@cairn/core";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "./connect.js";
import { migrate } from "./migrate.js";
import { createPostgresBackend } from "./postgres-backend.js";
import { APP_ROLE } from "./schema.js";
import { ADMIN_URL, SERVER_ONLY, urlFor } from "./test-database.js";

const suffix = randomBytes(6).toString("hex");
const database = `cairn_test_nobtree_${suffix}`;
const role = `cairn_nobtree_${suffix}`;

describe.skipIf(SERVER_ONLY !== undefined)(
  `migration 10 without btree_gin${SERVER_ONLY ? ` (skipped: ${SERVER_ONLY})` : ""}`,
  () => {
    const notices: string[] = [];
    let sql: postgres.Sql;

    beforeAll(async () => {
      const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
      try {
        await admin.unsafe(`CREATE DATABASE ${database}`);
        await admin.unsafe(`CREATE ROLE ${role} LOGIN`);
        await admin.unsafe(`DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${APP_ROLE}') THEN
          CREATE ROLE ${APP_ROLE} NOLOGIN;
        END IF;
      EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`);
        await admin.unsafe(`GRANT ${APP_ROLE} TO ${role}`);
      } finally {
        await admin.end();
      }
      // In the new database: pg_trgm is there (an admin installed it), the role owns the schema
      // but has no CREATE on the database, so it cannot create btree_gin (a trusted extension).
      const inDb = postgres(urlFor(database), { max: 1, onnotice: () => {} });
      try {
        await inDb.unsafe(`CREATE EXTENSION pg_trgm; ALTER SCHEMA public OWNER TO ${role}`);
      } finally {
        await inDb.end();
      }
      const url = new URL(urlFor(database));
      url.username = role;
      sql = connect(url.toString(), { max: 2, onNotice: (message) => notices.push(message) });
    }, 60_000);

    afterAll(async () => {
      await sql?.end({ timeout: 5 }).catch(() => {});
      const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
      await admin.unsafe(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.unsafe(`DROP ROLE IF EXISTS ${role}`);
      await admin.end();
    });

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
