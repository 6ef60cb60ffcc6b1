import postgres from "postgres";
import { createPostgresBackend } from "@cairn/backend-postgres";
import { createApp } from "@cairn/server";
const sql = postgres(`postgres://postgres@127.0.0.1:5432/cairn_i17_prof`, { onnotice: () => {} });
const pg = createPostgresBackend({ sql });
const app = createApp({ backend: pg, apiKey: null });
const [row] = await sql`SELECT id FROM sandboxes WHERE name = 'big' LIMIT 1`;
const id = row.id;
const t = async (label, url, runs = 15) => {
  const ms = [];
  for (let i = 0; i < runs + 2; i++) { const s = performance.now(); const r = await app.request(url); await r.text(); if (i >= 2) ms.push(performance.now() - s); if (i === 0 && r.status !== 200) console.log(r.status, await r.text()); }
  ms.sort((a, b) => a - b);
  console.log(label.padEnd(30), ms[ms.length >> 1].toFixed(2), "min", ms[0].toFixed(2));
};
await t("grep RARE", `/v1/sandboxes/${id}/fs/grep?pattern=RARE&fixedString=true&path=/w`);
await t("grep regex", `/v1/sandboxes/${id}/fs/grep?pattern=${encodeURIComponent("RARE_[0-9a-f]{4}")}&path=/w`);
await t("search rare", `/v1/sandboxes/${id}/fs/search?q=rare&path=/w`);
await t("search retry backoff", `/v1/sandboxes/${id}/fs/search?q=retry%20backoff&path=/w`);
await sql.end();
