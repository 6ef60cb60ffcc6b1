import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
let t0 = performance.now();
const db = await PGlite.create({ extensions: { pg_trgm } });
console.log("first", performance.now() - t0);
t0 = performance.now();
const d2 = await PGlite.create({ extensions: { pg_trgm } });
console.log("second", performance.now() - t0);
t0 = performance.now();
if (db.clone) { const d3 = await db.clone(); console.log("clone", performance.now() - t0); }
t0 = performance.now();
await d2.close(); console.log("close", performance.now() - t0, process.memoryUsage().rss/1e6);
