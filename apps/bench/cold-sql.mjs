// scratch: cost of loading a 10k tree in different encodings
import { createBenchDatabase } from "./dist/database.js";
import { generateCorpus } from "./dist/corpus.js";
import { connect, migrate, createPostgresBackend } from "@cairn/backend-postgres";
import { SandboxService } from "@cairn/core";
const db = await createBenchDatabase();
const sql = connect(db.url, { max: 10 });
const scope = { tenantId: "00000000-0000-4000-8000-000000000001" };
const t = async (label, fn) => { const ms=[]; let v; for (let i=0;i<7;i++){const t0 = performance.now(); v = await fn(); ms.push(performance.now()-t0);} ms.sort((a,b)=>a-b); console.log(label, ms[3].toFixed(1), "ms"); return v; };
try {
  await migrate(sql);
  const pg = createPostgresBackend({ sql });
  const service = new SandboxService({ backend: pg });
  const corpus = generateCorpus({ files: 10000 });
  const { id } = await service.create(scope, { files: corpus.files.map((f) => ({ path: f.path, bytes: f.bytes })) });
  await pg.idle();
  const T = scope.tenantId;
  await t("loadTree", () => pg.loadTree(T, id));
  await t("inodes rows", () => sql`SELECT ino::float8 AS ino, kind, mode, mtime_ms::float8 AS mtime_ms, size::float8 AS size, blob, target, meta FROM inodes WHERE tenant_id=${T} AND sandbox_id=${id}`);
  await t("dentries rows", () => sql`SELECT parent::float8 AS parent, name, ino::float8 AS ino FROM dentries WHERE tenant_id=${T} AND sandbox_id=${id}`);
  await t("inodes count", () => sql`SELECT count(*) FROM inodes WHERE tenant_id=${T} AND sandbox_id=${id}`);
  await t("inodes json columnar", async () => { const [r] = await sql`SELECT json_build_array(array_agg(ino), array_agg(kind), array_agg(mode), array_agg(mtime_ms), array_agg(size), array_agg(blob), array_agg(target), array_agg(meta))::text AS j FROM inodes WHERE tenant_id=${T} AND sandbox_id=${id}`; return JSON.parse(r.j); });
  await t("dentries json columnar", async () => { const [r] = await sql`SELECT json_build_array(array_agg(parent), array_agg(name), array_agg(ino))::text AS j FROM dentries WHERE tenant_id=${T} AND sandbox_id=${id}`; return JSON.parse(r.j); });
  await t("inodes json sql only", async () => sql`SELECT length(json_build_array(array_agg(ino), array_agg(kind), array_agg(mode), array_agg(mtime_ms), array_agg(size), array_agg(blob), array_agg(target), array_agg(meta))::text) AS j FROM inodes WHERE tenant_id=${T} AND sandbox_id=${id}`);
  await t("string_agg inodes", async () => { const [r] = await sql`SELECT string_agg(ino || ',' || kind::text || ',' || mode || ',' || mtime_ms || ',' || size || ',' || coalesce(blob,''), E'\n') AS j FROM inodes WHERE tenant_id=${T} AND sandbox_id=${id}`; return r.j.length; });
  const plan = await sql.unsafe(`EXPLAIN (ANALYZE, BUFFERS) SELECT ino, kind, mode, mtime_ms, size, blob, target, meta FROM inodes WHERE tenant_id='${T}' AND sandbox_id='${id}'`);
  console.log(plan.map(r=>r["QUERY PLAN"]).join("\n"));
} finally { await sql.end(); await db.drop(); }
