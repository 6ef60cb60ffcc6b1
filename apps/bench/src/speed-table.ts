#!/usr/bin/env node
/**
 * The speed table of issue 17 in one run: a 10,000-file / 50 MB tree on the
 * machine's PostgreSQL, each case for Cairn over HTTP (a server with its
 * default worker pool, one thread per core) and in process, beside just-bash's
 * own InMemoryFs running the same scripts, with the goal.
 *
 *   pnpm --filter @cairn/bench bench:table [-- --files 10000 --runs 7 --quick]
 */
import { fork, spawn } from "node:child_process";
import { createServer } from "node:net";
import { availableParallelism, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { collectGarbage, connect, createPostgresBackend, migrate } from "@cairn/backend-postgres";
import {
  type ContentCandidates,
  execScript,
  type GrepResult,
  grep,
  SandboxService,
  type Scope,
  type SearchResult,
  search,
  WorkerPool,
} from "@cairn/core";
import {
  createApp,
  type RunningServer,
  startServer,
  type TarSource,
  tarStream,
} from "@cairn/server";
import { Bash, InMemoryFs } from "just-bash";
import type { Sql } from "postgres";
import { type Corpus, generateCorpus } from "./corpus.js";
import { createBenchDatabase, serverFacts } from "./database.js";
import type { LoadReport } from "./load-client.js";
import { formatMs, median, summarize } from "./stats.js";

const { values: args } = parseArgs({
  options: {
    files: { type: "string" },
    runs: { type: "string" },
    quick: { type: "boolean", default: false },
  },
  allowPositionals: true,
});
const quick = args.quick ?? false;
const FILES = Number(args.files ?? (quick ? 2000 : 10_000));
const RUNS = Number(args.runs ?? (quick ? 3 : 7));
const ECHOES = quick ? 100 : 500;
const API_KEY = "bench-table-key-0123456789abcdef";
/** Connections and seconds of the small-read load. */
const LOAD_CONNECTIONS = 32;
const LOAD_SECONDS = quick ? 3 : 5;
/**
 * Seconds of the same load before measuring: a fresh server's worker threads are new V8
 * isolates that compile their hot code over the first seconds of load (exec throughput rises
 * ~20 % from the first seconds to the tenth), and the rows are about a server that has been serving.
 */
const LOAD_WARMUP_SECONDS = quick ? 2 : 5;
/** The tenant a static API key acts as, so HTTP and in-process calls see the same sandboxes. */
const SCOPE: Scope = { tenantId: "default" };
/**
 * Requests of the millisecond-scale API rows (grep, search): a server answers many, and the
 * first few of a process run colder code (V8 optimises a function after it has run a while).
 */
const API_WARMUPS = 5;
const API_RUNS = RUNS * 3;
const LIMITS = { maxExecutionTimeMs: 30_000, maxCommandCount: 10_000_000, maxLoopIterations: 1e8 };

interface TableRow {
  name: string;
  memory: string;
  http: string;
  inProcess: string;
  goal: string;
}

const rows: TableRow[] = [];
const notes: string[] = [];

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}

/** Median of `runs` timed runs after `warmups` untimed (warming) runs. */
async function warmMedian(fn: () => Promise<unknown>, runs = RUNS, warmups = 1): Promise<number> {
  for (let i = 0; i < warmups; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) samples.push((await timed(fn)).ms);
  return median(samples);
}

function inMemoryExec(fs: InMemoryFs, script: string) {
  return new Bash({ fs, cwd: "/", executionLimits: LIMITS }).exec(script, { cwd: "/" });
}

