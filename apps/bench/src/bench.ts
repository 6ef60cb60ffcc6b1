#!/usr/bin/env node
/**
 * Cairn benchmarks, measured side by side in one run against the machine's
 * PostgreSQL (a fresh `cairn_bench_<random>` database, dropped at the end) and
 * just-bash's own InMemoryFs on the same tree.
 *
 *   pnpm --filter @cairn/bench bench [-- --files 10000 --quick --only 1,3,9]
 *
 * Speed goals live here, never in timed tests.
 */
import { fork } from "node:child_process";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import {
  APP_ROLE,
  connect,
  createPostgresBackend,
  indexPendingText,
  migrate,
  type PostgresBackend,
} from "@cairn/backend-postgres";
import {
  type ContentCandidates,
  compileGrep,
  DEFAULT_EXEC_TIMEOUT_MS,
  decodeText,
  execScript,
  type GrepOptions,
  type GrepResult,
  grep,
  SandboxService,
  type Scope,
  type SearchResult,
  search,
  splitLines,
  Tree,
} from "@cairn/core";
import { createMcpHttpHandler } from "@cairn/mcp";
import { createApp, type RunningServer, startServer } from "@cairn/server";
import { Bash, InMemoryFs } from "just-bash";
import type { Sql } from "postgres";
import { archiveImport } from "./archive-bench.js";
import { type Corpus, generateCorpus } from "./corpus.js";
import {
  type BenchDatabase,
  copyIntoScratch,
  createBenchDatabase,
  serverFacts,
} from "./database.js";
import { historyBench } from "./history-bench.js";
import { type BackendStats, describeStats, InstrumentedBackend } from "./instrumented-backend.js";
import { measureMcpLatency } from "./mcp-latency.js";
import { neighbourGrep } from "./neighbour-bench.js";
import { type Row, renderTable, verdict } from "./report.js";
import {
  type ChildMessage,
  type MemoryFigures,
  type ParentMessage,
  RSS_API_KEY,
} from "./rss-protocol.js";
import { semanticBench } from "./semantic-bench.js";
import { type SseEvent, SseParser } from "./sse.js";
import { formatMiB, formatMs, median, summarize } from "./stats.js";

// ---- options ------------------------------------------------------------

const USAGE = `Usage: pnpm --filter @cairn/bench bench [-- options]

  --files N          files in the big sandbox (default 10000; --quick 2000)
  --iterations N     create+exec iterations (default 200; --quick 50)
  --rss-sandboxes N  sandboxes touched for the RSS figure (default 1000; --quick 200)
  --quick            a smaller, faster run
  --only LIST        sections to run, e.g. 1,3,9 (1..15; 3-5, 10 and 13 need 6's sandbox, which is always built)
  --forks N          forks of one template in section 14, timed, with the storage they add
                     (default 1000; --quick 10)
  --help

Env: CAIRN_BENCH_DATABASE_URL (admin URL, default postgres://postgres@127.0.0.1:5432/postgres)`;

const { values: args } = parseArgs({
  // `pnpm --filter @cairn/bench bench -- --quick` passes the `--` through.
  args: process.argv.slice(2).filter((arg) => arg !== "--"),
  options: {
    files: { type: "string" },
    iterations: { type: "string" },
    "rss-sandboxes": { type: "string" },
    forks: { type: "string" },
    quick: { type: "boolean", default: false },
    only: { type: "string" },
    help: { type: "boolean", default: false },
  },
});

if (args.help) {
  console.log(USAGE);
  process.exit(0);
}

const quick = args.quick ?? false;
const intArg = (value: string | undefined, fallback: number) => {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`expected a positive integer, got ${value}`);
  return n;
};
const config = {
  files: intArg(args.files, quick ? 2000 : 10_000),
  iterations: intArg(args.iterations, quick ? 50 : 200),
  echoIterations: quick ? 100 : 500,
  echoClients: 8,
  streamRuns: quick ? 3 : 10,
  warmRuns: quick ? 3 : 5,
  loopRuns: quick ? 4 : 10,
  renameRuns: quick ? 10 : 20,
  coldRuns: quick ? 3 : 5,
  grepRuns: quick ? 5 : 10,
  scanRuns: quick ? 2 : 3,
  perFileRuns: 1,
  neighbourBlobs: quick ? 20_000 : 100_000,
  rssSandboxes: intArg(args["rss-sandboxes"], quick ? 200 : 1000),
  rssFilesPerSandbox: 100,
  rssFileBytes: 1024,
  smallBudgetBytes: 4 << 20,
  forks: intArg(args.forks, quick ? 10 : 1000),
};
const only = args.only ? new Set(args.only.split(",").map((s) => s.trim())) : undefined;
const wanted = (section: string) => only === undefined || only.has(section);

// ---- helpers ------------------------------------------------------------

const SCOPE: Scope = { tenantId: "bench" };
/** The tenant every request to the reference server acts as (one API key, one tenant). */
const HTTP_SCOPE: Scope = { tenantId: "default" };
/** The big sandbox lives in the server's tenant, so the HTTP API (section 10) can reach it. */
const BIG_SCOPE: Scope = HTTP_SCOPE;

/** The limits execScript gives just-bash, so the in-memory side runs under the same rules. */
const EXECUTION_LIMITS = {
  maxExecutionTimeMs: DEFAULT_EXEC_TIMEOUT_MS,
  maxCommandCount: 10_000_000,
  maxLoopIterations: 100_000_000,
};

async function inMemoryExec(fs: InMemoryFs, script: string) {
  const bash = new Bash({ fs, cwd: "/", executionLimits: EXECUTION_LIMITS });
  return bash.exec(script, { cwd: "/", rawScript: true });
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}

async function forEachLimit<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

const ratioText = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
const p50p99 = (samples: number[]) => {
  const s = summarize(samples);
  return `p50 ${formatMs(s.p50)} / p99 ${formatMs(s.p99)}`;
};

class HttpClient {
  constructor(
    readonly baseUrl: string,
    private readonly apiKey: string,
  ) {}

  async post<T>(path: string, body: unknown): Promise<T> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${this.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as T;
    if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  }

