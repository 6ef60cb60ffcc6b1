// Throwaway profiler (not committed): grep/search breakdown on a kept database.
import postgres from "postgres";
import { createPostgresBackend, migrate } from "@cairn/backend-postgres";
import { SandboxService, grep, search } from "@cairn/core";
import { generateCorpus } from "../dist/corpus.js";
const DB = "cairn_i17_prof";
const admin = postgres("postgres://postgres@127.0.0.1:5432/postgres", { max: 1, onnotice: () => {} });
const [exists] = await admin`SELECT 1 FROM pg_database WHERE datname = ${DB}`;
if (!exists) await admin.unsafe(`CREATE DATABASE ${DB}`);
await admin.end();
const sql = postgres(`postgres://postgres@127.0.0.1:5432/${DB}`, { onnotice: () => {} });
await migrate(sql);
const pg = createPostgresBackend({ sql });
const scope = { tenantId: "default" };
const service = new SandboxService({ backend: pg });
let [row] = await sql`SELECT id FROM sandboxes WHERE name = 'big' LIMIT 1`;
if (!row) {
  const corpus = generateCorpus({ files: 10000 });
  const rec = await service.create(scope, { name: "big", files: corpus.files.map((f) => ({ path: f.path, bytes: f.bytes })) });
  await pg.idle();
  await sql`ANALYZE blob_text`;
  row = { id: rec.id };
}
const id = row.id;
const cands = (files, query) => pg.grepCandidates(scope.tenantId, files.map((f) => f.hash), query);
const t = async (label, fn, runs = 25) => {
  const ms = [];
  let v;
  for (let i = 0; i < runs + 2; i++) { const s = performance.now(); v = await fn(); if (i >= 2) ms.push(performance.now() - s); }
  ms.sort((a, b) => a - b);
  console.log(label.padEnd(40), ms[ms.length >> 1].toFixed(2), "ms; min", ms[0].toFixed(2));
  return v;
};
const what = process.argv[2] ?? "all";
const ballast = process.env.BALLAST ? Array.from({ length: Number(process.env.BALLAST) }, (_, i) => ({ i, s: "x" + i, b: Buffer.alloc(5000) })) : [];
if (what === "heavy") { for (const q of ["retry backoff"]) await service.read(scope, id, (vfs) => search(vfs, { query: q, path: "/w" })); }
if (what === "all" || what === "grep" || what === "heavy") {
  await t("service.read noop", () => service.read(scope, id, () => 1));
  for (const [pattern, fixedString] of [["RARE", true], ["RARE_[0-9a-f]{4}", false]]) {
    const q = { pattern, fixedString, ignoreCase: false };
    const hashes = (await service.read(scope, id, (vfs) => { const h = []; for (const ino of vfs.journal.base.inodeNumbers()) { const i = vfs.journal.base.inode(ino); if (i.kind === "file") h.push(i.blob); } return h; })).value;
    await t(`grepCandidates ${pattern}`, () => pg.grepCandidates(scope.tenantId, hashes, q));
    await t(`grep ${pattern} no candidates hit`, () => service.read(scope, id, (vfs) => grep(vfs, { pattern, fixedString, path: "/w" }, async () => new Set())));
    const r = await t(`grep ${pattern}`, () => service.read(scope, id, (vfs) => grep(vfs, { pattern, fixedString, path: "/w" }, cands)));
    console.log("  matches", r.value.matches.length, r.value.filesSearched);
  }
}
if (what === "all" || what === "search") {
  for (const q of ["rare", "retry backoff"]) {
    const r = await t(`search ${q}`, () => service.read(scope, id, (vfs) => search(vfs, { query: q, path: "/w" }, cands)), 30);
    console.log("  hits", r.value.totalHits, JSON.stringify(r.value.hits[0]).slice(0, 200));
  }
}
await sql.end();
