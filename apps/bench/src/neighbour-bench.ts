/**
 * Section 13: the 10k-file API grep with and without a neighbour tenant holding
 * 100,000 blobs whose text matches too, side by side in one run. The text index
 * is bounded by tenant (migration 10), so the neighbour should cost nothing.
 */
import type { PostgresBackend } from "@cairn/backend-postgres";
import type { GrepOptions, GrepQuery, GrepResult } from "@cairn/core";
import type { Sql } from "postgres";
import { type Row, verdict } from "./report.js";
import { formatMs, median, summarize } from "./stats.js";

const NEIGHBOUR = "bench-neighbour";

export interface NeighbourBenchOptions {
  sql: Sql;
  pg: PostgresBackend;
  /** The big sandbox's tenant, and the hashes of its files. */
  tenantId: string;
  hashes: readonly string[];
  /** The API grep over HTTP on the big sandbox. */
  grep: (options: GrepOptions) => Promise<GrepResult>;
  /** Each grep, with the regex the backend sends Postgres for it. */
  cases: ReadonlyArray<{ label: string; options: GrepOptions; postgresRegex: string }>;
  neighbourBlobs: number;
  runs: number;
  rows: Row[];
  notes: string[];
}

interface Figures {
  http: number[];
  candidates: number[];
  /** Rows and shared buffers the function's lookup touched (EXPLAIN ANALYZE, as the owner). */
  plan: { rows: number; buffers: number };
}

async function measure(
  options: NeighbourBenchOptions,
  base: GrepOptions,
  regex: string,
  expected: number,
): Promise<Figures> {
  const query: GrepQuery = {
    pattern: base.pattern,
    fixedString: base.fixedString ?? false,
    ignoreCase: base.ignoreCase ?? false,
  };
  const http: number[] = [];
  const candidates: number[] = [];
  for (let run = 0; run < options.runs + 2; run++) {
    const t0 = performance.now();
    const result = await options.grep(base);
    const t1 = performance.now();
    await options.pg.grepCandidates!(options.tenantId, options.hashes, query);
    const t2 = performance.now();
    const matched = new Set(result.matches.map((m) => m.path)).size;
    if (matched !== expected)
      throw new Error(`grep ${base.pattern} matched ${matched} files, expected ${expected}`);
    if (run >= 2) {
      http.push(t1 - t0);
      candidates.push(t2 - t1);
    }
  }
  return { http, candidates, plan: await lookupPlan(options, regex) };
}

/** The lookup inside cairn_grep_candidates, explained with the function's own settings. */
async function lookupPlan(
  options: NeighbourBenchOptions,
  regex: string,
): Promise<{ rows: number; buffers: number }> {
  return options.sql.begin(async (tx) => {
    await tx`SELECT set_config('cairn.tenant_id', ${options.tenantId}, true)`;
    await tx`SET LOCAL enable_seqscan = off`;
    await tx`SET LOCAL enable_indexscan = off`;
    const [row] = await tx<Array<{ "QUERY PLAN": Array<{ Plan: PlanNode }> }>>`
      EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)
      SELECT t.hash FROM blob_text t
      WHERE t.tenant_id COLLATE "C" = current_setting('cairn.tenant_id', true) AND t.body ~ ${regex}`;
    const plan = row!["QUERY PLAN"][0]!.Plan;
    const all = nodes(plan);
    return {
      rows: all.reduce(
        (n, p) =>
          n +
          p["Actual Rows"] +
          (p["Rows Removed by Index Recheck"] ?? 0) +
          (p["Rows Removed by Filter"] ?? 0),
        0,
      ),
      buffers: plan["Shared Hit Blocks"] + plan["Shared Read Blocks"],
    };
  });
}

interface PlanNode {
  "Actual Rows": number;
  "Rows Removed by Index Recheck"?: number;
  "Rows Removed by Filter"?: number;
  "Shared Hit Blocks": number;
  "Shared Read Blocks": number;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

/** Stores the neighbour's blobs and their text straight in SQL, as the schema owner. */
async function addNeighbour(sql: Sql, blobs: number): Promise<number> {
  const t0 = performance.now();
  await sql`
    INSERT INTO blobs (tenant_id, hash, size, content, text_state)
    SELECT ${NEIGHBOUR}, md5('n' || i), 1, '\\x00', 'i' FROM generate_series(1, ${blobs}::int) i`;
  await sql`
    INSERT INTO blob_text (tenant_id, hash, body)
    SELECT ${NEIGHBOUR}, md5('n' || i),
      'see RARE_' || lpad(to_hex(i % 65536), 4, '0') || ' for details ' || md5(i::text) || E'\\n'
    FROM generate_series(1, ${blobs}::int) i`;
  await sql`ANALYZE blob_text`;
  await sql`ANALYZE blobs`;
  return performance.now() - t0;
}

export async function neighbourGrep(
  options: NeighbourBenchOptions,
  expected: number,
): Promise<void> {
  const before: Figures[] = [];
  for (const c of options.cases)
    before.push(await measure(options, c.options, c.postgresRegex, expected));
  const insertMs = await addNeighbour(options.sql, options.neighbourBlobs);
  const n = options.neighbourBlobs;
  options.notes.push(
    `13 neighbour tenant: ${n} blobs whose text matches every grep stored and indexed in ${formatMs(insertMs)} (${Math.round(n / (insertMs / 1000))} rows/s into blob_text with the tenant-bounded GIN index, fastupdate off)`,
  );
  try {
    const after: Figures[] = [];
    for (const c of options.cases)
      after.push(await measure(options, c.options, c.postgresRegex, expected));
    options.cases.forEach((c, i) => {
      const b = before[i]!;
      const a = after[i]!;
      const hb = median(b.http);
      const ha = median(a.http);
      const p = (s: number[]) => {
        const x = summarize(s);
        return `p50 ${formatMs(x.p50)} / p99 ${formatMs(x.p99)}`;
      };
      options.rows.push({
        id: "13",
        what: `API grep ${c.label}, ${options.hashes.length} files, neighbour tenant with ${n} matching blobs`,
        cairn: p(a.http),
        reference: `no neighbour ${p(b.http)}`,
        ratio: `${(ha / hb).toFixed(2)}×`,
        target: "≤ 1.2× (no cross-tenant cost)",
        verdict: verdict(ha <= 1.2 * hb),
      });
      options.rows.push({
        id: "13",
        what: "  grepCandidates (in process)",
        cairn: `p50 ${formatMs(median(a.candidates))}`,
        reference: `no neighbour p50 ${formatMs(median(b.candidates))}`,
        ratio: `${(median(a.candidates) / median(b.candidates)).toFixed(2)}×`,
        target: "—",
        verdict: "info",
      });
      options.rows.push({
        id: "13",
        what: "  the function's index lookup: rows / shared buffers (EXPLAIN ANALYZE)",
        cairn: `${a.plan.rows} rows / ${a.plan.buffers} buffers`,
        reference: `no neighbour ${b.plan.rows} rows / ${b.plan.buffers} buffers`,
        target: "same rows",
        verdict: verdict(a.plan.rows === b.plan.rows),
      });
    });
  } finally {
    await options.sql`DELETE FROM blobs WHERE tenant_id = ${NEIGHBOUR}`;
  }
}