  async get<T>(path: string): Promise<T> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      headers: { authorization: `Bearer ${this.apiKey}` },
    });
    const json = (await res.json()) as T;
    if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  }

  /** GET /v1/sandboxes/{id}/fs/grep (its JSON body has the shape of core's GrepResult). */
  grep(id: string, options: GrepOptions): Promise<GrepResult> {
    const query = new URLSearchParams({ pattern: options.pattern });
    if (options.fixedString) query.set("fixedString", "true");
    if (options.path !== undefined) query.set("path", options.path);
    return this.get(`/v1/sandboxes/${id}/fs/grep?${query}`);
  }

  /** GET /v1/sandboxes/{id}/fs/search (its JSON body has the shape of core's SearchResult). */
  search(id: string, q: string, path: string): Promise<SearchResult> {
    return this.get(`/v1/sandboxes/${id}/fs/search?${new URLSearchParams({ q, path })}`);
  }

  createSandbox(body: unknown = {}): Promise<{ id: string }> {
    return this.post("/v1/sandboxes", body);
  }

  exec(id: string, script: string): Promise<ExecJson> {
    return this.post(`/v1/sandboxes/${id}/exec`, { script });
  }

  /** The exec as server-sent events (`Accept: text/event-stream`), each as it arrives. */
  async *execEvents(id: string, script: string): AsyncGenerator<SseEvent> {
    const res = await fetch(`${this.baseUrl}/v1/sandboxes/${id}/exec`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${this.apiKey}`,
        "content-type": "application/json",
        accept: "text/event-stream",
      },
      body: JSON.stringify({ script }),
    });
    if (!res.ok || !res.body)
      throw new Error(`POST exec (stream): ${res.status} ${await res.text()}`);
    const type = res.headers.get("content-type") ?? "";
    if (!type.startsWith("text/event-stream")) throw new Error(`not an event stream: ${type}`);
    const parser = new SseParser();
    const reader = res.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield* parser.push(value);
      }
    } finally {
      reader.releaseLock();
    }
  }
}

/** The JSON body of POST /v1/sandboxes/{id}/exec (the fields the bench reads). */
interface ExecJson {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** The script's run on the server (just-bash on the journal), without snapshot, commit or HTTP. */
  durationMs: number;
}

interface Context {
  sql: Sql;
  db: BenchDatabase;
  /** The Postgres backend itself (for `idle()`); `instrumented` wraps it. */
  pg: PostgresBackend;
  instrumented: InstrumentedBackend;
  service: SandboxService;
  corpus: Corpus;
  bigId: string;
  inMemory: InMemoryFs;
  inMemoryBuildMs: number;
  rows: Row[];
  notes: string[];
  iterations: number;
  echoIterations: number;
  echoClients: number;
  streamRuns: number;
  corpusRuns: number;
  loopRuns: number;
  renameRuns: number;
  coldRuns: number;
  rssSandboxes: number;
  /** p50 of GET /v1/health: the HTTP round trip alone (client and server in this process). */
  httpFloorMs: number;
  grepRuns: number;
  scanRuns: number;
  perFileRuns: number;
  /** Section 3's warm p50s by script (Cairn, in memory), for section 10 to reuse. */
  scriptFigures: Map<string, { cairn: number; memory: number }>;
}

function note(ctx: Context, text: string) {
  ctx.notes.push(text);
}

function stats(ctx: Context, label: string, s: BackendStats) {
  note(ctx, `${label}: ${describeStats(s)}`);
}

// ---- 6: bulk write (and the big sandbox the other sections use) ---------

async function bulkWrite(ctx: Context, record: boolean): Promise<void> {
  const { corpus } = ctx;
  const mb = corpus.totalBytes / 1e6;
  const copyMs = await copyIntoScratch(
    ctx.sql,
    "bench_copy_scratch",
    corpus.files.map((f) => ({ path: f.path, bytes: f.bytes })),
  );
  await ctx.sql`DROP TABLE bench_copy_scratch`;

  const { ms: createMs, value } = await timed(() =>
    ctx.instrumented.measure(() =>
      ctx.service.create(BIG_SCOPE, {
        name: "big",
        files: corpus.files.map((f) => ({ path: f.path, bytes: f.bytes })),
      }),
    ),
  );
  ctx.bigId = value.value.id;
  // The trigram index fills after the commit; wait for it, so it neither competes with the
  // timings that follow nor leaves grep reading unindexed (pending) blobs.
  const indexed = await timed(() => ctx.pg.idle());
  note(
    ctx,
    `6 text index: filled in the background ${formatMs(indexed.ms)} after the commit returned (the bench waits for backend.idle() before the next section)`,
  );
  if (!record) return;
  const dbMs = value.stats.createSandbox?.ms ?? 0;
  const cairnMBs = mb / (createMs / 1000);
  const copyMBs = mb / (copyMs / 1000);
  const n = corpus.files.length;
  ctx.rows.push({
    id: "6",
    what: `bulk create ${n} files / ${mb.toFixed(1)} MB, one commit`,
    cairn: `${formatMs(createMs)} = ${cairnMBs.toFixed(1)} MB/s`,
    reference: `COPY binary ${formatMs(copyMs)} = ${copyMBs.toFixed(1)} MB/s`,
    ratio: `${((cairnMBs / copyMBs) * 100).toFixed(0)} % of COPY`,
    target: "≥ 50 % of COPY",
    verdict: verdict(cairnMBs >= copyMBs * 0.5),
  });
  const filesPerSec = n / (createMs / 1000);
  ctx.rows.push({
    id: "6",
    what: "bulk create, files/s",
    cairn: `${Math.round(filesPerSec)} files/s`,
    reference: `COPY ${Math.round(n / (copyMs / 1000))} rows/s`,
    target: "≥ 10,000 files/s",
    verdict: verdict(filesPerSec >= 10_000),
  });
  note(
    ctx,
    `6 bulk create: ${formatMs(createMs)} total = ${formatMs(createMs - dbMs)} in-process (Vfs.writeFile ×${n}, sha256, change set) + ${formatMs(dbMs)} in backend.createSandbox`,
  );
}

// ---- 3: warm read-heavy scripts vs InMemoryFs --------------------------------

async function warmReads(ctx: Context): Promise<void> {
  const target = ctx.corpus.rarePaths[0] ?? ctx.corpus.files[0]!.path;
  const scripts: Array<{ label: string; script: string }> = [
    { label: "warm `cat` of one file", script: `cat ${target}` },
    { label: "warm `grep -rl RARE /w`", script: "grep -rl RARE /w" },
    { label: "warm `grep -rlE 'RARE_[0-9a-f]{4}' /w`", script: "grep -rlE 'RARE_[0-9a-f]{4}' /w" },
    { label: "warm `find /w -name '*.txt' | wc -l`", script: "find /w -name '*.txt' | wc -l" },
  ];
  for (const { label, script } of scripts) {
    const cairn: number[] = [];
    let cairnOut = "";
    let firstMs = 0;
    let firstStats: BackendStats = {};
    let warmStats: BackendStats = {};
    for (let run = 0; run < ctx.corpusRuns; run++) {
      const { ms, value } = await timed(() =>
        ctx.instrumented.measure(() => execScript(ctx.service, BIG_SCOPE, ctx.bigId, { script })),
      );
      if (run === 0) {
        firstMs = ms;
        firstStats = value.stats;
      } else {
        cairn.push(ms);
        warmStats = value.stats;
      }
      cairnOut = new TextDecoder().decode(value.value.stdout);
    }
    const memory: number[] = [];
    let memoryOut = "";
    for (let run = 0; run < ctx.corpusRuns; run++) {
      const { ms, value } = await timed(() => inMemoryExec(ctx.inMemory, script));
      if (run > 0) memory.push(ms);
      memoryOut = value.stdout;
    }
    const c = median(cairn);
    const m = median(memory);
    ctx.scriptFigures.set(script, { cairn: c, memory: m });
    ctx.rows.push({
      id: "3",
      what: label,
      cairn: formatMs(c),
      reference: `in-mem ${formatMs(m)}`,
      ratio: ratioText(c, m),
      target: "≤ 1.3× in-mem",
      verdict: verdict(c <= m * 1.3),
    });
    if (cairnOut !== memoryOut) {
      note(
        ctx,
        `3 WARNING: outputs differ for ${script}: Cairn ${JSON.stringify(cairnOut.slice(0, 200))} vs in-memory ${JSON.stringify(memoryOut.slice(0, 200))}`,
      );
    }
    stats(ctx, `3 ${script}: first (cold content cache) run ${formatMs(firstMs)}`, firstStats);
    stats(ctx, `3 ${script}: warm run`, warmStats);
  }
  const grepHits = ctx.corpus.rarePaths.length;
  note(
    ctx,
    `3 corpus: ${ctx.corpus.files.length} files, ${(ctx.corpus.totalBytes / 1e6).toFixed(1)} MB, RARE in ${grepHits} files, ${ctx.corpus.txtCount} .txt`,
  );
}

// ---- 4: cold open ---------------------------------------------------------

async function coldOpen(ctx: Context): Promise<void> {
  const totals: number[] = [];
  const queries: number[] = [];
  const builds: number[] = [];
  let lastStats: BackendStats = {};
  for (let run = 0; run < ctx.coldRuns; run++) {
    const fresh = new SandboxService({ backend: ctx.instrumented.backend });
    const { ms, value } = await timed(() =>
      ctx.instrumented.measure(() => execScript(fresh, BIG_SCOPE, ctx.bigId, { script: "ls /" })),
    );
    totals.push(ms);
    lastStats = value.stats;
    // The same load, split: the backend query vs building the Tree.
    const loaded = await timed(() =>
      ctx.instrumented.backend.loadTree(BIG_SCOPE.tenantId, ctx.bigId),
    );
    queries.push(loaded.ms);
    const data = loaded.value;
    if (data === undefined || data === "unchanged") throw new Error("big sandbox vanished");
    builds.push((await timed(async () => Tree.fromData(data))).ms);
  }
  const inodes = ctx.corpus.files.length;
  ctx.rows.push({
    id: "4",
    what: `cold open of the ${inodes}-file sandbox (fresh service) + first \`ls /\``,
    cairn: formatMs(median(totals)),
    reference: `InMemoryFs build ${formatMs(ctx.inMemoryBuildMs)}`,
    target: "—",
    verdict: "info",
  });
  ctx.rows.push({
    id: "4",
    what: "  of which backend.loadTree / Tree.fromData",
    cairn: `${formatMs(median(queries))} / ${formatMs(median(builds))}`,
    target: "—",
    verdict: "info",
  });
  stats(ctx, "4 cold open (execScript on a fresh service)", lastStats);
}

