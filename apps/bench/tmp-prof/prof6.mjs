import postgres from "postgres";
import { createPostgresBackend } from "@cairn/backend-postgres";
import { SandboxService, grep } from "@cairn/core";
const sql = postgres(`postgres://postgres@127.0.0.1:5432/cairn_i17_prof`, { onnotice: () => {} });
const pg = createPostgresBackend({ sql });
const scope = { tenantId: "default" };
const service = new SandboxService({ backend: pg });
const [row] = await sql`SELECT id FROM sandboxes WHERE name = 'big' LIMIT 1`;
const cands = (files, query) => pg.grepCandidates(scope.tenantId, files.map((f) => f.hash), query);
const out = [];
for (let i = 0; i < 40; i++) {
  const s = performance.now();
  await service.read(scope, row.id, (vfs) => grep(vfs, { pattern: "RARE", fixedString: true, path: "/w" }, cands));
  out.push((performance.now() - s).toFixed(1));
}
console.log(out.join(" "));
await sql.end();
