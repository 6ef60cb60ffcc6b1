#!/usr/bin/env node
/**
 * Section 16, warm python: `python3 -c 'print(1)'` in a sandbox, the first
 * run of the process and warm runs after it, in process and over HTTP
 * through the script worker pool, beside just-bash's own python3. Memory
 * backend: storage is not what this measures.
 *
 *   pnpm --filter @cairn/bench bench:python [-- --quick]
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createMemoryBackend } from "@cairn/backend-memory";
import { execScript, SandboxService, WorkerPool, warmPython } from "@cairn/core";
import { createApp, startServer } from "@cairn/server";
import { Bash, InMemoryFs } from "just-bash";
import { formatMs, percentile } from "./stats.js";

const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== "--"),
  options: { quick: { type: "boolean", default: false }, part: { type: "string" } },
});
const runs = values.quick === true ? 15 : 40;
/** A pause between paced runs: an agent's scripts rarely come closer than this. */
const PACE_MS = 250;
const SCRIPT = "python3 -c 'print(1)'";

type Exec = () => Promise<void>;

async function timed(exec: Exec): Promise<number> {
  const started = performance.now();
  await exec();
  return performance.now() - started;
}

async function series(exec: Exec, n: number, paceMs: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    if (paceMs > 0) await new Promise((resolve) => setTimeout(resolve, paceMs));
    samples.push(await timed(exec));
  }
  return samples;
}

function line(label: string, samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const p50 = percentile(sorted, 50);
  const p95 = percentile(sorted, 95);
  return `  ${label.padEnd(44)} p50 ${formatMs(p50)}  p95 ${formatMs(p95)}  (n=${samples.length})`;
}

const rssMb = () => process.memoryUsage().rss / 2 ** 20;

/** Runs the three measurements for one way of executing and prints them. */
async function measure(label: string, exec: Exec): Promise<void> {
  const first = await timed(exec);
  console.log(
    `  ${`${label}: first run of the process`.padEnd(44)} ${formatMs(first)} (goal ≤ 1 s)`,
  );
  console.log(line(`${label}: warm, back to back`, await series(exec, runs, 0)));
  console.log(
    line(
      `${label}: warm, ${PACE_MS} ms apart (goal p50 ≤ 50 ms)`,
      await series(exec, runs, PACE_MS),
    ),
  );
}

async function justBashReference(): Promise<void> {
  const bash = new Bash({ fs: new InMemoryFs(), python: true });
  const exec = async () => {
    const r = await bash.exec(SCRIPT);
    if (r.stdout !== "1\n") throw new Error(`just-bash python3: ${r.stderr}`);
  };
  console.log(
    line("just-bash's own python3, for scale (a worker per run)", await series(exec, 5, 0)),
  );
}

async function inProcess(): Promise<void> {
  const service = new SandboxService({ backend: createMemoryBackend() });
  const scope = { tenantId: "bench" };
  const box = await service.create(scope, {
    options: { persistShell: false, runtimes: ["python3"] },
  });
  const exec = async () => {
    const r = await execScript(service, scope, box.id, { script: SCRIPT });
    if (new TextDecoder().decode(r.stdout) !== "1\n") throw new Error("in-process python3 failed");
  };
  const before = rssMb();
  await measure("in process", exec);
  console.log(
    `  process RSS grew ${(rssMb() - before).toFixed(0)} MB over these runs (compiled CPython, the spare interpreter threads, V8 heap)`,
  );
  const echo = async () => {
    await execScript(service, scope, box.id, { script: "echo 1" });
  };
  console.log(line("in process: `echo 1` for scale", await series(echo, runs, 0)));
}

async function overHttp(prewarmed: boolean): Promise<void> {
  const pool = new WorkerPool({ workers: 1, warmPython: prewarmed });
  // What `cairn serve --warm-python` gives: the worker prepares python while the server starts.
  if (prewarmed) await new Promise((resolve) => setTimeout(resolve, 3000));
  const app = createApp({ backend: createMemoryBackend(), apiKey: "bench-key", runner: pool });
  const server = await startServer({ app, port: 0 });
  const headers = { authorization: "Bearer bench-key", "content-type": "application/json" };
  try {
    const created = await fetch(`${server.url}/v1/sandboxes`, {
      method: "POST",
      headers,
      body: JSON.stringify({ runtimes: ["python3"] }),
    });
    const { id } = (await created.json()) as { id: string };
    const exec = async () => {
      const res = await fetch(`${server.url}/v1/sandboxes/${id}/exec`, {
        method: "POST",
        headers,
        body: JSON.stringify({ script: SCRIPT }),
      });
      const body = (await res.json()) as { stdout?: string };
      if (res.status !== 200 || body.stdout !== "1\n") {
        throw new Error(`exec: ${res.status} ${JSON.stringify(body)}`);
      }
    };
    if (prewarmed) {
      const first = await timed(exec);
      console.log(`  ${"HTTP + pool, --warm-python: first run".padEnd(44)} ${formatMs(first)}`);
    } else await measure("HTTP + pool", exec);
  } finally {
    await server.close();
    await pool.close();
  }
}

/** What a ready interpreter costs: RSS before and after warmPython() in an idle process. */
async function memory(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 200));
  const before = rssMb();
  await warmPython();
  await new Promise((resolve) => setTimeout(resolve, 500));
  console.log(
    `  ${"memory: RSS for compiled CPython + 1 ready interpreter".padEnd(44)} +${(rssMb() - before).toFixed(0)} MB`,
  );
}

/** Each part runs in a process of its own, so every "first run" is the process's first. */
const PARTS: Record<string, () => Promise<void>> = {
  "in-process": inProcess,
  "in-process, CAIRN_PYTHON_WARM=2": inProcess,
  http: () => overHttp(false),
  "http-prewarmed": () => overHttp(true),
  "just-bash": justBashReference,
  memory,
};

if (values.part === undefined) {
  console.log(`16 warm python: \`${SCRIPT}\` (memory backend)`);
  for (const part of Object.keys(PARTS)) {
    const args = [fileURLToPath(import.meta.url), "--part", part];
    if (values.quick === true) args.push("--quick");
    const warm = part.match(/CAIRN_PYTHON_WARM=(\d+)/)?.[1];
    const env = { ...process.env, ...(warm ? { CAIRN_PYTHON_WARM: warm } : {}) };
    if (warm)
      console.log(
        `  -- with CAIRN_PYTHON_WARM=${warm} (two interpreters kept ready, taking turns)`,
      );
    execFileSync(process.execPath, args, { stdio: "inherit", env });
  }
} else {
  const part = PARTS[values.part];
  if (!part) throw new Error(`unknown part ${values.part}`);
  await part();
  process.exit(0);
}
