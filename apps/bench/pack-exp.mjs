import { createBenchDatabase } from "./dist/database.js";
import { generateCorpus } from "./dist/corpus.js";
import { connect, migrate, createPostgresBackend } from "@cairn/backend-postgres";
import { SandboxService } from "@cairn/core";
import { Tree } from "../../packages/core/dist/tree.js";
import { unpackTree } from "../../packages/core/dist/tree-wire.js";
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
  const data = await pg.loadTree(scope.tenantId, id);
  const tree = Tree.fromData(data);
  const packed = await t("pack", () => tree.pack());
  const cloned = await t("clone packed", () => structuredClone(packed));
  await t("unpack+fromData", () => Tree.fromData(unpackTree(cloned)));
  await t("all", () => Tree.fromData(unpackTree(structuredClone(tree.pack()))));
  await t("loadTree", () => pg.loadTree(scope.tenantId, id));
} finally { await sql.end(); await db.drop(); }
