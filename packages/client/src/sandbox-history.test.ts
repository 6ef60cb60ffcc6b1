/** `sandbox.history` against the reference server over real HTTP. */
import type { RunningServer } from "@cairn/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Cairn } from "./cairn.js";
import { NotFoundError, PreconditionFailedError } from "./errors.js";
import { REFERENCE_API_KEY, startReference } from "./test-reference-server.js";

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
    expect(before).toMatchObject({
      name: "before",
      version: 1,
      files: 4, // /a.txt beside /home, /home/user and /tmp
      bytes: 3,
    });
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

  it("restores a version from the commit log and undoes it; expiry round-trips", async () => {
    const sandbox = await cairn.sandboxes.create({
      files: [{ path: "/a.txt", content: "one" }],
      ttl: 3600,
      idleTimeout: 600,
    });
    expect(sandbox.idleTimeout).toBe(600);
    expect(Date.parse(sandbox.expiresAt ?? "")).toBeGreaterThan(Date.now());
    await sandbox.fs.write("/a.txt", "two");
    const restored = await sandbox.history.restore(1);
    expect(restored.version).toBe(3);
    expect(await sandbox.fs.readText("/a.txt")).toBe("one");
    expect((await sandbox.history.diff({ from: 2, to: 3 })).files[0]?.diff).toContain("-two\n+one");
    await sandbox.history.restore(2, { ifVersion: 3 });
    expect(await sandbox.fs.readText("/a.txt")).toBe("two");
    await expect(sandbox.history.restore(99)).rejects.toBeInstanceOf(NotFoundError);
    await sandbox.update({ expiresAt: null, idleTimeout: null });
    expect([sandbox.expiresAt, sandbox.idleTimeout, sandbox.idleExpiresAt]).toEqual([
      null,
      null,
      null,
    ]);
  });

  it("watches commits, reconnecting with Last-Event-ID, and ends when the sandbox is deleted", async () => {
    // A fetch whose first event stream breaks right after its first commit event.
    let streams = 0;
    const flaky = new Cairn({
      baseUrl: server.url,
      apiKey: REFERENCE_API_KEY,
      fetch: async (request) => {
        const response = await fetch(request);
        if (!request.url.includes("/events") || streams++ > 0 || !response.body) return response;
        const reader = response.body.getReader();
        const body = new ReadableStream<Uint8Array>({
          async pull(controller) {
            const { done, value } = await reader.read();
            if (done) return controller.close();
            controller.enqueue(value);
            if (new TextDecoder().decode(value).includes("event: commit")) {
              void reader.cancel();
              controller.error(new TypeError("terminated"));
            }
          },
        });
        return new Response(body, { status: response.status, headers: response.headers });
      },
    });
    const created = await cairn.sandboxes.create();
    const sandbox = await flaky.sandboxes.get(created.id);
    const seen: number[] = [];
    const watching = (async () => {
      for await (const commit of sandbox.history.watch({ reconnectDelayMs: 10 })) {
        seen.push(commit.version);
      }
    })();
    for (let i = 0; i < 5; i++) {
      await created.fs.write(`/f${i}`, String(i));
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 1500));
    await created.delete();
    await watching;
    expect(seen).toEqual([2, 3, 4, 5, 6]);
    expect(streams).toBeGreaterThan(1);
  });
});
