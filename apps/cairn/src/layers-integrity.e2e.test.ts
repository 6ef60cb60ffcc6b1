/**
 * Copy-on-write trees keep every stored invariant: after snapshots, forks of forks, whiteouts,
 * compaction and deletes, each tree is whole and each layer's count is its holders'.
 */
import { createPostgresBackend, migrate } from "@cairn/backend-postgres";
import { createSnapshot, forkSandbox, SandboxService } from "@cairn/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminPool, checkIntegrity, createDatabase, type TestDatabase } from "./test-postgres.js";

const scope = { tenantId: "t" };
const enc = (s: string) => new TextEncoder().encode(s);
let db: TestDatabase;
let sql: ReturnType<typeof adminPool>;

beforeAll(async () => {
  db = await createDatabase();
  sql = adminPool(db.url, 4);
  await migrate(sql);
});
afterAll(async () => {
  await sql?.end();
  await db?.drop();
});

describe("integrity of layered trees", () => {
  it("holds after snapshots, forks of forks, whiteouts, compaction and deletes", async () => {
    const service = new SandboxService({ backend: createPostgresBackend({ sql }) });
    const sb = await service.create(scope, {
      files: Array.from({ length: 20 }, (_, i) => ({
        path: `/d${i % 3}/f${i}`,
        bytes: enc(`${i}`),
      })),
    });
    let parent = sb.id;
    const alive: string[] = [sb.id];
    for (let round = 0; round < 12; round++) {
      await service.mutate(scope, parent, (vfs) => {
        vfs.writeFile(`/r${round}`, enc(`round ${round}`));
        const file = `/d${round % 3}/f${round}`;
        if (vfs.exists(file)) vfs.rm(file);
        const dir = `/d${(round + 1) % 3}`;
        if (round % 4 === 0 && vfs.exists(dir)) vfs.rename(dir, `/moved${round}`);
      });
      const snap = await createSnapshot(service, scope, parent);
      const fromSnapshot = await forkSandbox(service, scope, { snapshotId: snap.id });
      const child = await forkSandbox(service, scope, { sandboxId: parent });
      alive.push(fromSnapshot.id, child.id);
      if (round % 3 === 2) {
        await service.delete(scope, parent); // and its snapshots
        alive.splice(alive.indexOf(parent), 1);
      }
      parent = child.id;
    }
    const report = await checkIntegrity(sql);
    expect(report.violations).toEqual({});
    // Positive control: a stray whiteout of /home (from a shared layer) in the last fork's top
    // layer orphans what is under it, and a miscounted layer is caught.
    const [top] = await sql<Array<{ layer: string; shared: string }>>`
      SELECT layers[1] AS layer, layers[2] AS shared FROM sandboxes WHERE id = ${parent}`;
    await sql`INSERT INTO dentries (tenant_id, sandbox_id, parent, name, ino)
      VALUES ('t', ${top!.layer}, 1, 'home', 0)`;
    await sql`UPDATE layers SET refs = refs + 1 WHERE id = ${top!.shared}`;
    expect(Object.keys((await checkIntegrity(sql)).violations).sort()).toEqual([
      "inode (not the root) that no dentry of its tree refers to",
      "layer whose reference count is not its holders'",
    ]);
    await sql`DELETE FROM dentries WHERE sandbox_id = ${top!.layer} AND ino = 0`;
    await sql`UPDATE layers SET refs = refs - 1 WHERE id = ${top!.shared}`;
    for (const id of alive) await service.delete(scope, id);
    const [left] = await sql<Array<{ rows: number; layers: number }>>`
      SELECT (SELECT count(*)::int FROM inodes) + (SELECT count(*)::int FROM dentries) AS rows,
        (SELECT count(*)::int FROM layers) AS layers`;
    expect(left).toEqual({ rows: 0, layers: 0 });
    expect((await checkIntegrity(sql)).violations).toEqual({});
  });
});
