// scratch: cold open over HTTP with a worker pool
import { availableParallelism } from "node:os";
import { createBenchDatabase } from "./dist/database.js";
import { generateCorpus } from "./dist/corpus.js";
import { connect, migrate, createPostgresBackend } from "@cairn/backend-postgres";
import { SandboxService, WorkerPool, execScript } from "@cairn/core";
import { createApp, startServer } from "@cairn/server";
const db = await createBenchDatabase();
const sql = connect(db.url, { max: 10 });
const scope = { tenantId: "default" };
const API_KEY = "k".repeat(32);
try {
  await migrate(sql);
  const pg = createPostgresBackend({ sql });
  const service = new SandboxService({ backend: pg });
  const corpus = generateCorpus({ files: 10000 });
  const serve = async () => {
    const pool = new WorkerPool({ workers: availableParallelism() }); await pool.warmed();
    const app = createApp({ backend: pg, service: new SandboxService({ backend: pg }), apiKey: API_KEY, runner: pool });
    const server = await startServer({ app, port: 0 });
    const exec = async (id, script) => { const r = await fetch(`${server.url}/v1/sandboxes/${id}/exec`, { method: "POST", headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" }, body: JSON.stringify({ script }) }); const j = await r.json(); if (!r.ok) throw new Error(JSON.stringify(j)); return j; };
    const create = async (body) => { const r = await fetch(`${server.url}/v1/sandboxes`, { method: "POST", headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" }, body: JSON.stringify(body) }); return r.json(); };
    return { exec, create, close: async () => { await server.close(); await pool.close(); } };
  };
  const first = await serve();
  const dec = new TextDecoder();
  const big = await first.create({ files: corpus.files.map((f) => ({ path: f.path, content: dec.decode(f.bytes) })) });
  const warm = await first.create({});
  await pg.idle();
  await first.close();
  for (let r = 0; r < 5; r++) {
    const s = await serve();
    await s.exec(warm.id, "true"); await new Promise((r) => setTimeout(r, Number(process.env.WAIT ?? 0)));
    const t0 = performance.now();
    await s.exec(big.id, "ls /w");
    const t1 = performance.now();
    await s.exec(big.id, "ls /w");
    const t2 = performance.now();
    console.log(`cold ${(t1 - t0).toFixed(1)} ms, then warm ${(t2 - t1).toFixed(1)} ms`);
    await s.close();
  }
} finally { await sql.end(); await db.drop(); }
