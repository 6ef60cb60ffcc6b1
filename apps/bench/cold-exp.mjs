// scratch: where a cold open of a 10k-file sandbox spends its time
import { createBenchDatabase } from "./dist/database.js";
import { generateCorpus } from "./dist/corpus.js";
import { connect, migrate, createPostgresBackend } from "@cairn/backend-postgres";
import { SandboxService, execScript, WorkerPool } from "@cairn/core";
const db = await createBenchDatabase();
const sql = connect(db.url, { max: 10 });
const scope = { tenantId: "00000000-0000-4000-8000-000000000001" };
const t = async (label, fn) => { const t0 = performance.now(); const v = await fn(); console.log(label, (performance.now()-t0).toFixed(1), "ms"); return v; };
try {
  await migrate(sql);
  const pg = createPostgresBackend({ sql });
  const service = new SandboxService({ backend: pg });
  const corpus = generateCorpus({ files: 10000 });
  const seed = corpus.files.map((f) => ({ path: f.path, bytes: f.bytes }));
  const { id } = await service.create(scope, { files: seed });
  await pg.idle();
  for (let r = 0; r < 5; r++) {
    await t("getSandbox", () => pg.getSandbox(scope.tenantId, id));
    await t("loadTree", () => pg.loadTree(scope.tenantId, id));
    const { Tree } = await import("../../packages/core/dist/tree.js");
    const data = await pg.loadTree(scope.tenantId, id);
    await t("Tree.fromData", () => Tree.fromData(data));
    const { structuredClone: sc } = globalThis;
    await t("structuredClone", () => sc(data));
    await t("execScript cold", () => execScript(new SandboxService({ backend: pg }), scope, id, { script: "ls /w" }));
    const svc = new SandboxService({ backend: pg });
    await t("execScript cold 2", () => execScript(svc, scope, id, { script: "ls /w" }));
    await t("execScript warm", () => execScript(svc, scope, id, { script: "ls /w" }));
  }
} finally { await sql.end(); await db.drop(); }