// ---- 5: renames ---------------------------------------------------------------

async function renames(ctx: Context): Promise<void> {
  const file = ctx.corpus.files[0]!.path;
  const dir = ctx.corpus.root;
  const moved = `${dir}_moved`;
  const fileMoved = `${file}.bak`;
  const mutateRename = async (from: string, to: string) =>
    (await timed(() => ctx.service.mutate(BIG_SCOPE, ctx.bigId, (vfs) => vfs.rename(from, to)))).ms;
  // Warm up both paths once.
  await mutateRename(file, fileMoved);
  await mutateRename(fileMoved, file);
  const dirTimes: number[] = [];
  const fileTimes: number[] = [];
  let dirStats: BackendStats = {};
  for (let run = 0; run < ctx.renameRuns; run++) {
    const forward = run % 2 === 0;
    const measured = await ctx.instrumented.measure(() =>
      forward ? mutateRename(dir, moved) : mutateRename(moved, dir),
    );
    dirTimes.push(measured.value);
    dirStats = measured.stats;
    // The file lives wherever its directory is now.
    const base = forward ? `${moved}${file.slice(dir.length)}` : file;
    fileTimes.push(
      await (forward ? mutateRename(base, `${base}.bak`) : mutateRename(`${base}.bak`, base)),
    );
  }
  if (ctx.renameRuns % 2 === 1) {
    await mutateRename(
      `${moved}${file.slice(dir.length)}.bak`,
      `${moved}${file.slice(dir.length)}`,
    );
    await mutateRename(moved, dir);
  }
  // The same through exec `mv` (a script, its journal and one commit).
  const mvTimes: number[] = [];
  for (let run = 0; run < 4; run++) {
    const script = run % 2 === 0 ? `mv ${dir} ${moved}` : `mv ${moved} ${dir}`;
    mvTimes.push((await timed(() => execScript(ctx.service, BIG_SCOPE, ctx.bigId, { script }))).ms);
  }
  const mvMemory: number[] = [];
  for (let run = 0; run < 4; run++) {
    const script = run % 2 === 0 ? `mv ${dir} ${moved}` : `mv ${moved} ${dir}`;
    mvMemory.push((await timed(() => inMemoryExec(ctx.inMemory, script))).ms);
  }
  const d = median(dirTimes);
  const f = median(fileTimes);
  const n = ctx.corpus.files.length;
  ctx.rows.push({
    id: "5",
    what: `rename a ${n}-file directory (mutate + commit)`,
    cairn: p50p99(dirTimes),
    reference: `1-file rename ${p50p99(fileTimes)}`,
    ratio: ratioText(d, f),
    target: "≤ 2× file rename",
    verdict: verdict(d <= 2 * f),
  });
  ctx.rows.push({
    id: "5",
    what: `exec \`mv ${dir} ${moved}\` (script + commit)`,
    cairn: `p50 ${formatMs(median(mvTimes))}`,
    reference: `in-mem ${formatMs(median(mvMemory))}`,
    ratio: ratioText(median(mvTimes), median(mvMemory)),
    target: "—",
    verdict: "info",
  });
  stats(ctx, "5 directory rename", dirStats);
}

// ---- 10: grep over the API (index candidates) vs a plain scan and a per-file scan ----

/** For a rare match, the API grep must beat a per-file scan on Postgres by this much. */
const GREP_SPEEDUP_TARGET = 5;

/** The two searches, as API options and as section 3's in-script equivalents. */
const GREP_CASES: ReadonlyArray<{
  label: string;
  options: GrepOptions;
  script: string;
  /** The regex the backend sends Postgres for it (grep-pushdown.ts's toPostgresRegex). */
  postgresRegex: string;
}> = [
  {
    label: "rare literal `RARE` (fixedString)",
    options: { pattern: "RARE", fixedString: true },
    script: "grep -rl RARE /w",
    postgresRegex: "(?n)RARE",
  },
  {
    label: "regex `RARE_[0-9a-f]{4}`",
    options: { pattern: "RARE_[0-9a-f]{4}" },
    script: "grep -rlE 'RARE_[0-9a-f]{4}' /w",
    postgresRegex: "(?n)RARE_[0-9a-f]{4}",
  },
];

/** The distinct paths with a match, sorted (as `grep -rl` would list them). */
function matchedPaths(result: GrepResult): string[] {
  return [...new Set(result.matches.map((m) => m.path))].sort();
}

/**
 * A per-file scan: each file fetched by its own query, one after another (as the peer in
 * ARCHITECTURE.md did), its lines tested; returns the paths with a match.
 */
async function perFileScan(
  files: ReadonlyArray<{ path: string; hash: string }>,
  read: (hash: string) => Promise<Uint8Array | undefined>,
  test: (line: string) => boolean,
): Promise<string[]> {
  const matched: string[] = [];
  for (const file of files) {
    const bytes = await read(file.hash);
    const text = bytes === undefined ? undefined : decodeText(bytes);
    if (text !== undefined && splitLines(text).some(test)) matched.push(file.path);
  }
  return matched.sort();
}

/** Warm p50 of a script on Cairn and on InMemoryFs (the first run of each discarded). */
async function scriptFigures(ctx: Context, script: string) {
  const runs = Math.max(2, ctx.scanRuns);
  const cairn: number[] = [];
  const memory: number[] = [];
  for (let run = 0; run < runs; run++) {
    const c = await timed(() => execScript(ctx.service, BIG_SCOPE, ctx.bigId, { script }));
    const m = await timed(() => inMemoryExec(ctx.inMemory, script));
    if (run > 0) {
      cairn.push(c.ms);
      memory.push(m.ms);
    }
  }
  return { cairn: median(cairn), memory: median(memory) };
}

