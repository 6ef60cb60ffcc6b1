/**
 * Issue 14's scenario as figures: while tenant A runs 40 CPU-heavy scripts, tenant B's file
 * reads and `echo hi` execs are timed over real HTTP, against a real Postgres, with scripts in
 * a pool of worker threads. The goal is B's p99 ≤ 50 ms; the isolation e2e test pins the
 * behaviour (B answered, A's commits whole), this prints the latency.
 */
import { createPostgresBackend, migrate } from "@cairn/backend-postgres";
import { issueApiKey, WorkerPool } from "@cairn/core";
import { createApp, startServer } from "@cairn/server";
import postgres from "postgres";
import { createBenchDatabase } from "./database.js";
import { formatMs, sampleLine, summarize } from "./stats.js";

/** ~100–200 ms of just-bash work, then ten files in one commit. */
const HEAVY_SCRIPT = [
  "for i in $(seq 1 400); do x=$(( (i * 7919) % 104729 )); done",
  "mkdir -p /runs/$RANDOM",
  'for f in $(seq 1 10); do echo "$x" > /runs/f$f; done',
].join("\n");

export interface NeighbourLoad {
  heavy: number;
  /** B's requests, each timed alone (one at a time, alternating read and exec). */
  reads: number[];
  execs: number[];
  /** B's same requests with A idle, for comparison. */
  quietReads: number[];
  quietExecs: number[];
  heavyMs: number;
}

export async function neighbourUnderLoad(options: {
  heavy: number;
  workers: number;
}): Promise<NeighbourLoad> {
  const db = await createBenchDatabase();
  const sql = postgres(db.url, { max: 10, onnotice: () => {} });
  const pool = new WorkerPool({ workers: options.workers });
  try {
    await migrate(sql);
    const backend = createPostgresBackend({ sql });
    const keys = backend.keys;
    if (!keys) throw new Error("the Postgres backend has no key store");
    const keyOf = async (tenant: string) => {
      await keys.createTenant({ id: tenant, name: null });
      const issued = await issueApiKey(keys, { tenantId: tenant, scopes: ["tenant"] });
      if (!issued) throw new Error(`no key for ${tenant}`);
      return issued.key;
    };
    const [aKey, bKey] = [await keyOf("tenant-a"), await keyOf("tenant-b")];
    const app = createApp({ backend, apiKey: null, auth: { keys: true }, runner: pool });
    const server = await startServer({ app, port: 0 });
    const call = async (key: string, method: string, path: string, body?: unknown) => {
      const res = await fetch(`${server.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
      return text;
    };
    try {
      const created = (key: string) =>
        call(key, "POST", "/v1/sandboxes", {}).then((t) => (JSON.parse(t) as { id: string }).id);
      const aBoxes = await Promise.all(Array.from({ length: 8 }, () => created(aKey)));
      const bBox = await created(bKey);
      await call(bKey, "POST", `/v1/sandboxes/${bBox}/exec`, {
        script: "echo hello from b > /note.txt",
      });
      const timedB = async (reads: number[], execs: number[]) => {
        let started = performance.now();
        await call(bKey, "GET", `/v1/sandboxes/${bBox}/files?path=/note.txt`);
        reads.push(performance.now() - started);
        started = performance.now();
        await call(bKey, "POST", `/v1/sandboxes/${bBox}/exec`, { script: "echo hi" });
        execs.push(performance.now() - started);
      };
      const quietReads: number[] = [];
      const quietExecs: number[] = [];
      for (let i = 0; i < 50; i++) await timedB(quietReads, quietExecs);

      const reads: number[] = [];
      const execs: number[] = [];
      let running = true;
      const started = performance.now();
      const heavy = Promise.all(
        Array.from({ length: options.heavy }, (_, n) =>
          call(aKey, "POST", `/v1/sandboxes/${aBoxes[n % aBoxes.length]}/exec`, {
            script: HEAVY_SCRIPT,
            timeoutMs: 60_000,
          }).catch(() => undefined),
        ),
      ).finally(() => {
        running = false;
      });
      while (running) await timedB(reads, execs);
      await heavy;
      return {
        heavy: options.heavy,
        reads,
        execs,
        quietReads,
        quietExecs,
        heavyMs: performance.now() - started,
      };
    } finally {
      await server.close();
    }
  } finally {
    await pool.close();
    await sql.end({ timeout: 5 });
    await db.drop();
  }
}

export function printNeighbourLoad(result: NeighbourLoad, workers: number): void {
  const line = (label: string, samples: number[]) => `  ${sampleLine(label, samples, 36)}`;
  console.log(
    `4 tenant B while tenant A runs ${result.heavy} heavy scripts (${workers} workers, Postgres, HTTP; A took ${formatMs(result.heavyMs)}):`,
  );
  console.log(line("B reads a file, A idle", result.quietReads));
  console.log(line("B reads a file, A busy", result.reads));
  console.log(line("B `echo hi`, A idle", result.quietExecs));
  console.log(line("B `echo hi`, A busy", result.execs));
  const worst = Math.max(summarize(result.reads).p99, summarize(result.execs).p99);
  console.log(`  B's worst p99 while A is busy: ${formatMs(worst)} (goal ≤ 50 ms)`);
}
