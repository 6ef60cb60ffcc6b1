/**
 * Copy-on-write trees on Postgres: snapshots and forks share layers instead of copying rows,
 * a fork outlives its sources, shared rows go with their last holder, and stacks stay bounded.
 */
import { createSnapshot, forkSandbox, SandboxService, type Scope, type Tree } from "@cairn/core";
import { describe, expect, it } from "vitest";
import { collectGarbage } from "./gc.js";
import { MAX_STACK } from "./layers.js";
import { createPostgresBackend } from "./postgres-backend.js";
import { useTestDatabase } from "./test-database.js";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const database = useTestDatabase();
const NOTHING_LOGGED = { graceSeconds: 0, commitRetention: { maxAgeMs: 0 } };

/** Tree rows, layers and blobs of one tenant. */
async function rows(tenantId: string) {
  const [row] = await database().sql<
    Array<{ inodes: number; dentries: number; layers: number; blobs: number }>
  >`
    SELECT (SELECT count(*)::int FROM inodes WHERE tenant_id = ${tenantId}) AS inodes,
      (SELECT count(*)::int FROM dentries WHERE tenant_id = ${tenantId}) AS dentries,
      (SELECT count(*)::int FROM layers WHERE tenant_id = ${tenantId}) AS layers,
      (SELECT count(*)::int FROM blobs WHERE tenant_id = ${tenantId}) AS blobs`;
  return row!;
}

/** Every file of a sandbox, path to text (fresh caches, so the database is read). */
async function files(scope: Scope, id: string): Promise<Record<string, string>> {
  const service = new SandboxService({ backend: createPostgresBackend({ sql: database().sql }) });
  const { value } = await service.read(scope, id, async (vfs) => {
    const out: Record<string, string> = {};
    const walk = async (dir: string): Promise<void> => {
      for (const entry of vfs.readdir(dir)) {
        const path = `${dir === "/" ? "" : dir}/${entry.name}`;
        if (entry.stat.kind === "directory") await walk(path);
        else if (entry.stat.kind === "file") out[path] = dec(await vfs.readFile(path));
      }
    };
    await walk("/");
    return out;
  });
  return value;
}

function newService() {
  const backend = createPostgresBackend({ sql: database().sql });
  return { backend, service: new SandboxService({ backend }) };
}

