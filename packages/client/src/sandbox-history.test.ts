/** `sandbox.history` against the reference server over real HTTP. */
import type { RunningServer } from "@cairn/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Cairn } from "./cairn.js";
import { NotFoundError } from "./errors.js";
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
});