async function grepSearch(ctx: Context, client: HttpClient): Promise<void> {
  const scope = BIG_SCOPE;
  const id = ctx.bigId;
  const tenantId = scope.tenantId;
  // Text indexing runs after each commit: wait for it, so the index is complete before timing.
  const idle = await timed(() => ctx.pg.idle());
  const pendingCount = async () => {
    const [row] = await ctx.sql<Array<{ indexed: number; pending: number; blobs: number }>>`
      SELECT count(*) FILTER (WHERE text_state = 'i')::int AS indexed,
             count(*) FILTER (WHERE text_state = 'p')::int AS pending, count(*)::int AS blobs
      FROM blobs WHERE tenant_id = ${tenantId}`;
    return row!;
  };
  let state = await pendingCount();
  // A commit over the background queue's budget stays pending: index it as `cairn gc` would.
  const caughtUp = state.pending > 0 ? await indexPendingText(ctx.sql) : 0;
  if (caughtUp > 0) state = await pendingCount();
  // Planner statistics as autovacuum would have them by now, whatever its timing.
  await ctx.sql`ANALYZE blob_text`;
  note(
    ctx,
    `10 text index: backend.idle() waited ${formatMs(idle.ms)} before timing (then ANALYZE blob_text)${caughtUp > 0 ? `, then indexPendingText indexed ${caughtUp} pending blobs` : ""}; ${state.indexed} of ${state.blobs} blobs of the tenant indexed, ${state.pending} pending`,
  );

  // Whether the app role (row-level security on) can use the trigram index for a regex at all.
  const plan = await ctx.sql.begin(async (tx) => {
    await tx`SELECT set_config('role', ${APP_ROLE}, true), set_config('cairn.tenant_id', ${tenantId}, true)`;
    return tx<Array<{ "QUERY PLAN": string }>>`
      EXPLAIN SELECT hash FROM blob_text WHERE tenant_id = ${tenantId} AND body ~ ${GREP_CASES[0]!.postgresRegex}`;
  });
  const appUsesIndex = plan.some((row) => row["QUERY PLAN"].includes("blob_text_tenant_trgm"));
  const [leakproof] = await ctx.sql<Array<{ leakproof: boolean }>>`
    SELECT proleakproof AS leakproof FROM pg_proc WHERE proname = 'textregexeq'`;
  note(
    ctx,
    `10 as ${APP_ROLE} (row-level security), \`blob_text WHERE tenant_id = $1 AND body ~ $2\` plans ${appUsesIndex ? "with" : "WITHOUT"} blob_text_tenant_trgm (textregexeq leakproof: ${leakproof?.leakproof ?? "?"}; a non-leakproof operator cannot become an index condition under RLS)`,
  );

  const { value: files } = await ctx.service.read(scope, id, (vfs) =>
    ctx.corpus.files.map((f) => ({ path: f.path, hash: vfs.stat(f.path).blob! })),
  );
  const hashes = files.map((f) => f.hash);
  const hashOf = new Map(files.map((f) => [f.path, f.hash]));
  const expected = ctx.corpus.rarePaths;
  const check = (what: string, paths: readonly string[]) => {
    if (paths.join("\n") !== expected.join("\n")) {
      note(
        ctx,
        `10 WARNING: ${what} found ${paths.length} files, expected ${expected.length} (${JSON.stringify(paths.slice(0, 5))})`,
      );
    }
  };
  const n = files.length;

  for (const { label, options: base, script, postgresRegex } of GREP_CASES) {
    const options: GrepOptions = { ...base, path: ctx.corpus.root };
    const query = {
      pattern: options.pattern,
      fixedString: options.fixedString ?? false,
      ignoreCase: false,
    };
    const grepCandidates = ctx.instrumented.backend.grepCandidates;
    if (!grepCandidates) throw new Error("the backend has no grepCandidates");

    // The index alone: which of the sandbox's files may match.
    const candidateMs: number[] = [];
    let candidates: ReadonlySet<string> | undefined;
    for (let run = 0; run <= ctx.grepRuns; run++) {
      const t = await timed(() => ctx.pg.grepCandidates!(tenantId, hashes, query));
      if (run > 0) candidateMs.push(t.ms);
      candidates = t.value;
    }
    // The trigram index by itself: as the table owner (no row-level security), with the
    // function's settings, so only the tenant's part of blob_text_tenant_trgm serves the regex.
    const indexOnly: number[] = [];
    for (let run = 0; run <= ctx.grepRuns; run++) {
      const t = await timed(() =>
        ctx.sql.begin(async (tx) => {
          await tx`SET LOCAL enable_seqscan = off`;
          await tx`SET LOCAL enable_indexscan = off`;
          return tx`SELECT hash FROM blob_text WHERE tenant_id COLLATE "C" = ${tenantId} AND body ~ ${postgresRegex}`;
        }),
      );
      if (run > 0) indexOnly.push(t.ms);
    }
    const missed = expected.filter((p) => !candidates?.has(hashOf.get(p)!)).length;
    const candidateText =
      candidates === undefined ? "no pushdown (every file)" : `${candidates.size} of ${n} files`;

    // The HTTP API, what users see (two warm-up requests).
    const http: number[] = [];
    let httpResult: GrepResult | undefined;
    for (let run = 0; run < ctx.grepRuns + 2; run++) {
      const t = await timed(() => client.grep(id, options));
      if (run >= 2) http.push(t.ms);
      httpResult = t.value;
    }
    check(`HTTP grep ${options.pattern}`, matchedPaths(httpResult!));

    // In process: core grep() with the backend's candidates, as the route calls it.
    const fromIndex: ContentCandidates = (list) =>
      grepCandidates(
        tenantId,
        list.map((f) => f.hash),
        query,
      );
    const local: number[] = [];
    const walk: number[] = [];
    let localStats: BackendStats = {};
    for (let run = 0; run < ctx.grepRuns + 2; run++) {
      const t = await timed(() =>
        ctx.instrumented.measure(() =>
          ctx.service.read(scope, id, (vfs) => grep(vfs, options, fromIndex)),
        ),
      );
      // The walk and plan alone: every file ruled out, so no index query and no reads.
      const w = await timed(() =>
        ctx.service.read(scope, id, (vfs) => grep(vfs, options, async () => new Set())),
      );
      if (run >= 2) {
        local.push(t.ms);
        walk.push(w.ms);
        localStats = t.value.stats;
      }
      if (run === 0) check(`in-process grep ${options.pattern}`, matchedPaths(t.value.value.value));
    }

    // Plain scan: no candidates, every file read from Postgres (a fresh service each run, its
    // tree loaded beforehand, so the content cache is cold); then again with the content cached.
    const scanCold: number[] = [];
    const scanWarm: number[] = [];
    let scanStats: BackendStats = {};
    for (let run = 0; run < ctx.scanRuns; run++) {
      const fresh = new SandboxService({ backend: ctx.instrumented.backend });
      await fresh.tree(scope, id);
      const cold = await timed(() =>
        ctx.instrumented.measure(() => fresh.read(scope, id, (vfs) => grep(vfs, options))),
      );
      scanCold.push(cold.ms);
      scanStats = cold.value.stats;
      if (run === 0) check(`plain scan ${options.pattern}`, matchedPaths(cold.value.value.value));
      scanWarm.push((await timed(() => fresh.read(scope, id, (vfs) => grep(vfs, options)))).ms);
    }

    // Per-file scans: one backend.readBlobs per file (a transaction each), and one bare
    // SELECT per file on one connection (the cheapest a query per file can be).
    const test = compileGrep(options);
    const perReadBlobs: number[] = [];
    const perSelect: number[] = [];
    for (let run = 0; run < ctx.perFileRuns; run++) {
      const viaBackend = await timed(() =>
        perFileScan(
          files,
          async (hash) => (await ctx.pg.readBlobs(tenantId, [hash])).get(hash),
          test,
        ),
      );
      perReadBlobs.push(viaBackend.ms);
      if (run === 0) check(`per-file readBlobs scan ${options.pattern}`, viaBackend.value);
      const viaSelect = await timed(() =>
        perFileScan(
          files,
          async (hash) => {
            const [row] = await ctx.sql<Array<{ content: Buffer }>>`
              SELECT content FROM blobs WHERE tenant_id = ${tenantId} AND hash = ${hash}`;
            return row?.content;
          },
          test,
        ),
      );
      perSelect.push(viaSelect.ms);
      if (run === 0) check(`per-file SELECT scan ${options.pattern}`, viaSelect.value);
    }

    // In-script `grep -rl`: section 3's figures, or measured here when it did not run.
    const measuredIn3 = ctx.scriptFigures.get(script);
    const inScript = measuredIn3 ?? (await scriptFigures(ctx, script));

    const h = median(http);
    const l = median(local);
    const perFile = median(perReadBlobs);
    const select = median(perSelect);
    const cold = median(scanCold);
    ctx.rows.push({
      id: "10",
      what: `API grep ${label} in ${n} files, HTTP`,
      cairn: p50p99(http),
      reference: `per-file scan ${formatMs(perFile)} (${n}× readBlobs), ${formatMs(select)} (${n}× SELECT)`,
      ratio: `${(perFile / h).toFixed(1)}× / ${(select / h).toFixed(1)}× faster`,
      target: `≥ ${GREP_SPEEDUP_TARGET}× faster than per-file`,
      verdict: verdict(Math.min(perFile, select) >= GREP_SPEEDUP_TARGET * h),
    });
    ctx.rows.push({
      id: "10",
      what: "  in process: core grep() + backend.grepCandidates",
      cairn: `p50 ${formatMs(l)}`,
      reference: `index: ${candidateText}, grepCandidates p50 ${formatMs(median(candidateMs))} (trigram index alone ${formatMs(median(indexOnly))})`,
      target: "—",
      verdict: "info",
    });
    ctx.rows.push({
      id: "10",
      what: "  plain scan: core grep() without candidates, every file from Postgres",
      cairn: `p50 ${formatMs(cold)} (cold content cache)`,
      reference: `content cached ${formatMs(median(scanWarm))}`,
      ratio: `HTTP ${(cold / h).toFixed(1)}× faster`,
      target: "—",
      verdict: "info",
    });
    ctx.rows.push({
      id: "10",
      what: `  in-script \`${script}\`${measuredIn3 ? " (section 3)" : ""}`,
      cairn: formatMs(inScript.cairn),
      reference: `in-mem ${formatMs(inScript.memory)}`,
      ratio: ratioText(inScript.cairn, inScript.memory),
      target: "—",
      verdict: "info",
    });
    if (missed > 0)
      note(ctx, `10 WARNING: the index left out ${missed} files that match ${options.pattern}`);
    note(
      ctx,
      `10 ${options.pattern}: HTTP p50 ${formatMs(h)} = in-process p50 ${formatMs(l)} (walk + plan of ${n} files p50 ${formatMs(median(walk))}; backend: ${describeStats(localStats)}) + ${h > l ? `~${formatMs(h - l)}` : "~0 (within noise)"} for HTTP; the index returned ${candidateText} (${expected.length} match)`,
    );
    stats(ctx, `10 ${options.pattern}: plain scan, cold content cache`, scanStats);
  }
  await searchFigures(ctx, client, files.length);
}

