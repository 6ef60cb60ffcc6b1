import { createBenchDatabase } from "./dist/database.js";
import { generateCorpus } from "./dist/corpus.js";
import { connect, migrate, createPostgresBackend } from "@cairn/backend-postgres";
import { SandboxService } from "@cairn/core";
const db = await createBenchDatabase();
const sql = connect(db.url, { max: 10 });
const scope = { tenantId: "00000000-0000-4000-8000-000000000001" };
const t = async (label, fn) => { const ms=[]; let v; for (let i=0;i<9;i++){const t0 = performance.now(); v = await fn(); ms.push(performance.now()-t0);} ms.sort((a,b)=>a-b); console.log(label, ms[4].toFixed(2), "ms"); return v; };
try {
  await migrate(sql);
  const pg = createPostgresBackend({ sql });
  const service = new SandboxService({ backend: pg });
  const corpus = generateCorpus({ files: 10000 });
  const { id } = await service.create(scope, { files: corpus.files.map((f) => ({ path: f.path, bytes: f.bytes })) });
  await pg.idle();
  const T = scope.tenantId;
  await t("loadTree", () => pg.loadTree(T, id));
  await t("inodes agg", () => sql`SELECT string_agg(concat_ws(',', ino, kind, mode, mtime_ms, size, coalesce(blob, '')), ',') FROM inodes i WHERE i.tenant_id = ${T} AND i.sandbox_id = ${id}`);
  await t("inodes agg len", () => sql`SELECT length(string_agg(concat_ws(',', ino, kind, mode, mtime_ms, size, coalesce(blob, '')), ',')) FROM inodes i WHERE i.tenant_id = ${T} AND i.sandbox_id = ${id}`);
  await t("dentries agg", () => sql`SELECT string_agg(parent || '/' || name || '/' || ino, '/') FROM dentries i WHERE i.tenant_id = ${T} AND i.sandbox_id = ${id}`);
  await t("dentries agg len", () => sql`SELECT length(string_agg(parent || '/' || name || '/' || ino, '/')) FROM dentries i WHERE i.tenant_id = ${T} AND i.sandbox_id = ${id}`);
  await t("extras", () => sql`SELECT json_agg(json_build_array(ino, target, meta)) FROM inodes i WHERE i.tenant_id = ${T} AND i.sandbox_id = ${id} AND (target IS NOT NULL OR meta IS NOT NULL)`);
  const [r] = await sql`SELECT string_agg(concat_ws(',', ino, kind, mode, mtime_ms, size, coalesce(blob, '')), ',') AS s FROM inodes i WHERE i.tenant_id = ${T} AND i.sandbox_id = ${id}`;
  console.log("inode string bytes", r.s.length);
  await t("split", () => r.s.split(","));
  console.log((await sql.unsafe(`EXPLAIN ANALYZE SELECT string_agg(concat_ws(',', ino, kind, mode, mtime_ms, size, coalesce(blob, '')), ',') FROM inodes i WHERE i.tenant_id = '${T}' AND i.sandbox_id = '${id}'`)).map(r=>r["QUERY PLAN"]).join("\n"));
  console.log((await sql.unsafe(`EXPLAIN ANALYZE SELECT string_agg(parent || '/' || name || '/' || ino, '/') FROM dentries i WHERE i.tenant_id = '${T}' AND i.sandbox_id = '${id}'`)).map(r=>r["QUERY PLAN"]).join("\n"));
} finally { await sql.end(); await db.drop(); }