class Http {
  constructor(readonly baseUrl: string) {}
  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const send = () =>
      fetch(`${this.baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    // A kept-alive connection the server closed while the bench measured something else
    // fails once with ECONNRESET before the request is sent: send it again.
    const res = await send().catch((error: { cause?: { code?: string } }) => {
      if (error.cause?.code !== "ECONNRESET") throw error;
      return send();
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }
  /** POST /v1/sandboxes with a tar body (201 expected). */
  /** A create whose body was encoded beforehand (`type` says how): the client's encoding is not timed. */
  async createFrom(type: string, body: Uint8Array | string): Promise<{ id: string }> {
    const res = await fetch(`${this.baseUrl}/v1/sandboxes`, {
      method: "POST",
      headers: { authorization: `Bearer ${API_KEY}`, "content-type": type },
      body: body as Uint8Array<ArrayBuffer> | string,
    });
    const text = await res.text();
    if (res.status !== 201)
      throw new Error(`create (${type}): ${res.status} ${text.slice(0, 300)}`);
    return JSON.parse(text) as { id: string };
  }
  exec(id: string, script: string) {
    return this.call<{ stdout: string; exitCode: number }>("POST", `/v1/sandboxes/${id}/exec`, {
      script,
    });
  }
}

/** The corpus as one tar (names relative to the root). */
async function tarOf(files: ReadonlyArray<{ path: string; bytes: Uint8Array }>) {
  const sources: TarSource[] = files.map((f) => ({
    entry: {
      name: f.path.replace(/^\/+/, ""),
      kind: "file",
      mode: 0o644,
      mtimeMs: 1_700_000_000_000,
      size: f.bytes.length,
    },
    content: async () => f.bytes,
  }));
  return new Uint8Array(await new Response(tarStream(sources)).arrayBuffer());
}

const decoder = new TextDecoder();

/**
 * The three creates over HTTP of the load row, in ms, in a function of their own so that their
 * bodies (~170 MB with the second corpus) are garbage before the next rows: a bigger heap slows
 * every later row's collections, the in-memory baseline's too.
 */
async function httpLoads(http: Http, pg: { idle(): Promise<void> }, sql: Sql, corpus: Corpus) {
  // Bytes, as a client that built its body beforehand sends them (a string body would be
  // encoded by fetch inside the timed request, on this process's thread).
  const jsonBody = new TextEncoder().encode(
    JSON.stringify({
      files: corpus.files.map((f) => ({ path: f.path, content: decoder.decode(f.bytes) })),
    }),
  );
  /** A timed create, then (once its text is indexed) the sandbox deleted again. */
  const createdMs = async (type: string, body: Uint8Array) => {
    const made = await timed(() => http.createFrom(type, body));
    await pg.idle();
    await http.call("DELETE", `/v1/sandboxes/${made.value.id}`);
    return made.ms;
  };
  // A first load over HTTP: a tar of a second corpus, content the tenant does not store yet.
  const fresh = generateCorpus({ files: corpus.files.length, seed: 7 });
  const first = await createdMs("application/x-tar", await tarOf(fresh.files));
  // Its content goes too, as gc and then autovacuum would take it: a tenant text index twice
  // the size (or full of dead entries) would slow the grep rows below.
  await collectGarbage(sql, { graceSeconds: 0 });
  await sql.unsafe("VACUUM blobs, blob_text");
  // The first corpus again, as JSON and as a tar (a create streamed past the JSON body's
  // 10,000-file cap): the tenant stores its content since the in-process load, so these
  // write a tree and lock the content they share rather than copy it again.
  const json = await createdMs("application/json", jsonBody);
  const tarBody = await tarOf(corpus.files);
  const tar = await createdMs("application/x-tar", tarBody);
  return { first, json, tar, jsonMB: jsonBody.length / 1e6, tarMB: tarBody.length / 1e6 };
}

async function main(): Promise<void> {
  const db = await createBenchDatabase();
  const sql = connect(db.url, { max: 10 });
  const servers: RunningServer[] = [];
  const cleanups: Array<() => Promise<void>> = [];
  const pools: WorkerPool[] = [];
  try {
    await migrate(sql);
    const load = () =>
      loadavg()
        .map((l) => l.toFixed(2))
        .join(" ");
    console.log(`${await serverFacts(sql)}; ${availableParallelism()} cores; load ${load()}`);
    const pg = createPostgresBackend({ sql });
    const service = new SandboxService({ backend: pg });
    const corpus = generateCorpus({ files: FILES });
    const mb = (corpus.totalBytes / 1e6).toFixed(1);
    console.log(
      `corpus: ${corpus.files.length} files, ${mb} MB, RARE in ${corpus.rarePaths.length}`,
    );
    const seed = corpus.files.map((f) => ({ path: f.path, bytes: f.bytes }));
    const initial: Record<string, Uint8Array> = {};
    for (const f of corpus.files) initial[f.path] = f.bytes;

    /** A server as `cairn serve` runs one: its own service (cold caches) and worker pool. */
    const serve = async () => {
      const pool = new WorkerPool({ workers: availableParallelism() });
      pools.push(pool);
      await pool.warmed(); // as `cairn serve` waits before it listens
      const app = createApp({
        backend: pg,
        service: new SandboxService({ backend: pg }),
        apiKey: API_KEY,
        runner: pool,
      });
      const server = await startServer({ app, port: 0 });
      servers.push(server);
      return new Http(server.url);
    };
    const http = await serve();

    // ---- load 10k files --------------------------------------------------
    const memLoad = await timed(async () => new InMemoryFs(initial));
    // One small create each way first (content of its own), so that the measured ones do not
    // run the create path's code for the first time in this process, as a serving server would not.
    const warmLoad = generateCorpus({ files: 300, seed: 8 }).files;
    await http.createFrom("application/x-tar", await tarOf(warmLoad));
    await service.create(SCOPE, { files: warmLoad.map((f) => ({ path: f.path, bytes: f.bytes })) });
    await pg.idle();
    const created = await timed(() => service.create(SCOPE, { files: seed }));
    const bigId = created.value.id;
    const indexing = await timed(() => pg.idle());
    notes.push(`text index after the in-process load: ${formatMs(indexing.ms)} in the background`);
    const overHttp = await httpLoads(http, pg, sql, corpus);
    notes.push(
      `creates over HTTP: the client in the bench's process, its body (${overHttp.jsonMB.toFixed(1)} MB of JSON, a ${overHttp.tarMB.toFixed(1)} MB tar) encoded beforehand; "first load" is a tar of a second corpus (new content), the other two creates hold the content of the in-process load, which the tenant already stores`,
    );
    const rate = (ms: number) => `${Math.round(FILES / (ms / 1000)).toLocaleString("en")} files/s`;
    rows.push({
      name: `load ${FILES.toLocaleString("en")} files (${mb} MB)`,
      memory: rate(memLoad.ms),
      http: `${rate(overHttp.first)} (first load, tar); content already stored: ${rate(overHttp.json)} (JSON), ${rate(overHttp.tar)} (tar)`,
      inProcess: rate(created.ms),
      goal: "≥ 10k files/s",
    });

