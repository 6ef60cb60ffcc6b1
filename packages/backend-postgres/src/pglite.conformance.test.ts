/** The whole conformance suite on the embedded default: PGlite through postgres.js. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeConformance } from "@cairn/conformance/vitest";
import { connect } from "./connect.js";
import { startEmbeddedPostgres } from "./embedded.js";
import { migrate } from "./migrate.js";
import { createPostgresBackend } from "./postgres-backend.js";

describeConformance({
  name: "pglite (embedded) backend",
  createBackend: async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "cairn-pglite-"));
    const pg = await startEmbeddedPostgres({ dataDir });
    const sql = connect(pg.url, { max: 1 });
    await migrate(sql);
    const backend = createPostgresBackend({ sql });
    return {
      ...backend,
      close: async () => {
        await sql.end({ timeout: 5 });
        await pg.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  },
});