/** Section 13: section 10's API grep again, beside a neighbour tenant's 100,000 matching blobs. */
async function neighbourSection(ctx: Context, client: HttpClient): Promise<void> {
  await ctx.pg.idle();
  await ctx.sql`ANALYZE blob_text`;
  const { value: hashes } = await ctx.service.read(BIG_SCOPE, ctx.bigId, (vfs) =>
    ctx.corpus.files.map((f) => vfs.stat(f.path).blob!),
  );
  await neighbourGrep(
    {
      sql: ctx.sql,
      pg: ctx.pg,
      tenantId: BIG_SCOPE.tenantId,
      hashes,
      grep: (options) => client.grep(ctx.bigId, { ...options, path: ctx.corpus.root }),
      cases: GREP_CASES,
      neighbourBlobs: config.neighbourBlobs,
      runs: ctx.grepRuns,
      rows: ctx.rows,
      notes: ctx.notes,
    },
    ctx.corpus.rarePaths.length,
  );
}

/** Ranked search over the same sandbox: a rare word (the index narrows) and common ones (it cannot). */
async function searchFigures(ctx: Context, client: HttpClient, n: number): Promise<void> {
  const scope = BIG_SCOPE;
  for (const q of ["rare", "retry backoff"]) {
    const http: number[] = [];
    let result: SearchResult | undefined;
    for (let run = 0; run < ctx.grepRuns + 2; run++) {
      const t = await timed(() => client.search(ctx.bigId, q, ctx.corpus.root));
      if (run >= 2) http.push(t.ms);
      result = t.value;
    }
    // The same search without the index: every file read (a fresh service: cold content cache,
    // no term counts remembered), i.e. what the first search after a restart costs at most.
    const plain: number[] = [];
    for (let run = 0; run < ctx.scanRuns; run++) {
      const fresh = new SandboxService({ backend: ctx.instrumented.backend });
      await fresh.tree(scope, ctx.bigId);
      const t = await timed(() =>
        fresh.read(scope, ctx.bigId, (vfs) => search(vfs, { query: q, path: ctx.corpus.root })),
      );
      plain.push(t.ms);
      if (run === 0 && JSON.stringify(t.value.value) !== JSON.stringify(result)) {
        note(ctx, `10 WARNING: search ${JSON.stringify(q)} ranks differently without the index`);
      }
    }
    const h = median(http);
    const p = median(plain);
    ctx.rows.push({
      id: "10",
      what: `API search \`${q}\` in ${n} files, HTTP (${result!.totalHits} hits)`,
      cairn: p50p99(http),
      reference: `fresh service, no index (every file read and counted): ${formatMs(p)}`,
      ratio: ratioText(p, h),
      target: "—",
      verdict: "info",
    });
  }
}

// ---- 1: create + first exec ----------------------------------------------------

/** p50 of GET /v1/health: the HTTP round trip alone (client and server in this process). */
async function httpFloor(ctx: Context, client: HttpClient): Promise<number> {
  if (Number.isNaN(ctx.httpFloorMs)) {
    const warmup = Math.min(20, ctx.iterations);
    const floor: number[] = [];
    for (let i = 0; i < ctx.iterations + warmup; i++) {
      const { ms } = await timed(() => fetch(`${client.baseUrl}/v1/health`).then((r) => r.text()));
      if (i >= warmup) floor.push(ms);
    }
    ctx.httpFloorMs = median(floor);
  }
  return ctx.httpFloorMs;
}

