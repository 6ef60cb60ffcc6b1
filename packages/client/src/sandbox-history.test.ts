/** `sandbox.history` against the reference server over real HTTP. */
import type { RunningServer } from "@cairn/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Cairn } from "./cairn.js";
import { NotFoundError, PreconditionFailedError } from "./errors.js";
import { startReference } from "./test-reference-server.js";

let server: RunningServer;
let cairn: Cairn;

beforeAll(async () => {
  ({ server, cairn } = await startReference());
});
afterAll(() => server.close());

describe("sandbox.history", () => {
  it("pages through the commit log and reads one commit", async () => {
    const sandbox = await cairn.sandboxes.create();
    await sandbox.fs.write("/a.txt", "a");
    const run = await sandbox.exec("mv /a.txt /b.txt");
    expect(run.commit.changes).toEqual([
      expect.objectContaining({ kind: "moved", from: "/a.txt", path: "/b.txt" }),
    ]);
    const versions: number[] = [];
    for await (const commit of sandbox.history.commits({ limit: 1 })) versions.push(commit.version);
    expect(versions).toEqual([3, 2, 1]);
    const exec = await sandbox.history.commit(3);
    expect(exec.origin.operation).toBe("execScript");
    expect(exec.origin.scriptHash).toMatch(/^[0-9a-f]{64}$/);
    await expect(sandbox.history.commit(9)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("snapshots, forks from a snapshot, restores and undoes the restore", async () => {
    const sandbox = await cairn.sandboxes.create({ files: [{ path: "/a.txt", content: "one" }] });
    const before = await sandbox.history.snapshot({ name: "before" });
    expect(before).toMatchObject({ name: "before", version: 1, files: 1, bytes: 3 });
    await sandbox.fs.write("/a.txt", "two");
    await expect(sandbox.history.snapshot({ ifVersion: 1 })).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
    const after = await sandbox.history.snapshot({ ifVersion: 2 });
    const fork = await cairn.sandboxes.create({ from: { snapshotId: before.id } });
    expect(await fork.fs.readText("/a.txt")).toBe("one");
    const restored = await sandbox.history.restore(before.id, { ifVersion: 2 });
    expect(restored.changes.map((c) => `${c.kind} ${c.path}`)).toEqual(["modified /a.txt"]);
    expect(await sandbox.fs.readText("/a.txt")).toBe("one");
    const diff = await sandbox.history.diff({ from: before.id, to: after.id });
    expect(diff.files[0]?.diff).toContain("-one\n+two");
    await sandbox.history.restore(after.id);
    expect(await sandbox.fs.readText("/a.txt")).toBe("two");
    const ids: string[] = [];
    for await (const snap of sandbox.history.snapshots({ limit: 1 })) ids.push(snap.id);
    expect(ids).toEqual([after.id, before.id]);
    expect(await sandbox.history.getSnapshot(before.id)).toEqual(before);
    await sandbox.history.deleteSnapshot(before.id);
    await expect(sandbox.history.getSnapshot(before.id)).rejects.toBeInstanceOf(NotFoundError);
  });
});