    // ---- cold open + ls ---------------------------------------------------
    const coldMemory: number[] = [];
    const coldHttp: number[] = [];
    const coldLocal: number[] = [];
    const warmUp = (await service.create(SCOPE)).id;
    for (let i = 0; i < RUNS; i++) {
      coldMemory.push((await timed(async () => inMemoryExec(new InMemoryFs(initial), "ls /w"))).ms);
      const fresh = await serve();
      await fresh.exec(warmUp, "true"); // the restarted server's workers are up
      coldHttp.push((await timed(() => fresh.exec(bigId, "ls /w"))).ms);
      const local = new SandboxService({ backend: pg });
      coldLocal.push((await timed(() => execScript(local, SCOPE, bigId, { script: "ls /w" }))).ms);
      await servers.pop()?.close();
      await pools.pop()?.close();
    }
    rows.push({
      name: `cold open of the ${FILES.toLocaleString("en")}-file sandbox + \`ls\` (first touch after a restart)`,
      memory: `${formatMs(median(coldMemory))} (build + ls)`,
      http: formatMs(median(coldHttp)),
      inProcess: formatMs(median(coldLocal)),
      goal: "≤ 10 ms at any tree size",
    });

    // ---- scripts on the big tree, warm -------------------------------------
    const memFs = new InMemoryFs(initial);
    // The same storage without its text index: what a grep in a script cost before it asked.
    const { grepCandidates: _, ...unindexed } = pg;
    const fullScan = new SandboxService({ backend: unindexed });
    const scriptRow = async (script: string, goal: string) => {
      const expected = (await inMemoryExec(memFs, script)).stdout;
      const viaHttp = (await http.exec(bigId, script)).stdout;
      const local = decoder.decode((await execScript(service, SCOPE, bigId, { script })).stdout);
      if (viaHttp !== expected || local !== expected) {
        notes.push(
          `OUTPUTS DIFFER for ${script}: ${JSON.stringify([expected, viaHttp, local].map((s) => s.slice(0, 120)))}`,
        );
      }
      if (script.startsWith("grep")) {
        const before = await warmMedian(() => execScript(fullScan, SCOPE, bigId, { script }));
        notes.push(`\`${script}\` in process reading every file (no index): ${formatMs(before)}`);
      }
      rows.push({
        name: `\`${script}\` inside a script`,
        memory: formatMs(await warmMedian(() => inMemoryExec(memFs, script))),
        http: formatMs(await warmMedian(() => http.exec(bigId, script))),
        inProcess: formatMs(await warmMedian(() => execScript(service, SCOPE, bigId, { script }))),
        goal,
      });
    };
    await scriptRow("grep -rl RARE /w", "≤ 50 ms");
    await scriptRow("grep -rlE 'RARE_[0-9a-f]{4}' /w", "≤ 80 ms");

