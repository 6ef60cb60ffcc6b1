/**
 * A tenant's grep and search candidate lookups cost what its own data costs: the
 * rows and buffers the planner reports stay flat while another tenant's matching
 * rows grow from 0 to 100,000.
 */
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { candidateHashes, toPostgresRegex } from "./grep-pushdown.js";
import { APP_ROLE } from "./schema.js";
import { SERVER_ONLY, useTestDatabase } from "./test-database.js";

const MINE = "mine";
const NEIGHBOUR = "neighbour";
const MY_FILES = 2000;
/** Of my files, those holding `RARE_xxxx` (every 118th: 16 of 2000). */
const MY_MATCHES = Math.floor(MY_FILES / 118);

const LOOKUPS = [
  {
    name: "grep literal",
    regex: toPostgresRegex({ pattern: "RARE_", fixedString: true, ignoreCase: false }),
  },
  {
    name: "grep regex",
    regex: toPostgresRegex({ pattern: "RARE_[0-9a-f]{4}", fixedString: false, ignoreCase: false }),
  },
  // What search sends: its words, case-insensitive, as alternatives.
  {
    name: "search words",
    regex: toPostgresRegex({ pattern: "rare|zebra", fixedString: false, ignoreCase: true }),
  },
];

/** A plan node of EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON), as auto_explain logs it. */
interface PlanNode {
  "Node Type": string;
  "Index Name"?: string;
  "Actual Rows": number;
  "Actual Loops": number;
  "Rows Removed by Filter"?: number;
  "Rows Removed by Index Recheck"?: number;
  "Shared Hit Blocks": number;
  "Shared Read Blocks": number;
  Plans?: PlanNode[];
}

