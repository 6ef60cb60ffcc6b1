/**
 * Section 14: time for workspaces. Snapshot and fork of a 10k-file / 50 MB sandbox over HTTP
 * on Postgres (blob rows and bytes counted before and after: nothing of the content may be
 * copied), the storage a fork adds, and what the commit log costs the 1,000-write loop and a
 * 10k-file load (the same work with the log entries dropped before they reach storage).
 */
import { type Backend, execScript, SandboxService, type Scope, type SeedFile } from "@cairn/core";
import type { Sql } from "postgres";
import { type Row, verdict } from "./report.js";
import { SseParser } from "./sse.js";
import { formatMs, median } from "./stats.js";

export interface HistoryBenchOptions {
  /** A second server (its own pool and backend) on the same database, for the watcher. */
  replicaUrl: string;
  sql: Sql;
  /** The backend the HTTP server uses (the big sandbox is created through it, in `scope`). */
  backend: Backend;
  scope: Scope;
  baseUrl: string;
  apiKey: string;
  files: number;
  fileBytes: number;
  runs: number;
  forks: number;
  loopRuns: number;
  rows: Row[];
  notes: string[];
}

/** Distinct, incompressible-ish content per file (a xorshift stream seeded by the index). */
function contentFor(index: number, size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  let x = (index + 1) * 2654435761;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = 32 + ((x >>> 0) % 95);
  }
  return bytes;
}

function seedFiles(count: number, size: number): SeedFile[] {
  return Array.from({ length: count }, (_, i) => ({
    path: `/src/d${i % 100}/f${i}.txt`,
    bytes: contentFor(i, size),
  }));
}

async function blobCounts(sql: Sql): Promise<{ rows: number; bytes: number }> {
  const [row] = await sql<Array<{ rows: number; bytes: number }>>`
    SELECT count(*)::float8 AS rows, coalesce(sum(size), 0)::float8 AS bytes FROM blobs`;
  return row!;
}

/** Every table a sandbox, snapshot or fork writes metadata to, with its indexes and TOAST. */
async function metadataBytes(sql: Sql): Promise<number> {
  const [row] = await sql<Array<{ bytes: number }>>`
    SELECT (pg_total_relation_size('inodes') + pg_total_relation_size('dentries')
      + pg_total_relation_size('sandboxes') + pg_total_relation_size('commits')
      + pg_total_relation_size('snapshots') + pg_total_relation_size('layers'))::float8 AS bytes`;
  return row!.bytes;
}

/** Tree rows (inodes and dentries) of every layer: what a copy of a tree would add to. */
async function treeRows(sql: Sql): Promise<number> {
  const [row] = await sql<Array<{ n: number }>>`
    SELECT ((SELECT count(*) FROM inodes) + (SELECT count(*) FROM dentries))::float8 AS n`;
  return row!.n;
}

/** The backend with commit log entries dropped: what Cairn did before the log. */
function withoutLog(backend: Backend): Backend {
  return {
    ...backend,
    createSandbox: (sandbox, initial) =>
      backend.createSandbox(sandbox, { ...initial, log: undefined }),
    commit: (tenantId, id, changes) => backend.commit(tenantId, id, { ...changes, log: undefined }),
  };
}