describe("copy-on-write layers", () => {
  it("a snapshot and forks copy no tree rows and no content", async () => {
    const scope = { tenantId: "cow-rows" };
    const { service } = newService();
    const sb = await service.create(scope, {
      files: Array.from({ length: 40 }, (_, i) => ({
        path: `/d${i % 4}/f${i}`,
        bytes: enc(`${i}`),
      })),
    });
    const before = await rows(scope.tenantId);
    const snap = await createSnapshot(service, scope, sb.id);
    const forks = await Promise.all([
      forkSandbox(service, scope, { snapshotId: snap.id }),
      forkSandbox(service, scope, { snapshotId: snap.id }),
    ]);
    const fromSandbox = await forkSandbox(service, scope, { sandboxId: sb.id });
    const after = await rows(scope.tenantId);
    expect(after).toMatchObject({
      inodes: before.inodes,
      dentries: before.dentries,
      blobs: before.blobs,
    });
    // The frozen layer, the source's new top, and one top per fork.
    expect(after.layers).toBe(1 + 1 + 3);
    expect(snap.files).toBe(47); // 40 files, 4 directories, /home, /home/user and /tmp
    const expected = await files(scope, sb.id);
    expect(Object.keys(expected)).toHaveLength(40);
    for (const fork of [...forks, fromSandbox])
      expect(await files(scope, fork.id)).toEqual(expected);
  });

  it("a fork's deletions, renames and writes stay in its own layer (whiteouts), and the source's in its own", async () => {
    const scope = { tenantId: "cow-whiteouts" };
    const { service } = newService();
    const sb = await service.create(scope, {
      files: [
        { path: "/a", bytes: enc("a") },
        { path: "/dir/b", bytes: enc("b") },
        { path: "/dir/c", bytes: enc("c") },
      ],
    });
    const fork = await forkSandbox(service, scope, { sandboxId: sb.id });
    await service.mutate(scope, fork.id, async (vfs) => {
      vfs.rm("/a");
      vfs.rename("/dir/b", "/b-moved");
      vfs.writeFile("/dir/c", enc("c in the fork"));
    });
    await service.mutate(scope, sb.id, (vfs) => vfs.rm("/dir", { recursive: true }));
    expect(await files(scope, fork.id)).toEqual({ "/b-moved": "b", "/dir/c": "c in the fork" });
    expect(await files(scope, sb.id)).toEqual({ "/a": "a" });
    // Deleting what a fork deleted, and writing it back, in a later layer.
    const again = await forkSandbox(service, scope, { sandboxId: fork.id });
    await service.mutate(scope, again.id, (vfs) => vfs.writeFile("/a", enc("a again")));
    expect(await files(scope, again.id)).toEqual({
      "/a": "a again",
      "/b-moved": "b",
      "/dir/c": "c in the fork",
    });
    expect(await files(scope, fork.id)).toEqual({ "/b-moved": "b", "/dir/c": "c in the fork" });
  });

  it("a fork outlives its source sandbox and snapshot; shared rows go with their last holder, then gc frees the content", async () => {
    const scope = { tenantId: "cow-lifetime" };
    const { service } = newService();
    const sb = await service.create(scope, {
      files: [
        { path: "/shared", bytes: enc("only the base layer has this") },
        { path: "/gone-in-fork", bytes: enc("deleted in the fork") },
      ],
    });
    const snap = await createSnapshot(service, scope, sb.id);
    const fork = await forkSandbox(service, scope, { snapshotId: snap.id });
    await service.mutate(scope, fork.id, (vfs) => vfs.rm("/gone-in-fork"));
    await service.delete(scope, sb.id); // and its snapshot with it
    expect(await service.backend.getSnapshot(scope.tenantId, snap.id)).toBeUndefined();
    await collectGarbage(database().sql, NOTHING_LOGGED);
    expect(await files(scope, fork.id)).toEqual({ "/shared": "only the base layer has this" });
    // The fork's top and the layer it shares are all that is left.
    expect((await rows(scope.tenantId)).layers).toBe(2);
    await service.delete(scope, fork.id);
    expect(await rows(scope.tenantId)).toMatchObject({ inodes: 0, dentries: 0, layers: 0 });
    await collectGarbage(database().sql, NOTHING_LOGGED);
    expect((await rows(scope.tenantId)).blobs).toBe(0);
  });

  it("holders deleted at the same time free a shared layer exactly once", async () => {
    const scope = { tenantId: "cow-race" };
    const { service } = newService();
    for (let round = 0; round < 5; round++) {
      const sb = await service.create(scope, { files: [{ path: "/f", bytes: enc("f") }] });
      const snap = await createSnapshot(service, scope, sb.id);
      const forks = await Promise.all(
        [0, 1, 2].map(() => forkSandbox(service, scope, { snapshotId: snap.id })),
      );
      await Promise.all([
        service.backend.deleteSnapshot(scope.tenantId, snap.id),
        service.delete(scope, sb.id),
        ...forks.map((f) => service.delete(scope, f.id)),
      ]);
      expect(await rows(scope.tenantId)).toMatchObject({ inodes: 0, dentries: 0, layers: 0 });
    }
  });

  it("stacks stay bounded: snapshots between writes and forks of forks are compacted, and every tree stays exact", async () => {
    const scope = { tenantId: "cow-depth" };
    const { service } = newService();
    const sb = await service.create(scope, { files: [{ path: "/base", bytes: enc("base") }] });
    const snapshots: Array<{ id: string; expected: Record<string, string> }> = [];
    for (let round = 0; round < 3 * MAX_STACK; round++) {
      await service.mutate(scope, sb.id, (vfs) => {
        vfs.writeFile(`/r${round}`, enc(`round ${round}`));
        if (round >= 2) vfs.rm(`/r${round - 2}`);
        vfs.writeFile("/base", enc(`base ${round}`));
      });
      const snap = await createSnapshot(service, scope, sb.id);
      snapshots.push({ id: snap.id, expected: await files(scope, sb.id) });
    }
    let parent = sb.id;
    const chain: Array<{ id: string; expected: Record<string, string> }> = [];
    for (let generation = 0; generation < 2 * MAX_STACK; generation++) {
      const child = await forkSandbox(service, scope, { sandboxId: parent });
      await service.mutate(scope, child.id, (vfs) => vfs.writeFile(`/g${generation}`, enc("g")));
      chain.push({ id: child.id, expected: await files(scope, child.id) });
      parent = child.id;
    }
    const stacks = await database().sql<Array<{ n: number }>>`
      SELECT cardinality(layers) AS n FROM sandboxes WHERE tenant_id = ${scope.tenantId}
      UNION ALL SELECT cardinality(layers) FROM snapshots WHERE tenant_id = ${scope.tenantId}`;
    expect(Math.max(...stacks.map((s) => s.n))).toBeLessThanOrEqual(MAX_STACK);
    for (const snap of snapshots) {
      const fork = await forkSandbox(service, scope, { snapshotId: snap.id });
      expect(await files(scope, fork.id)).toEqual(snap.expected);
    }
    for (const link of chain) expect(await files(scope, link.id)).toEqual(link.expected);
    expect(Object.keys(chain.at(-1)!.expected)).toHaveLength(3 + 2 * MAX_STACK); // /base, the last two rounds', each generation's
  });
});

