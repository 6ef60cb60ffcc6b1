/** The one-round-trip check that a cached tree is current: escaping, tenancy, changes. */
import { SandboxService } from "@cairn/core";
import { describe, expect, it } from "vitest";
import { createPostgresBackend } from "./postgres-backend.js";
import { literal } from "./rows.js";
import { useTestDatabase } from "./test-database.js";
import { type SimpleQuery, versionProbe } from "./version-probe.js";

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

describe("version probe batches", () => {
  it("answers probes of several tenants, batched behind two queries in flight", async () => {
    const backend = createPostgresBackend({ sql: database().sql });
    const service = new SandboxService({ backend });
    const a = await service.create({ tenantId: "batch-a" }, {});
    const b = await service.create({ tenantId: "batch-b" }, {});
    const queries: string[] = [];
    const probe = versionProbe(async (text) => {
      queries.push(text);
      return (await database().sql.unsafe(text)) as unknown as ReadonlyArray<
        ReadonlyArray<unknown>
      >;
    });
    const answers = await Promise.all([
      probe("batch-a", a.id),
      probe("batch-b", b.id),
      probe("batch-a", a.id),
      probe("batch-a", b.id), // b's sandbox, asked as tenant a: not found
      probe("batch-b", "sbx_missing"),
    ]);
    expect(answers).toEqual([a.version, b.version, a.version, undefined, undefined]);
    // The first two went out at once; the other three waited and went out together.
    expect(queries).toHaveLength(3);
    expect(queries[2]).toContain("batch-a");
    expect(queries[2]).toContain("batch-b");
  });

  it("never lets a probe join a batch already sent", async () => {
    const sent: Array<{ text: string; answer(rows: unknown[][]): void }> = [];
    const query: SimpleQuery = (text) =>
      new Promise((resolve) => sent.push({ text, answer: (rows) => resolve(rows) }));
    const probe = versionProbe(query);
    const first = probe("t", "sbx_1");
    const second = probe("t", "sbx_1");
    expect(sent).toHaveLength(2); // both on their way at once
    const third = probe("t", "sbx_1");
    const fourth = probe("t", "sbx_2");
    expect(sent).toHaveLength(2); // these wait for a slot
    sent[0]!.answer([[], [], [{ id: "sbx_1", version: 3 }]]);
    expect(await first).toBe(3);
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent).toHaveLength(3); // the waiting two, together
    expect(sent[2]!.text).toContain("'sbx_2'");
    sent[1]!.answer([[], [], [{ id: "sbx_1", version: 3 }]]);
    sent[2]!.answer([
      [],
      [],
      [
        { id: "sbx_1", version: 4 },
        { id: "sbx_2", version: 1 },
      ],
    ]);
    expect([await second, await third, await fourth]).toEqual([3, 4, 1]);
  });

  it("fails the batch's probes together when the query fails, and refuses NUL alone", async () => {
    const probe = versionProbe(() => Promise.reject(new Error("down")));
    await expect(Promise.all([probe("t", "sbx_1"), probe("u", "sbx_2")])).rejects.toThrow("down");
    await expect(probe("t\0", "sbx_1")).rejects.toThrow();
  });
});