async function createLatency(ctx: Context, client: HttpClient): Promise<void> {
  const warmup = Math.min(20, ctx.iterations);
  const inProcess: number[] = [];
  let perCreate: BackendStats = {};
  for (let i = 0; i < ctx.iterations + warmup; i++) {
    const { ms, value } = await timed(() =>
      ctx.instrumented.measure(async () => {
        const { id } = await ctx.service.create(SCOPE);
        return execScript(ctx.service, SCOPE, id, { script: "ls /" });
      }),
    );
    if (i >= warmup) inProcess.push(ms);
    perCreate = value.stats;
  }
  ctx.rows.push({
    id: "1a",
    what: "create sandbox + first exec `ls /`, in-process",
    cairn: p50p99(inProcess),
    target: "p50 ≤ 5 ms",
    verdict: verdict(median(inProcess) <= 5),
  });
  stats(ctx, "1a one create + first exec", perCreate);

  const overHttp: number[] = [];
  for (let i = 0; i < ctx.iterations + warmup; i++) {
    const { ms } = await timed(async () => {
      const { id } = await client.createSandbox();
      const result = await client.exec(id, "ls /");
      if (result.exitCode !== 0) throw new Error(`ls / failed: ${result.stderr}`);
    });
    if (i >= warmup) overHttp.push(ms);
  }
  const floor = await httpFloor(ctx, client);
  ctx.rows.push({
    id: "1b",
    what: "create sandbox + first exec `ls /`, HTTP",
    cairn: p50p99(overHttp),
    reference: `2 requests; GET /v1/health p50 ${formatMs(floor)}`,
    target: "p50 ≤ 5 ms",
    verdict: verdict(median(overHttp) <= 5),
  });
}

// ---- 2: warm `echo hi` over HTTP -------------------------------------------------

const ECHO_TARGET_MS = 3;

async function echoLatency(ctx: Context, client: HttpClient): Promise<void> {
  const warmup = Math.min(50, ctx.echoIterations);
  // One existing sandbox over HTTP, one in process (same backend, separate services).
  const { id } = await client.createSandbox();
  const localId = (await ctx.service.create(SCOPE)).id;
  const echo = async () => {
    const result = await client.exec(id, "echo hi");
    if (result.stdout !== "hi\n") throw new Error(`echo hi gave ${JSON.stringify(result)}`);
    return result;
  };
  const echoHttp: number[] = [];
  const engine: number[] = [];
  const echoLocal: number[] = [];
  let localStats: BackendStats = {};
  for (let i = 0; i < ctx.echoIterations + warmup; i++) {
    const http = await timed(echo);
    const local = await timed(() =>
      ctx.instrumented.measure(() =>
        execScript(ctx.service, SCOPE, localId, { script: "echo hi" }),
      ),
    );
    if (i >= warmup) {
      echoHttp.push(http.ms);
      engine.push(http.value.durationMs);
      echoLocal.push(local.ms);
      localStats = local.value.stats;
    }
  }
  const memFs = new InMemoryFs();
  const echoMemory: number[] = [];
  for (let i = 0; i < ctx.echoIterations + warmup; i++) {
    const { ms } = await timed(() => inMemoryExec(memFs, "echo hi"));
    if (i >= warmup) echoMemory.push(ms);
  }
  const floor = await httpFloor(ctx, client);
  const httpP50 = median(echoHttp);
  const localP50 = median(echoLocal);
  ctx.rows.push({
    id: "2",
    what: "warm exec `echo hi` on an existing sandbox, HTTP (sequential)",
    cairn: p50p99(echoHttp),
    reference: `in-process ${formatMs(localP50)}, in-mem ${formatMs(median(echoMemory))}, health ${formatMs(floor)}`,
    target: `p50 ≤ ${ECHO_TARGET_MS} ms`,
    verdict: verdict(httpP50 <= ECHO_TARGET_MS),
  });

  // Throughput: a few clients at once, each sending its next request when the last one is answered.
  const clients = ctx.echoClients;
  await forEachLimit(
    Array.from({ length: clients * 10 }),
    clients,
    async () => void (await echo()),
  );
  const concurrent: number[] = [];
  const wall = await timed(() =>
    forEachLimit(Array.from({ length: ctx.echoIterations }), clients, async () => {
      concurrent.push((await timed(echo)).ms);
    }),
  );
  const perSecond = (ctx.echoIterations / wall.ms) * 1000;
  const sequentialPerSecond = 1000 / summarize(echoHttp).mean;
  ctx.rows.push({
    id: "2",
    what: `warm exec \`echo hi\`, HTTP, ${clients} concurrent clients`,
    cairn: `${Math.round(perSecond)} req/s (${p50p99(concurrent)})`,
    reference: `sequential ${Math.round(sequentialPerSecond)} req/s`,
    ratio: ratioText(perSecond, sequentialPerSecond),
    target: "—",
    verdict: "info",
  });
  note(
    ctx,
    `2 echo hi over HTTP p50 ${formatMs(httpP50)} = in-process execScript p50 ${formatMs(localP50)} (of which the script's run on just-bash p50 ${formatMs(median(engine))} as the server reports it; backend: ${describeStats(localStats)}) + ~${formatMs(httpP50 - localP50)} for HTTP (GET /v1/health alone p50 ${formatMs(floor)}; client and server share one process)`,
  );
}

// ---- 11: an MCP tool call ------------------------------------------------------------

async function mcpLatency(ctx: Context, url: string, apiKey: string): Promise<void> {
  const { mcp, http, ping } = await measureMcpLatency(
    url,
    apiKey,
    ctx.echoIterations,
    Math.min(50, ctx.echoIterations),
  );
  ctx.rows.push({
    id: "11",
    what: "MCP `bash` tool call `echo hi` (SDK client, streamable HTTP)",
    cairn: p50p99(mcp),
    reference: `plain HTTP exec ${p50p99(http)}`,
    ratio: ratioText(median(mcp), median(http)),
    target: "—",
    verdict: "info",
  });
  note(
    ctx,
    `11 MCP bash p50 ${formatMs(median(mcp))} = plain exec p50 ${formatMs(median(http))} + ~${formatMs(median(mcp) - median(http))} for MCP: a fresh MCP server and transport per POST /mcp (stateless), the JSON-RPC request and its event-stream answer, and the tool's two in-process API calls (GET the sandbox, POST exec); an MCP ping alone p50 ${formatMs(median(ping))}`,
  );
}

// ---- 9: streaming, time to the first chunk of a long script ------------------------

const STREAM_SCRIPT = "echo start; sleep 1; for i in $(seq 5); do echo $i; sleep 0.2; done";
const STREAM_FIRST_CHUNK_TARGET_MS = 50;

interface StreamRun {
  /** Milliseconds from the request being sent to each stdout event, and its text. */
  chunks: Array<{ ms: number; text: string }>;
  exitMs: number;
  exit: { exitCode: number; durationMs: number };
}

async function streamOnce(client: HttpClient, id: string, script: string): Promise<StreamRun> {
  const chunks: StreamRun["chunks"] = [];
  const started = performance.now();
  for await (const event of client.execEvents(id, script)) {
    const ms = performance.now() - started;
    const data = JSON.parse(event.data) as Record<string, unknown>;
    if (event.event === "stdout") {
      const text =
        data.encoding === "base64"
          ? Buffer.from(String(data.data), "base64").toString("utf8")
          : String(data.data);
      chunks.push({ ms, text });
    } else if (event.event === "exit") {
      return { chunks, exitMs: ms, exit: data as StreamRun["exit"] };
    } else if (event.event === "error") {
      throw new Error(`stream error event: ${event.data}`);
    }
  }
  throw new Error("the stream ended without an exit event");
}