    // ---- API grep ------------------------------------------------------------
    const candidates: ContentCandidates = (files, query) =>
      pg.grepCandidates!(
        SCOPE.tenantId,
        files.map((f) => f.hash),
        query,
      );
    const apiGrep = async (pattern: string, fixedString: boolean) => {
      const query = new URLSearchParams({
        pattern,
        path: "/w",
        ...(fixedString ? { fixedString: "true" } : {}),
      });
      const remote = () => http.call<GrepResult>("GET", `/v1/sandboxes/${bigId}/fs/grep?${query}`);
      const local = () =>
        service.read(SCOPE, bigId, (vfs) =>
          grep(vfs, { pattern, fixedString, path: "/w" }, candidates),
        );
      const found = new Set((await remote()).matches.map((m) => m.path));
      const right =
        found.size === corpus.rarePaths.length && corpus.rarePaths.every((p) => found.has(p));
      if (!right) notes.push(`API grep ${pattern}: WRONG ANSWER (${found.size} files)`);
      return {
        http: await warmMedian(remote, API_RUNS, API_WARMUPS),
        local: await warmMedian(local, API_RUNS, API_WARMUPS),
        right,
      };
    };
    const literal = await apiGrep("RARE", true);
    const regex = await apiGrep("RARE_[0-9a-f]{4}", false);
    rows.push({
      name: "API grep (`GET .../fs/grep`), rare literal / regex",
      memory: "–",
      http: `${formatMs(literal.http)} / ${formatMs(regex.http)}`,
      inProcess: `${formatMs(literal.local)} / ${formatMs(regex.local)}`,
      goal: `≤ 11 ms, correct (${literal.right && regex.right ? "correct" : "WRONG"})`,
    });

