/**
 * Section 12: archive import throughput. A real source tree (TypeScript's own
 * `lib/`, from node_modules) uploaded as one tar over HTTP into Postgres,
 * against raw `COPY ... FROM STDIN (FORMAT binary)` of the same bytes into a
 * scratch table.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { type TarSource, tarStream } from "@cairn/server";
import type { Sql } from "postgres";
import { copyIntoScratch } from "./database.js";
import { type Row, verdict } from "./report.js";
import { formatMs, median } from "./stats.js";

export interface ArchiveBenchOptions {
  sql: Sql;
  baseUrl: string;
  apiKey: string;
  runs: number;
  rows: Row[];
  notes: string[];
}

interface TreeFile {
  path: string;
  bytes: Uint8Array;
  mode: number;
  mtimeMs: number;
}

/** `typescript/lib`: ~100 real files, a few of them MBs of JavaScript. */
export function typescriptLib(): { root: string; files: TreeFile[] } {
  const pkg = createRequire(import.meta.url).resolve("typescript/package.json");
  const root = join(dirname(pkg), "lib");
  const files: TreeFile[] = [];
  const walk = (dir: string, prefix: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const st = statSync(path);
      const rel = prefix ? `${prefix}/${name}` : name;
      if (st.isDirectory()) walk(path, rel);
      else if (st.isFile()) {
        files.push({
          path: rel,
          bytes: new Uint8Array(readFileSync(path)),
          mode: st.mode & 0o7777,
          mtimeMs: Math.floor(st.mtimeMs),
        });
      }
    }
  };
  walk(root, "");
  return { root, files };
}

async function tarOf(files: readonly TreeFile[]): Promise<Uint8Array> {
  const sources: TarSource[] = files.map((f) => ({
    entry: { name: f.path, kind: "file", mode: f.mode, mtimeMs: f.mtimeMs, size: f.bytes.length },
    content: async () => f.bytes,
  }));
  return new Uint8Array(await new Response(tarStream(sources)).arrayBuffer());
}

async function importOnce(o: ArchiveBenchOptions, body: Uint8Array, type: string) {
  const auth = { authorization: `Bearer ${o.apiKey}` };
  const created = await fetch(`${o.baseUrl}/v1/sandboxes`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/json" },
    body: "{}",
  });
  const { id } = (await created.json()) as { id: string };
  const started = performance.now();
  const res = await fetch(`${o.baseUrl}/v1/sandboxes/${id}/archive?path=/lib`, {
    method: "POST",
    headers: { ...auth, "content-type": type },
    body: body as Uint8Array<ArrayBuffer>,
  });
  const result = await res.text();
  const ms = performance.now() - started;
  if (!res.ok) throw new Error(`archive import: ${res.status} ${result}`);
  await fetch(`${o.baseUrl}/v1/sandboxes/${id}`, { method: "DELETE", headers: auth });
  return ms;
}

export async function archiveImport(o: ArchiveBenchOptions): Promise<void> {
  const { root, files } = typescriptLib();
  const bytes = files.reduce((n, f) => n + f.bytes.length, 0);
  const mb = bytes / 1e6;
  const tar = await tarOf(files);
  const gz = gzipSync(tar);

  const copyMs: number[] = [];
  const httpMs: number[] = [];
  const gzMs: number[] = [];
  for (let i = 0; i < o.runs; i++) {
    copyMs.push(
      await copyIntoScratch(
        o.sql,
        "bench_archive_scratch",
        files.map((f) => ({ path: f.path, bytes: f.bytes })),
      ),
    );
    await o.sql`DROP TABLE bench_archive_scratch`;
    // Each import is a new sandbox of the same tenant, with the same content each time.
    httpMs.push(await importOnce(o, tar, "application/x-tar"));
    gzMs.push(await importOnce(o, gz, "application/gzip"));
  }
  const copy = median(copyMs);
  const http = median(httpMs);
  const first = httpMs[0] ?? http;
  const zipped = median(gzMs);
  const rate = (ms: number) => mb / (ms / 1000);
  o.rows.push({
    id: "12",
    what: `archive import over HTTP, ${files.length} files / ${mb.toFixed(1)} MB (typescript/lib), plain tar`,
    cairn: `first ${formatMs(first)} = ${rate(first).toFixed(1)} MB/s; p50 ${formatMs(http)} = ${rate(http).toFixed(1)} MB/s`,
    reference: `COPY binary p50 ${formatMs(copy)} = ${rate(copy).toFixed(1)} MB/s`,
    ratio: `${((rate(first) / rate(copy)) * 100).toFixed(0)} % of COPY (first)`,
    target: "≥ 50 % of COPY",
    verdict: verdict(rate(first) >= rate(copy) * 0.5),
  });
  o.rows.push({
    id: "12",
    what: `  the same as tar.gz (${(gz.length / 1e6).toFixed(1)} MB on the wire)`,
    cairn: `p50 ${formatMs(zipped)} = ${rate(zipped).toFixed(1)} MB/s unpacked`,
    target: "—",
    verdict: "info",
  });
  o.notes.push(
    `12 archive import: ${root}, ${o.runs} runs, each into a new sandbox of one tenant (same content each time); the tar (${(tar.length / 1e6).toFixed(1)} MB) is built in memory beforehand; the HTTP time covers sending, reading and checking the tar, staging it, one commit, and the response`,
  );
}