async function streamLatency(ctx: Context, client: HttpClient): Promise<void> {
  const { id } = await client.createSandbox();
  // Warm the streaming path first with short scripts of the same shape.
  const warmScript = "echo start; sleep 0.01; for i in $(seq 2); do echo $i; done";
  for (let i = 0; i < 30; i++) await streamOnce(client, id, warmScript);
  const firsts: number[] = [];
  const totals: number[] = [];
  const engine: number[] = [];
  const runs: StreamRun[] = [];
  for (let run = 0; run < ctx.streamRuns; run++) {
    const result = await streamOnce(client, id, STREAM_SCRIPT);
    const text = result.chunks.map((c) => c.text).join("");
    if (result.exit.exitCode !== 0 || text !== "start\n1\n2\n3\n4\n5\n") {
      throw new Error(`stream script gave ${JSON.stringify(text)}, exit ${result.exit.exitCode}`);
    }
    firsts.push(result.chunks[0]!.ms);
    totals.push(result.exitMs);
    engine.push(result.exit.durationMs);
    runs.push(result);
  }
  // Streamed, not buffered: the chunk after `sleep 1` must arrive about a second after the first.
  const gaps = runs.map((r) => r.chunks[1]!.ms - r.chunks[0]!.ms);
  const streamed = median(gaps) >= 900;
  const first = median(firsts);
  const total = median(totals);
  ctx.rows.push({
    id: "9",
    what: `streamed exec (SSE) \`${STREAM_SCRIPT}\`: first stdout chunk`,
    cairn: p50p99(firsts),
    reference: `whole script p50 ${formatMs(total)} (exit event)`,
    target: `first ≤ ${STREAM_FIRST_CHUNK_TARGET_MS} ms, script > 1 s`,
    verdict: verdict(first <= STREAM_FIRST_CHUNK_TARGET_MS && total > 1000 && streamed),
  });
  const arrivals = runs[0]!.chunks.map((_, i) => median(runs.map((r) => r.chunks[i]!.ms)));
  note(
    ctx,
    `9 stream: ${runs.length} runs, ${runs[0]!.chunks.length} stdout events each; median arrival of each ${arrivals.map(formatMs).join(", ")}; the script's run on the server p50 ${formatMs(median(engine))}${streamed ? "" : " — WARNING: output was not streamed"}`,
  );
}

// ---- 7: many small writes in one script ---------------------------------------

async function loopWrites(ctx: Context): Promise<void> {
  const script = "for i in $(seq 1000); do echo $i > f$i; done";
  // The same loop in a subshell: its output is flushed once, not after every iteration.
  const subshell = `( ${script} )`;
  const cairn: number[] = [];
  const engine: number[] = [];
  const commits: number[] = [];
  const inSubshell: number[] = [];
  const memory: number[] = [];
  let loopStats: BackendStats = {};
  const fresh = async () => {
    const { id } = await ctx.service.create(SCOPE);
    await execScript(ctx.service, SCOPE, id, { script: "true" });
    return id;
  };
  for (let run = 0; run < ctx.loopRuns + 1; run++) {
    const id = await fresh();
    const { ms, value } = await timed(() =>
      ctx.instrumented.measure(() => execScript(ctx.service, SCOPE, id, { script })),
    );
    if (value.value.exitCode !== 0) throw new Error("loop script failed");
    const otherId = await fresh();
    const sub = await timed(() => execScript(ctx.service, SCOPE, otherId, { script: subshell }));
    if (sub.value.exitCode !== 0) throw new Error("subshell loop script failed");
    const fs = new InMemoryFs();
    const mem = await timed(() => inMemoryExec(fs, script));
    if (run > 0) {
      cairn.push(ms);
      engine.push(value.value.durationMs);
      commits.push(value.stats.commit?.ms ?? 0);
      inSubshell.push(sub.ms);
      memory.push(mem.ms);
    }
    loopStats = value.stats;
  }
  const c = median(cairn);
  const m = median(memory);
  ctx.rows.push({
    id: "7",
    what: "`for i in $(seq 1000); do echo $i > f$i; done`",
    cairn: formatMs(c),
    reference: `in-mem ${formatMs(m)}`,
    ratio: ratioText(c, m),
    target: "≤ 1.3× in-mem",
    verdict: verdict(c <= m * 1.3),
  });
  stats(ctx, "7 loop script", loopStats);
  note(
    ctx,
    `7 loop p50 ${formatMs(c)}: the script's run on just-bash p50 ${formatMs(median(engine))}, commit p50 ${formatMs(median(commits))}; the same loop inside \`( ... )\` (no flush per iteration) p50 ${formatMs(median(inSubshell))}`,
  );
}

// ---- 8: server RSS ----------------------------------------------------------------

async function rss(ctx: Context): Promise<void> {
  // Sandboxes are created once, here, with content unique to each sandbox.
  const count = ctx.rssSandboxes;
  const encoder = new TextEncoder();
  const filler = "x".repeat(config.rssFileBytes);
  const ids: string[] = new Array(count);
  const created = await timed(() =>
    forEachLimit(
      Array.from({ length: count }, (_, i) => i),
      4,
      async (i) => {
        const files = Array.from({ length: config.rssFilesPerSandbox }, (_, f) => ({
          path: `/src/pkg${f % 10}/file${f}.txt`,
          bytes: encoder.encode(`sandbox ${i} file ${f}\n${filler}`.slice(0, config.rssFileBytes)),
        }));
        ids[i] = (await ctx.service.create(HTTP_SCOPE, { files })).id;
      },
    ),
  );
  note(
    ctx,
    `8 created ${count} sandboxes × ${config.rssFilesPerSandbox} files × ${config.rssFileBytes} B in ${formatMs(created.ms)}`,
  );
  const budgets: Array<{ label: string; tree: string; content: string }> = [
    {
      label: "default budget (256 MiB trees + 256 MiB content)",
      tree: "default",
      content: "default",
    },
    {
      label: `small budget (${formatMiB(config.smallBudgetBytes)} + ${formatMiB(config.smallBudgetBytes)})`,
      tree: String(config.smallBudgetBytes),
      content: String(config.smallBudgetBytes),
    },
  ];
  for (const budget of budgets) {
    const child = fork(
      fileURLToPath(new URL("./rss-server.js", import.meta.url)),
      [ctx.db.url, budget.tree, budget.content],
      {
        execArgv: ["--expose-gc"],
        stdio: ["ignore", "inherit", "inherit", "ipc"],
      },
    );
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const nextMessage = () =>
      new Promise<ChildMessage>((resolve, reject) => {
        child.once("message", (m) => resolve(m as ChildMessage));
        child.once("exit", (code) => reject(new Error(`rss-server exited (${code})`)));
      });
    const send = (m: ParentMessage) => child.send(m);
    try {
      const ready = await nextMessage();
      if (ready.type !== "ready") throw new Error("rss-server did not start");
      const client = new HttpClient(ready.url, RSS_API_KEY);
      // Warm the server's code paths on one sandbox before the baseline.
      await client.exec(ids[0]!, `cat /src/pkg0/file0.txt > /dev/null`);
      send({ type: "measure" });
      const before = await nextMessage();
      const touched = await timed(() =>
        forEachLimit(ids, 4, async (id) => {
          const r = await client.exec(id, "cat /src/pkg3/file3.txt");
          if (r.exitCode !== 0) throw new Error(`cat failed in ${id}: ${r.stderr}`);
        }),
      );
      send({ type: "measure" });
      const after = await nextMessage();
      if (before.type !== "memory" || after.type !== "memory") throw new Error("bad rss reply");
      const mib = (m: MemoryFigures | null) => (m ? formatMiB(m.rss) : "n/a");
      const settled = (m: ChildMessage & { type: "memory" }) => m.afterGc ?? m.memory;
      ctx.rows.push({
        id: "8",
        what: `server RSS, ${count} sandboxes × ${config.rssFilesPerSandbox} files touched, ${budget.label}`,
        cairn: `${mib(before.afterGc ?? before.memory)} → ${mib(after.memory)} (after gc ${mib(after.afterGc)})`,
        reference: `heap ${formatMiB(settled(before).heapUsed)} → ${formatMiB(settled(after).heapUsed)}, external ${formatMiB(settled(before).external)} → ${formatMiB(settled(after).external)} (after gc)`,
        target: "—",
        verdict: "info",
      });
      note(
        ctx,
        `8 ${budget.label}: exec cat in ${count} sandboxes over HTTP took ${formatMs(touched.ms)}`,
      );
      send({ type: "stop" });
      await exited;
    } finally {
      if (child.exitCode === null) child.kill();
    }
  }
}

