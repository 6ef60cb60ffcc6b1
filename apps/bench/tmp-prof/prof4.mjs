import postgres from "postgres";
import { createPostgresBackend } from "@cairn/backend-postgres";
import { createApp } from "@cairn/server";
const sql = postgres(`postgres://postgres@127.0.0.1:5432/cairn_i17_prof`, { onnotice: () => {} });
const pg = createPostgresBackend({ sql });
const app = createApp({ backend: pg, apiKey: null });
const [row] = await sql`SELECT id FROM sandboxes WHERE name = 'big' LIMIT 1`;
const url = process.argv[2].replace("ID", row.id);
for (let i = 0; i < 1000; i++) { const r = await app.request(url); await r.text(); }
await sql.end();
