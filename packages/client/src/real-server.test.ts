/** The client against the real reference server over real HTTP (no mocks). */
import { createMemoryBackend } from "@cairn/backend-memory";
import { createApp, type RunningServer, startServer } from "@cairn/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Cairn } from "./cairn.js";
import { NotFoundError, PreconditionFailedError } from "./errors.js";

const API_KEY = "client-test-key-0123456789";
let server: RunningServer;
let cairn: Cairn;

beforeAll(async () => {
  server = await startServer({
    app: createApp({ backend: createMemoryBackend(), apiKey: API_KEY }),
    port: 0,
  });
  cairn = new Cairn({ baseUrl: server.url, apiKey: API_KEY });
});
afterAll(() => server.close());

describe("client against the reference server", () => {
  it("runs the README quick start", async () => {
    const sandbox = await cairn.sandboxes.create({ name: "demo" });
    await sandbox.fs.write("/greeting.txt", "hello");
    const { exitCode, stdout } = await sandbox.exec(
      "cat /greeting.txt; echo ' world' >> /greeting.txt",
    );
    expect([exitCode, stdout]).toEqual([0, "hello"]);
    expect(await sandbox.fs.readText("/greeting.txt")).toBe("hello world\n");
    const names: string[] = [];
    for await (const entry of sandbox.fs.list("/")) names.push(entry.name);
    expect(names).toEqual(["greeting.txt"]);
    await sandbox.delete();
    await expect(cairn.sandboxes.get(sandbox.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("round-trips every byte value and enforces If-Match", async () => {
    const sandbox = await cairn.sandboxes.create();
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const written = await sandbox.fs.write("/all.bin", all);
    expect(await sandbox.fs.readBytes("/all.bin")).toEqual(all);
    await expect(sandbox.fs.write("/all.bin", "x", { ifMatch: '"stale"' })).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
    await sandbox.fs.write("/all.bin", "x", { ifMatch: written.etag });
    expect(await sandbox.fs.readText("/all.bin")).toBe("x");
  });

  it("pages through sandboxes with for await", async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 3; i++) ids.add((await cairn.sandboxes.create()).id);
    const seen = new Set<string>();
    for await (const s of cairn.sandboxes.list({ limit: 1 })) seen.add(s.id);
    for (const id of ids) expect(seen.has(id)).toBe(true);
  });
});