    // ---- ranked search whose words are in every file ----------------------------
    // The server's first search reads and counts every file; later ones use the word counts
    // it remembered per content hash. The answer must be the one a fresh service gives
    // without the index or any remembered counts.
    const everywhere = { query: "retry backoff", path: "/w" };
    const searchQuery = new URLSearchParams({ q: everywhere.query, path: everywhere.path });
    const remoteSearch = () =>
      http.call<SearchResult>("GET", `/v1/sandboxes/${bigId}/fs/search?${searchQuery}`);
    const firstSearch = await timed(remoteSearch);
    const { value: plainSearch } = await new SandboxService({ backend: pg }).read(
      SCOPE,
      bigId,
      (vfs) => search(vfs, everywhere),
    );
    const sameRanking = JSON.stringify(firstSearch.value) === JSON.stringify(plainSearch);
    const warmSearch = await warmMedian(remoteSearch, API_RUNS, API_WARMUPS);
    const sameAgain = JSON.stringify(await remoteSearch()) === JSON.stringify(plainSearch);
    const localSearch = await warmMedian(
      () => service.read(SCOPE, bigId, (vfs) => search(vfs, everywhere, candidates)),
      API_RUNS,
      API_WARMUPS,
    );
    if (!sameRanking || !sameAgain) notes.push("API search: ranking DIFFERS from a plain search");
    rows.push({
      name: `search whose words are in every file (\`${everywhere.query}\`, ${firstSearch.value.totalHits.toLocaleString("en")} hits)`,
      memory: "–",
      http: `${formatMs(warmSearch)} (first ${formatMs(firstSearch.ms)})`,
      inProcess: formatMs(localSearch),
      goal: `≤ 300 ms (${sameRanking && sameAgain ? "same ranking" : "DIFFERENT ranking"})`,
    });

    // ---- 1,000 writes in one script -------------------------------------------
    const loop = "for i in $(seq 1000); do echo $i > f$i; done";
    const writes = { memory: [] as number[], http: [] as number[], local: [] as number[] };
    for (let i = 0; i <= RUNS; i++) {
      const m = await timed(() => inMemoryExec(new InMemoryFs(), loop));
      const { id: remoteId } = await http.call<{ id: string }>("POST", "/v1/sandboxes", {});
      const h = await timed(() => http.exec(remoteId, loop));
      const { id: localId } = await service.create(SCOPE);
      const l = await timed(() => execScript(service, SCOPE, localId, { script: loop }));
      if (i === 0) continue; // warm-up
      writes.memory.push(m.ms);
      writes.http.push(h.ms);
      writes.local.push(l.ms);
    }
    const memWrites = median(writes.memory);
    rows.push({
      name: "1,000 writes in one script (`for i in $(seq 1000); do echo $i > f$i; done`)",
      memory: formatMs(memWrites),
      http: formatMs(median(writes.http)),
      inProcess: formatMs(median(writes.local)),
      goal: `≤ 1.3× in-memory (${formatMs(memWrites * 1.3)})`,
    });

    await scriptRow("find /w -name '*.md' | wc -l", "≤ the peer (105 ms)");

    // ---- warm echo hi ------------------------------------------------------------
    const small = new InMemoryFs();
    const echoMemory: number[] = [];
    const echoLocal: number[] = [];
    const { id: echoId } = await service.create(SCOPE);
    for (let i = 0; i < ECHOES + 50; i++) {
      const m = await timed(() => inMemoryExec(small, "echo hi"));
      const l = await timed(() => execScript(service, SCOPE, echoId, { script: "echo hi" }));
      if (i < 50) continue;
      echoMemory.push(m.ms);
      echoLocal.push(l.ms);
    }
    const remote = await echoFromAnotherProcess(http.baseUrl, echoId);
    rows.push({
      name: "warm `echo hi` (HTTP: client in another process)",
      memory: formatMs(median(echoMemory)),
      http: formatMs(median(remote)),
      inProcess: formatMs(median(echoLocal)),
      goal: "≤ 3 ms over HTTP",
    });

    // ---- small reads at 32 connections -------------------------------------------
    // `cairn serve` in its own process, as deployed (this process holds the corpus and the
    // other servers, whose heap would slow its garbage collection). The default rate limit
    // (1,000 requests/s per key) would answer most of this load with 429: it runs without one,
    // as a tenant with its limit raised would.
    const open = await cairnServe(db.url);
    cleanups.push(open.close);
    const file = corpus.files[0]!.path;
    const getFile = await loadFromAnotherProcess(
      `${open.baseUrl}/v1/sandboxes/${bigId}/files?path=${encodeURIComponent(file)}`,
      "GET",
    );
    rows.push({
      name: `GET of a ${(corpus.files[0]!.bytes.length / 1000).toFixed(1)} KB file, ${LOAD_CONNECTIONS} connections (client in another process)`,
      memory: "–",
      http: describeLoad(getFile),
      inProcess: "–",
      goal: "≥ 5,000/s, p99 ≤ 20 ms",
    });
    const execCat = await loadFromAnotherProcess(
      `${open.baseUrl}/v1/sandboxes/${bigId}/exec`,
      "POST",
      JSON.stringify({ script: `cat ${file}` }),
    );
    rows.push({
      name: `exec \`cat\` of that file, ${LOAD_CONNECTIONS} connections (client in another process)`,
      memory: "–",
      http: describeLoad(execCat),
      inProcess: "–",
      goal: "≥ 1,000/s",
    });