interface Cost {
  /** Rows produced or thrown away by every node of every statement, the function's included. */
  rows: number;
  /** Shared buffers touched by the statement (hit or read), the function's included. */
  buffers: number;
  /** Indexes the statements scanned. */
  indexes: string[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

describe.skipIf(SERVER_ONLY !== undefined)(
  `candidate lookups bounded by tenant${SERVER_ONLY ? ` (skipped: ${SERVER_ONLY})` : ""}`,
  () => {
    const db = useTestDatabase();
    /** One session with auto_explain: it reports the plans of the statement and of the function inside it. */
    let traced: postgres.Sql;
    const plans: Array<{ query: string; plan: PlanNode }> = [];

    beforeAll(async () => {
      traced = postgres(db().url, {
        max: 1,
        onnotice: (notice) => {
          const text = String(notice.message ?? "");
          const at = text.indexOf("{");
          if (!text.includes("plan:") || at < 0) return;
          const logged = JSON.parse(text.slice(at)) as { "Query Text": string; Plan: PlanNode };
          plans.push({ query: logged["Query Text"], plan: logged.Plan });
        },
      });
      await traced.unsafe(`LOAD 'auto_explain';
      SET auto_explain.log_min_duration = 0; SET auto_explain.log_analyze = on;
      SET auto_explain.log_buffers = on; SET auto_explain.log_format = 'json';
      SET auto_explain.log_nested_statements = on; SET client_min_messages = log`);
      // My text: 2,000 indexed blobs of ~1 KB, 16 holding RARE_xxxx; plus 5 binary blobs.
      await db().sql`
      INSERT INTO blobs (tenant_id, hash, size, content, text_state)
      SELECT ${MINE}, 'm' || i, 1, '\\x00', CASE WHEN i <= ${MY_FILES} THEN 'i' ELSE 'n' END::"char"
      FROM generate_series(1, ${MY_FILES + 5}::int) i`;
      await db().sql`
      INSERT INTO blob_text (tenant_id, hash, body)
      SELECT ${MINE}, 'm' || i,
        (SELECT string_agg(md5(i || '-' || j), ' ') FROM generate_series(1, 30) j)
        || CASE WHEN i % 118 = 0 THEN ' RARE_' || substr(md5(i::text), 1, 4) ELSE '' END
      FROM generate_series(1, ${MY_FILES}::int) i`;
    }, 120_000);
    afterAll(() => traced?.end());

    /** Runs the statement the backend sends, as the row-level-security-bound app role. */
    async function lookup(regex: string): Promise<{ found: Set<string>; cost: Cost }> {
      const hashes = Array.from({ length: MY_FILES + 5 }, (_, i) => `m${i + 1}`);
      // Twice: the second run is measured (the first may also read catalogs or plan).
      let found = new Set<string>();
      for (let run = 0; run < 2; run++) {
        plans.length = 0;
        found = (await traced.begin(async (tx) => {
          await tx`SELECT set_config('role', ${APP_ROLE}, true), set_config('cairn.tenant_id', ${MINE}, true)`;
          plans.length = 0;
          return candidateHashes(tx, MINE, hashes, regex);
        })) as Set<string>;
      }
      const statements = plans.filter((p) => /blob_text|cairn_grep_candidates/.test(p.query));
      expect(statements.length).toBeGreaterThanOrEqual(2); // the statement and the function's query
      const all = statements.flatMap((s) => nodes(s.plan));
      // Buffers are cumulative per node: the top nodes hold their statement's total. The
      // function's own statement is counted inside the outer one's Function Scan as well, so
      // count the outer statement's top node only.
      const outer = statements.find((s) => s.query.includes("UNION ALL"))!;
      return {
        found,
        cost: {
          rows: all.reduce(
            (n, p) =>
              n +
              p["Actual Rows"] * p["Actual Loops"] +
              (p["Rows Removed by Filter"] ?? 0) +
              (p["Rows Removed by Index Recheck"] ?? 0),
            0,
          ),
          buffers: outer.plan["Shared Hit Blocks"] + outer.plan["Shared Read Blocks"],
          indexes: [
            ...new Set(all.flatMap((p) => (p["Index Name"] ? [p["Index Name"]] : []))),
          ].sort(),
        },
      };
    }

    /** Grows the neighbour's text to `total` rows, every one matching every lookup. */
    let neighbourRows = 0;
    async function growNeighbour(total: number): Promise<void> {
      await db().sql`
      INSERT INTO blobs (tenant_id, hash, size, content, text_state)
      SELECT ${NEIGHBOUR}, 'n' || i, 1, '\\x00', 'i' FROM generate_series(${neighbourRows + 1}::int, ${total}::int) i`;
      await db().sql`
      INSERT INTO blob_text (tenant_id, hash, body)
      SELECT ${NEIGHBOUR}, 'n' || i, 'RARE_' || substr(md5(i::text), 1, 4) || ' zebra'
      FROM generate_series(${neighbourRows + 1}::int, ${total}::int) i`;
      neighbourRows = total;
      // As the server's indexer does after each batch: nothing waits in the pending list.
      await db().sql`SELECT cairn_flush_text_index()`;
      await db().sql`ANALYZE blob_text`;
      await db().sql`ANALYZE blobs`;
    }

    it("reads the same rows and about the same buffers whatever the neighbour stores", async () => {
      const sizes = [0, 1_000, 10_000, 100_000];
      const costs: Record<string, Array<Cost & { neighbour: number }>> = {};
      for (const size of sizes) {
        await growNeighbour(size);
        for (const { name, regex } of LOOKUPS) {
          const { found, cost } = await lookup(regex!);
          // The same answer at every size: my matches and my 5 binary blobs.
          expect(found.size, name).toBe(MY_MATCHES + 5);
          costs[name] = [...(costs[name] ?? []), { neighbour: size, ...cost }];
        }
      }
      console.table(
        Object.entries(costs).flatMap(([name, list]) =>
          list.map((c) => ({
            lookup: name,
            neighbour: c.neighbour,
            rows: c.rows,
            buffers: c.buffers,
            indexes: c.indexes.join(" "),
          })),
        ),
      );
      for (const [name, list] of Object.entries(costs)) {
        const [empty, ...rest] = list;
        for (const cost of rest) {
          // Rows: exactly the same work on my rows, none on the neighbour's.
          expect(cost.rows, `${name} rows with ${cost.neighbour} neighbour rows`).toBe(empty!.rows);
          // Buffers: the index's trees get a level deeper as the neighbour's posting lists grow
          // (a few pages per trigram); nothing in proportion to the neighbour's rows.
          expect(
            cost.buffers,
            `${name} buffers with ${cost.neighbour} neighbour rows`,
          ).toBeLessThanOrEqual(empty!.buffers + 40);
        }
        // And from 10,000 to 100,000 neighbour rows (10× more), flat.
        expect(list[3]!.buffers - list[2]!.buffers, name).toBeLessThanOrEqual(8);
        // The lookup ran through the tenant's part of the trigram index.
        for (const cost of list) expect(cost.indexes, name).toContain("blob_text_tenant_trgm");
      }
    }, 300_000);
  },
);