export async function historyBench(o: HistoryBenchOptions): Promise<void> {
  const post = async (path: string, body: unknown) => {
    const started = performance.now();
    const res = await fetch(`${o.baseUrl}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${o.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as { id: string };
    if (res.status !== 201) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
    return { ms: performance.now() - started, id: json.id };
  };

  const service = new SandboxService({ backend: o.backend });
  const files = seedFiles(o.files, o.fileBytes);
  const load = performance.now();
  const big = await service.create(o.scope, { files });
  const loadMs = performance.now() - load;
  const before = await blobCounts(o.sql);
  const snapshots: number[] = [];
  const forksFromSnapshot: number[] = [];
  const forksFromSandbox: number[] = [];
  let snapshotId = "";
  // A write before each snapshot and each fork of the sandbox (untimed), so each freezes new
  // changes rather than finding them frozen already. Blob and tree rows are counted around the
  // timed requests only, so the written files' own rows are not taken for copies.
  const write = async (i: number) => {
    const res = await fetch(`${o.baseUrl}/v1/sandboxes/${big.id}/files?path=/round-${i}.txt`, {
      method: "PUT",
      headers: { authorization: `Bearer ${o.apiKey}`, "content-type": "application/octet-stream" },
      body: `round ${i}`,
    });
    if (!res.ok) throw new Error(`write: ${res.status}`);
  };
  let rowsCopied = 0;
  const copied = { rows: 0, bytes: 0 };
  const counted = async <T>(fn: () => Promise<T>): Promise<T> => {
    const [blobs, rows] = [await blobCounts(o.sql), await treeRows(o.sql)];
    const value = await fn();
    const blobsAfter = await blobCounts(o.sql);
    rowsCopied += (await treeRows(o.sql)) - rows;
    copied.rows += blobsAfter.rows - blobs.rows;
    copied.bytes += blobsAfter.bytes - blobs.bytes;
    return value;
  };
  for (let i = 0; i < o.runs + 1; i++) {
    await write(2 * i);
    const snap = await counted(() => post(`/v1/sandboxes/${big.id}/snapshots`, {}));
    const fromSnapshot = await counted(() =>
      post("/v1/sandboxes", { from: { snapshotId: snap.id } }),
    );
    await write(2 * i + 1);
    const fromSandbox = await counted(() => post("/v1/sandboxes", { from: { sandboxId: big.id } }));
    snapshotId = snap.id;
    if (i === 0) continue; // warm-up
    snapshots.push(snap.ms);
    forksFromSnapshot.push(fromSnapshot.ms);
    forksFromSandbox.push(fromSandbox.ms);
  }
  // Many forks of one template, one after another: their time and the storage they add.
  const metaBefore = await metadataBytes(o.sql);
  const rowsBeforeForks = await treeRows(o.sql);
  const blobsBeforeForks = await blobCounts(o.sql);
  const forkTimes: number[] = [];
  const forksStarted = performance.now();
  for (let i = 0; i < o.forks; i++) {
    forkTimes.push((await post("/v1/sandboxes", { from: { snapshotId } })).ms);
  }
  const forksMs = performance.now() - forksStarted;
  const metaAfter = await metadataBytes(o.sql);
  const after = await blobCounts(o.sql);
  const rowsAfter = await treeRows(o.sql);
  const forksCopied = {
    rows: after.rows - blobsBeforeForks.rows,
    bytes: after.bytes - blobsBeforeForks.bytes,
  };
  const mb = ((o.files * o.fileBytes) / 1e6).toFixed(0);
  const zero = copied.rows === 0 && copied.bytes === 0;
  const forksZero = forksCopied.rows === 0 && forksCopied.bytes === 0;
  for (const [id, what, samples] of [
    ["14a", `snapshot of ${o.files} files / ${mb} MB (HTTP, Postgres)`, snapshots],
    ["14b", `fork from that snapshot (HTTP)`, forksFromSnapshot],
    ["14c", `fork from the sandbox itself (HTTP)`, forksFromSandbox],
  ] as const) {
    const p50 = median(samples);
    o.rows.push({
      id,
      what,
      cairn: `p50 ${formatMs(p50)}`,
      reference: `blob rows +${copied.rows}, bytes +${copied.bytes}; tree rows +${rowsCopied} in all ${o.runs + 1} rounds`,
      target: "≤ 100 ms p50, 0 content bytes copied",
      verdict: verdict(p50 <= 100 && zero),
    });
  }
  const addedMiB = (metaAfter - metaBefore) / 2 ** 20;
  o.rows.push({
    id: "14d",
    what: `${o.forks} more forks of that snapshot (a template), one after another`,
    cairn: `${formatMs(forksMs)} in all, p50 ${formatMs(median(forkTimes))}; +${addedMiB.toFixed(1)} MiB, ${((metaAfter - metaBefore) / o.forks).toFixed(0)} bytes of metadata per fork`,
    reference: `blob rows +${forksCopied.rows}, bytes +${forksCopied.bytes}; tree rows +${rowsAfter - rowsBeforeForks}`,
    target: "metadata only",
    verdict: verdict(forksZero),
  });

  // The commit log's cost: the same work with and without log entries reaching storage.
  const plain = new SandboxService({ backend: withoutLog(o.backend) });
  const logged = new SandboxService({ backend: o.backend });
  const script = "for i in $(seq 1000); do echo $i > f$i; done";
  const loop = async (s: SandboxService) => {
    const { id } = await s.create(o.scope);
    const started = performance.now();
    const out = await execScript(s, o.scope, id, { script });
    if (out.exitCode !== 0) throw new Error("loop failed");
    return performance.now() - started;
  };
  const loopWith: number[] = [];
  const loopWithout: number[] = [];
  for (let i = 0; i < o.loopRuns + 1; i++) {
    const w = await loop(logged);
    const wo = await loop(plain);
    if (i === 0) continue;
    loopWith.push(w);
    loopWithout.push(wo);
  }
  const loadWithout = performance.now();
  const flat = await plain.create(o.scope, { files: seedFiles(o.files, o.fileBytes) });
  const plainLoadMs = performance.now() - loadWithout;
  for (const [id, what, w, wo] of [
    ["14e", "1,000-write loop with the commit log", median(loopWith), median(loopWithout)],
    ["14f", `${o.files}-file load with the commit log`, loadMs, plainLoadMs],
  ] as const) {
    o.rows.push({
      id,
      what,
      cairn: formatMs(w),
      reference: `without ${formatMs(wo)}`,
      ratio: `${(w / wo).toFixed(2)}×`,
      target: "≤ 1.10×",
      verdict: verdict(w <= wo * 1.1),
    });
  }
  // What sharing costs reads: a cold load of a fork's tree (its layers merged) against a
  // sandbox of the same size that was never frozen (one layer).
  const lastFork = (await post("/v1/sandboxes", { from: { snapshotId } })).id;
  const [depth] = await o.sql<Array<{ n: number }>>`
    SELECT cardinality(layers) AS n FROM sandboxes WHERE id = ${lastFork}`;
  const coldLoad = async (id: string) => {
    const times: number[] = [];
    for (let i = 0; i < Math.max(5, o.runs) + 1; i++) {
      const started = performance.now();
      await o.backend.loadTree(o.scope.tenantId, id);
      if (i > 0) times.push(performance.now() - started);
    }
    return median(times);
  };
  const forkLoad = await coldLoad(lastFork);
  const flatLoad = await coldLoad(flat.id);
  o.rows.push({
    id: "14h",
    what: `backend.loadTree of a fork (${depth?.n} layers merged)`,
    cairn: `p50 ${formatMs(forkLoad)}`,
    reference: `a ${o.files}-file sandbox never frozen (1 layer): p50 ${formatMs(flatLoad)}`,
    ratio: `${(forkLoad / flatLoad).toFixed(2)}×`,
    verdict: "info",
  });
  await watchLatency(o);
  o.notes.push(
    `14 blobs before the snapshots and forks: ${before.rows} rows / ${before.bytes} bytes; after: ${after.rows} / ${after.bytes} (the difference is the ${2 * (o.runs + 1)} small files written between rounds, untimed). The 10k-file loads are single runs (the second one writes content that already exists, so its blob upserts find rows).`,
  );
}

/** Commit-to-watcher latency: a write through one replica, its event on a watcher of the other. */
async function watchLatency(o: HistoryBenchOptions): Promise<void> {
  const headers = { authorization: `Bearer ${o.apiKey}` };
  const created = await fetch(`${o.baseUrl}/v1/sandboxes`, {
    method: "POST",
    headers: { ...headers, "content-type": "application/json" },
    body: "{}",
  });
  const { id } = (await created.json()) as { id: string };
  const controller = new AbortController();
  const res = await fetch(`${o.replicaUrl}/v1/sandboxes/${id}/events`, {
    headers: { ...headers, accept: "text/event-stream" },
    signal: controller.signal,
  });
  const reader = res.body!.getReader();
  const parser = new SseParser();
  const arrived = new Map<number, number>();
  let waiting: (() => void) | undefined;
  const reading = (async () => {
    for (;;) {
      const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (done) return;
      for (const event of parser.push(value!)) {
        if (event.event === "commit") arrived.set(Number(event.id), performance.now());
      }
      waiting?.();
    }
  })();
  const fromResponse: number[] = [];
  const fromRequest: number[] = [];
  const runs = Math.max(20, o.runs * 2);
  for (let i = 0; i < runs + 1; i++) {
    const sent = performance.now();
    const put = await fetch(`${o.baseUrl}/v1/sandboxes/${id}/files?path=/w`, {
      method: "PUT",
      headers: { ...headers, "content-type": "application/octet-stream" },
      body: String(i),
    });
    const answered = performance.now();
    const version = Number(((await put.json()) as { version: number }).version);
    while (!arrived.has(version)) await new Promise<void>((r) => (waiting = r));
    if (i === 0) continue;
    fromResponse.push(Math.max(0, arrived.get(version)! - answered));
    fromRequest.push(arrived.get(version)! - sent);
  }
  controller.abort();
  await reading;
  const p50 = median(fromResponse);
  o.rows.push({
    id: "14g",
    what: "commit to watcher on the other replica",
    cairn: `p50 ${formatMs(p50)} after the write's answer`,
    reference: `p50 ${formatMs(median(fromRequest))} after the write was sent`,
    target: "≤ 50 ms p50",
    verdict: verdict(p50 <= 50),
  });
}
