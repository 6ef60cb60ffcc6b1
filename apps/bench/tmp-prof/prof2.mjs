import postgres from "postgres";
import { createPostgresBackend } from "@cairn/backend-postgres";
import { SandboxService, grep, Vfs } from "@cairn/core";
const sql = postgres(`postgres://postgres@127.0.0.1:5432/cairn_i17_prof`, { onnotice: () => {} });
const pg = createPostgresBackend({ sql });
const scope = { tenantId: "default" };
const service = new SandboxService({ backend: pg });
const [row] = await sql`SELECT id FROM sandboxes WHERE name = 'big' LIMIT 1`;
const id = row.id;
const acc = { cand: [], read: [], total: [] };
const cands = async (files, query) => { const s = performance.now(); const r = await pg.grepCandidates(scope.tenantId, files.map((f) => f.hash), query); acc.cand.push(performance.now() - s); return r; };
const orig = Vfs.prototype.readFiles;
Vfs.prototype.readFiles = async function (paths) { const s = performance.now(); const r = await orig.call(this, paths); acc.read.push(performance.now() - s); return r; };
for (let i = 0; i < 300; i++) {
  const s = performance.now();
  await service.read(scope, id, (vfs) => grep(vfs, { pattern: "RARE", fixedString: true, path: "/w" }, cands));
  acc.total.push(performance.now() - s);
}
for (const [k, v] of Object.entries(acc)) { const x = v.slice(5).sort((a, b) => a - b); console.log(k, x[x.length >> 1].toFixed(2), "min", x[0].toFixed(2)); }
await sql.end();