describe("loading a stack", () => {
  /** Every inode, entry and link count of a tree, comparable with toEqual. */
  const shape = (tree: Tree) => ({
    version: tree.version,
    usage: tree.usage,
    inodes: [...tree.inodeNumbers()].sort((a, b) => a - b).map((ino) => tree.inode(ino)),
    entries: [...tree.directories()]
      .sort((a, b) => a - b)
      .map((dir) => [dir, [...tree.children(dir)].sort()])
      .filter(([, children]) => (children as unknown[]).length > 0),
    links: [...tree.inodeNumbers()].sort((a, b) => a - b).map((ino) => tree.nlink(ino)),
  });

  /** The tree as a fresh service reads it from the database. */
  const loaded = (scope: Scope, id: string) => newService().service.tree(scope, id);

  it("gives the tree the writer holds, whatever its names, targets and metadata, in one layer or many", async () => {
    const scope = { tenantId: "load-packed" };
    const { service } = newService();
    const odd = [
      "a,b",
      "new\nline",
      "tab\there",
      "back\\slash",
      "quote'\"",
      "ünï 🌲",
      "-",
      "1,2,3",
    ];
    const sb = await service.create(scope, {
      files: odd.map((name, i) => ({ path: `/dir,${i}/${name}`, bytes: enc(name) })),
    });
    const edit = (round: number) =>
      service.mutate(scope, sb.id, (vfs) => {
        vfs.symlink(`../dir,0/a,b/../${odd[round]}`, `/link ${round},x`);
        vfs.link(`/dir,${round}/${odd[round]}`, `/hard,${round}`);
        vfs.setMeta(`/hard,${round}`, { tags: [`t,${round}`, "ü"], summary: `s/${round}` });
        vfs.rm(`/dir,${7 - round}`, { recursive: true });
        vfs.rename(`/dir,${round}/${odd[round]}`, `/moved ${round}`);
        // Times before 1970 too: the packed form carries a sign.
        vfs.utimes(`/moved ${round}`, (round % 2 ? -86_400_000 : 1_700_000_000_000) + round);
      });
    await edit(0);
    expect(shape(await loaded(scope, sb.id))).toEqual(shape(await service.tree(scope, sb.id)));
    // Each snapshot freezes the layers below a new top: the tree is now a stack of them.
    for (const round of [1, 2, 3]) {
      await createSnapshot(service, scope, sb.id);
      await edit(round);
    }
    const [stack] = await database().sql<Array<{ n: number }>>`
      SELECT cardinality(layers) AS n FROM sandboxes WHERE id = ${sb.id}`;
    expect(stack!.n).toBeGreaterThan(2);
    expect(shape(await loaded(scope, sb.id))).toEqual(shape(await service.tree(scope, sb.id)));
  });
});