    console.log("");
    console.log(render());
    console.log("");
    for (const n of notes) console.log(`- ${n}`);
    console.log(`- load average at the end: ${load()}`);
  } finally {
    for (const cleanup of cleanups) await cleanup().catch(() => {});
    for (const server of servers) await server.close().catch(() => {});
    for (const pool of pools) await pool.close().catch(() => {});
    await sql.end({ timeout: 5 }).catch(() => {});
    await db.drop();
  }
}

/** `cairn serve` on the bench database in a child process, once it answers. */
async function cairnServe(
  databaseUrl: string,
): Promise<{ baseUrl: string; close(): Promise<void> }> {
  const port = await freePort();
  const cli = fileURLToPath(new URL("../../cairn/dist/cli.js", import.meta.url));
  const child = spawn(
    process.execPath,
    [cli, "serve", "--port", String(port), "--api-key", API_KEY, "--rate-limit-per-second", "0"],
    { env: { ...process.env, DATABASE_URL: databaseUrl }, stdio: "ignore" },
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  const close = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  };
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`cairn serve exited with ${child.exitCode}`);
    const ready = await fetch(`${baseUrl}/v1/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return { baseUrl, close };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await close();
  throw new Error("cairn serve did not become ready in 30 s");
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** Runs one of this package's client scripts in its own process and gives what it sends back. */
function childReport<T>(script: string, args: readonly string[]): Promise<T> {
  const child = fork(fileURLToPath(new URL(script, import.meta.url)), [...args]);
  return new Promise<T>((resolve, reject) => {
    child.once("message", (message) => resolve(message as T));
    child.once("exit", (code) => {
      if (code !== 0) reject(new Error(`${script} exited with ${code}`));
    });
  });
}

/** Closed-loop load from a child process (see load-client.ts), after LOAD_WARMUP_SECONDS of it. */
async function loadFromAnotherProcess(
  url: string,
  method: string,
  body = "-",
): Promise<LoadReport> {
  const run = (seconds: number) =>
    childReport<LoadReport>("./load-client.js", [
      url,
      API_KEY,
      method,
      body,
      String(LOAD_CONNECTIONS),
      String(seconds),
    ]);
  await run(LOAD_WARMUP_SECONDS);
  return run(LOAD_SECONDS);
}

function describeLoad(report: LoadReport): string {
  const { p50, p99 } = summarize(report.latencies);
  const failed = report.requests - (report.statuses["200"] ?? 0);
  const rate = Math.round(report.requests / report.seconds).toLocaleString("en");
  return `${rate}/s, p50 ${formatMs(p50)}, p99 ${formatMs(p99)}${failed > 0 ? ` (${failed} not 200)` : ""}`;
}

/** `echo hi` over HTTP from a child process, so client and server do not share a thread. */
async function echoFromAnotherProcess(baseUrl: string, id: string): Promise<number[]> {
  const { samples } = await childReport<{ samples: number[] }>("./echo-client.js", [
    baseUrl,
    API_KEY,
    id,
    String(ECHOES),
  ]);
  return samples;
}

function render(): string {
  const header = [
    "case",
    "just-bash 3.4.2 InMemoryFs",
    "Cairn over HTTP",
    "Cairn in process",
    "goal",
  ];
  const cells = rows.map((r) =>
    [r.name, r.memory, r.http, r.inProcess, r.goal].map((c) => c.replaceAll("|", "\\|")),
  );
  const line = (c: readonly string[]) => `| ${c.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...cells.map(line)].join("\n");
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
