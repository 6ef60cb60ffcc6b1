// Runs one SQL statement against a Postgres URL: how the tests create and drop their databases
// without needing psql (a machine with only Node has none; postgres.js comes with the workspace).
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(
  join(fileURLToPath(new URL("../../backend-postgres/", import.meta.url)), "package.json"),
);
const postgres = require("postgres");

const [url, statement] = process.argv.slice(2);
if (!url || !statement) {
  console.error("usage: node sql.mjs <postgres-url> <statement>");
  process.exit(2);
}
const sql = postgres(url, { max: 1, onnotice: () => {} });
try {
  await sql.unsafe(statement);
} catch (error) {
  console.error(String(error));
  process.exitCode = 1;
} finally {
  await sql.end({ timeout: 5 });
}
