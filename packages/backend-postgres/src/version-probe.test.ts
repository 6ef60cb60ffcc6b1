/** The one-round-trip check that a cached tree is current: escaping, tenancy, changes. */
import { SandboxService } from "@cairn/core";
import { describe, expect, it } from "vitest";
import { createPostgresBackend } from "./postgres-backend.js";
import { literal } from "./rows.js";
import { useTestDatabase } from "./test-database.js";

const database = useTestDatabase();
const enc = (s: string) => new TextEncoder().encode(s);

describe("version probe", () => {
  it("quotes literals so that Postgres reads back the same text", async () => {
    for (const text of ["plain", "o'brien", "back\\slash", "\\'; DROP TABLE blobs; --", "é ✓"]) {
      const [row] = await database().sql.unsafe(`SELECT ${literal(text)} AS value`);
      expect(row?.value).toBe(text);
    }
    expect(() => literal("nul\0")).toThrow();
  });

  it("answers unchanged, changed and gone for a tenant whose id needs escaping", async () => {
    const tenantId = "it's a \\tenant";
    const backend = createPostgresBackend({ sql: database().sql });
    const { id } = await new SandboxService({ backend }).create(
      { tenantId },
      { files: [{ path: "/a", bytes: enc("1") }] },
    );
    const first = await backend.loadTree(tenantId, id, undefined);
    if (first === undefined || first === "unchanged") throw new Error("no tree");
    expect(await backend.loadTree(tenantId, id, first.version)).toBe("unchanged");
    // Another replica commits: the probe sees the new version and the tree is read again.
    const other = new SandboxService({ backend: createPostgresBackend({ sql: database().sql }) });
    await other.mutate({ tenantId }, id, (vfs) => vfs.writeFile("/b", enc("2")));
    const second = await backend.loadTree(tenantId, id, first.version);
    expect(second).not.toBe("unchanged");
    expect(second && second !== "unchanged" ? second.version : 0).toBe(first.version + 1);
    // Another tenant's probe finds nothing.
    expect(await backend.loadTree("someone else", id, first.version)).toBeUndefined();
    await other.delete({ tenantId }, id);
    expect(await backend.loadTree(tenantId, id, first.version)).toBeUndefined();
  });
});
