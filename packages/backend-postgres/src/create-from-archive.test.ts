/** A sandbox create seeded with archive entries stores every row or none (PostgreSQL). */
import { type ArchiveHeader, ArchiveStager, SandboxService } from "@cairn/core";
import type { Sql } from "postgres";
import { describe, expect, it } from "vitest";
import { createPostgresBackend } from "./postgres-backend.js";
import { useTestDatabase } from "./test-database.js";

const database = useTestDatabase();
const enc = (s: string) => new TextEncoder().encode(s);

/** Entries as a reader would stage them: headers checked, then content added. */
function entries(headers: Array<Partial<ArchiveHeader> & { name: string; content?: string }>) {
  const stager = new ArchiveStager();
  for (const { content, ...h } of headers) {
    const bytes = content === undefined ? undefined : enc(content);
    const staged = stager.header({
      kind: "file",
      mode: 0o644,
      mtimeMs: 1_700_000_000_000,
      size: bytes?.length ?? 0,
      ...h,
    });
    stager.add(staged, bytes);
  }
  return stager.entries;
}

/** Rows in every table of the database, by table. */
async function rowCounts(sql: Sql): Promise<Record<string, number>> {
  const tables = await sql<Array<{ name: string }>>`
    SELECT table_name AS name FROM information_schema.tables
    WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1`;
  const counts: Record<string, number> = {};
  for (const { name } of tables) {
    const [row] = await sql<Array<{ n: number }>>`SELECT count(*)::int AS n FROM ${sql(name)}`;
    counts[name] = row?.n ?? 0;
  }
  return counts;
}

describe("create with archive entries", () => {
  it("stores the sandbox with every entry in one version, or, refused, leaves no row anywhere", async () => {
    const { sql } = database();
    const service = new SandboxService({ backend: createPostgresBackend({ sql }) });
    const scope = { tenantId: "t", quota: { maxBytes: 1 << 20, maxFiles: 10 } };
    const before = await rowCounts(sql);

    // Over the quota: the machine directories and eight files are more than 10 entries.
    const many = entries(Array.from({ length: 8 }, (_, i) => ({ name: `f${i}`, content: "x" })));
    await expect(service.create(scope, { archive: { entries: many } })).rejects.toMatchObject({
      code: "EDQUOT",
    });
    // Refused while applying: a file below a symlink the archive made.
    const through = entries([
      { name: "link", kind: "symlink", linkName: "dir" },
      { name: "link/x", content: "x" },
    ]);
    await expect(service.create(scope, { archive: { entries: through } })).rejects.toMatchObject({
      code: "archive_unsafe_entry",
    });
    expect(await rowCounts(sql)).toEqual(before);

    const seeded = await service.create(scope, {
      archive: { entries: entries([{ name: "src/a.txt", content: "kept" }]), destination: "/w" },
    });
    expect(seeded.version).toBe(1);
    const vfs = (await service.read(scope, seeded.id, (v) => v)).value;
    expect(new TextDecoder().decode(await vfs.readFile("/w/src/a.txt"))).toBe("kept");
    const after = await rowCounts(sql);
    expect(after.sandboxes).toBe((before.sandboxes ?? 0) + 1);
  });
});