// ---- main -----------------------------------------------------------------------

async function main(): Promise<void> {
  const started = performance.now();
  const cpus = os.cpus();
  console.log(
    `Cairn bench — node ${process.version}, ${cpus.length} cores (${cpus[0]?.model ?? "?"}), ${os.platform()} ${os.release()}, ${formatMiB(os.totalmem())} RAM`,
  );
  const load = () =>
    os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ");
  console.log(`load average at start: ${load()}`);
  const db = await createBenchDatabase();
  const sql = connect(db.url, { max: 10 });
  let server: RunningServer | undefined;
  const stops: Array<() => Promise<unknown>> = [];
  const cleanup = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    await server?.close().catch(() => {});
    await sql.end({ timeout: 5 }).catch(() => {});
    await db.drop();
  };
  const onSignal = () => {
    console.error("\ninterrupted: dropping the bench database");
    cleanup().finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    await migrate(sql);
    console.log(`${await serverFacts(sql)}; database ${db.name}`);
    const pg = createPostgresBackend({ sql });
    const instrumented = new InstrumentedBackend(pg);
    const service = new SandboxService({ backend: instrumented.backend });

    const gen = await timed(async () => generateCorpus({ files: config.files }));
    const corpus = gen.value;
    console.log(
      `corpus: ${corpus.files.length} files, ${(corpus.totalBytes / 1e6).toFixed(1)} MB, ${corpus.rarePaths.length} with RARE_xxxx (generated in ${formatMs(gen.ms)})`,
    );
    const memBuild = await timed(async () => {
      const initial: Record<string, Uint8Array> = {};
      for (const f of corpus.files) initial[f.path] = f.bytes;
      return new InMemoryFs(initial);
    });

    const ctx: Context = {
      sql,
      db,
      pg,
      instrumented,
      service,
      corpus,
      bigId: "",
      inMemory: memBuild.value,
      inMemoryBuildMs: memBuild.ms,
      rows: [],
      notes: [],
      iterations: config.iterations,
      echoIterations: config.echoIterations,
      echoClients: config.echoClients,
      streamRuns: config.streamRuns,
      corpusRuns: config.warmRuns,
      loopRuns: config.loopRuns,
      renameRuns: config.renameRuns,
      coldRuns: config.coldRuns,
      rssSandboxes: config.rssSandboxes,
      httpFloorMs: Number.NaN,
      grepRuns: config.grepRuns,
      scanRuns: config.scanRuns,
      perFileRuns: config.perFileRuns,
      scriptFigures: new Map(),
    };

    const apiKey = "bench-api-key-0123456789abcdef";
    const httpService = new SandboxService({ backend: instrumented.backend });
    server = await startServer({
      app: createApp({
        backend: instrumented.backend,
        service: httpService,
        apiKey,
        mcp: createMcpHttpHandler(),
      }),
      port: 0,
    });
    const client = new HttpClient(server.url, apiKey);

    // Section 14's second replica: its own pool, backend and service on the same database.
    const replicaSql = connect(db.url, { max: 4 });
    stops.push(() => replicaSql.end({ timeout: 5 }));
    const replica = wanted("14")
      ? await startServer({
          app: createApp({ backend: createPostgresBackend({ sql: replicaSql }), apiKey }),
          port: 0,
        })
      : undefined;
    if (replica) stops.push(() => replica.close());

    const sections: Array<[string, string, () => Promise<void>]> = [
      ["1", "create + first exec", () => createLatency(ctx, client)],
      ["2", "warm echo over HTTP", () => echoLatency(ctx, client)],
      ["9", "streaming first chunk", () => streamLatency(ctx, client)],
      ["11", "MCP bash tool call", () => mcpLatency(ctx, client.baseUrl, apiKey)],
      ["6", "bulk write", () => bulkWrite(ctx, wanted("6"))],
      ["3", "warm reads", () => warmReads(ctx)],
      ["4", "cold open", () => coldOpen(ctx)],
      ["5", "renames", () => renames(ctx)],
      ["10", "grep: API vs scans", () => grepSearch(ctx, client)],
      ["13", "grep beside a neighbour tenant", () => neighbourSection(ctx, client)],
      ["7", "loop writes", () => loopWrites(ctx)],
      ["8", "server RSS", () => rss(ctx)],
      [
        "12",
        "archive import",
        () =>
          archiveImport({
            sql,
            baseUrl: server?.url ?? "",
            apiKey,
            runs: quick ? 2 : 5,
            rows: ctx.rows,
            notes: ctx.notes,
          }),
      ],
      [
        "14",
        "snapshots, forks, commit log",
        () =>
          historyBench({
            sql,
            replicaUrl: replica?.url ?? "",
            backend: instrumented.backend,
            scope: HTTP_SCOPE,
            baseUrl: server?.url ?? "",
            apiKey,
            files: config.files,
            fileBytes: 5000,
            runs: quick ? 5 : 20,
            forks: config.forks,
            loopRuns: config.loopRuns,
            rows: ctx.rows,
            notes: ctx.notes,
          }),
      ],
      [
        "15",
        "semantic search",
        () =>
          semanticBench({
            sql,
            files: config.files,
            runs: quick ? 5 : 20,
            rows: ctx.rows,
            notes: ctx.notes,
          }),
      ],
    ];
    const needsBig = ["3", "4", "5", "10", "13"].some(wanted);
    for (const [id, label, run] of sections) {
      const always = id === "6" && needsBig;
      const enabled = wanted(id) || always;
      if (!enabled) continue;
      const t = await timed(run);
      console.log(`  section ${id} (${label}) done in ${formatMs(t.ms)}`);
    }

    const order = ["1a", "1b", "2", "3", "4", "5", "6", "7", "8", "9", "10", "13", "11", "12"];
    order.push("14a", "14b", "14c", "14d", "14e", "14f", "14g", "14h", "15", "15a", "15b", "15c");
    ctx.rows.sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
    console.log("");
    console.log(renderTable(ctx.rows));
    console.log("");
    console.log("Where the time went (backend calls during the measured run):");
    for (const n of ctx.notes) console.log(`  - ${n}`);
    console.log(`\ntotal ${formatMs(performance.now() - started)}; load average at end: ${load()}`);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await cleanup();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
