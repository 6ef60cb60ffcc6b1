/** The client against the real reference server over real HTTP (no mocks). */
import { createMemoryBackend } from "@cairn/backend-memory";
import { createApp, type RunningServer, startServer } from "@cairn/server";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { Cairn } from "./cairn.js";
import {
  AbortError,
  IdempotencyKeyMismatchError,
  NotFoundError,
  PreconditionFailedError,
  TimeoutError,
} from "./errors.js";
import type { ExecStreamEvent } from "./exec-stream.js";

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

describe("streaming, batch and update against the reference server", () => {
  it("streams stdout and stderr as exact bytes, then the exit", async () => {
    const sandbox = await cairn.sandboxes.create();
    const binary = Uint8Array.of(0xff, 0x00, 0x01, 0x80);
    await sandbox.fs.write("/bin.dat", binary);
    const events: ExecStreamEvent[] = [];
    const script = "echo hi; cat /bin.dat; echo oops >&2; echo done > /out.txt; exit 3";
    for await (const event of sandbox.execStream(script)) events.push(event);

    const output = (type: string) =>
      Buffer.concat(events.flatMap((e) => (e.type === type && "data" in e ? [e.data] : [])));
    expect(output("stdout")).toEqual(Buffer.from([...Buffer.from("hi\n"), ...binary]));
    expect(output("stderr").toString()).toBe("oops\n");
    expect(events.at(-1)).toMatchObject({
      type: "exit",
      exitCode: 3,
      truncated: { stdout: false, stderr: false },
      commit: { status: "committed" },
    });
    expect(await sandbox.fs.readText("/out.txt")).toBe("done\n");
  });

  it("result() gathers the output; a timeout is thrown as TimeoutError", async () => {
    const sandbox = await cairn.sandboxes.create();
    const result = await sandbox.execStream("printf abc; printf def").result();
    expect(new TextDecoder().decode(result.stdout)).toBe("abcdef");
    expect(result.exitCode).toBe(0);

    const slow = sandbox.execStream("echo started; sleep 10", { timeoutMs: 200 });
    await expect(slow.result()).rejects.toBeInstanceOf(TimeoutError);
  });

  it("aborting mid-stream throws AbortError and commits nothing", async () => {
    const sandbox = await cairn.sandboxes.create();
    const controller = new AbortController();
    const seen: string[] = [];
    const error = await (async () => {
      const stream = sandbox.execStream("echo x > /partial.txt; echo first; sleep 10", {
        signal: controller.signal,
      });
      for await (const event of stream) {
        if (event.type !== "exit") seen.push(event.text);
        controller.abort();
      }
    })().catch((e: unknown) => e);
    expect(seen).toEqual(["first\n"]);
    expect(error).toBeInstanceOf(AbortError);
    await expect(sandbox.fs.stat("/partial.txt")).rejects.toBeInstanceOf(NotFoundError);
    // The sandbox is free for the next exec.
    await expect(sandbox.exec("echo next")).resolves.toMatchObject({ stdout: "next\n" });
  });

  it("runs a batch, and updates settings fenced by If-Match", async () => {
    const sandbox = await cairn.sandboxes.create({ persistShell: false });
    const batch = await sandbox.execBatch(["echo a > /a.txt", "cat /a.txt"]);
    expect(batch.results.map((r) => [r.exitCode, r.stdout])).toEqual([
      [0, ""],
      [0, "a\n"],
    ]);
    expect(batch.commit.status).toBe("committed");

    await sandbox.refresh();
    const version = sandbox.version;
    await expect(
      sandbox.update({ name: "stale" }, { ifVersion: version + 100 }),
    ).rejects.toBeInstanceOf(PreconditionFailedError);
    await sandbox.update({ name: "renamed", persistShell: true }, { ifVersion: version });
    expect(sandbox).toMatchObject({ name: "renamed", persistShell: true });
  });
});

describe("files as streams against the reference server", () => {
  it("uploads a ReadableStream and downloads a ReadableStream, whole and by range", async () => {
    const sandbox = await cairn.sandboxes.create();
    const chunk = Uint8Array.from({ length: 64 * 1024 }, (_, i) => i % 251);
    let sent = 0;
    const upload = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 16) return controller.close();
        sent++;
        controller.enqueue(chunk);
      },
    });
    const written = await sandbox.fs.write("/big.bin", upload);
    expect(written.file.size).toBe(16 * chunk.length);

    let total = 0;
    let chunks = 0;
    const reader = (await sandbox.fs.readStream("/big.bin")).getReader();
    for (let part = await reader.read(); !part.done; part = await reader.read()) {
      total += part.value.length;
      chunks++;
    }
    expect(total).toBe(16 * chunk.length);
    expect(chunks).toBeGreaterThan(1);

    const tail = await sandbox.fs.readStream("/big.bin", { range: { start: total - 3 } });
    expect(Array.from(new Uint8Array(await new Response(tail).arrayBuffer()))).toEqual(
      Array.from(chunk.slice(-3)),
    );
  });

  it("create() writes a new file once, then fails with PreconditionFailedError", async () => {
    const sandbox = await cairn.sandboxes.create();
    await expect(sandbox.fs.create("/lock", "first")).resolves.toMatchObject({ created: true });
    await expect(sandbox.fs.create("/lock", "second")).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
    expect(await sandbox.fs.readText("/lock")).toBe("first");
  });
});

describe("Idempotency-Key against the reference server", () => {
  beforeEach(() => {
    vi.spyOn(Math, "random").mockReturnValue(0); // no backoff wait
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  /** A client whose first `method` request reaches the server but whose response is lost. */
  function clientLosingFirstResponse(method = "POST") {
    let lost = 0;
    const fetch = async (request: Request) => {
      const response = await globalThis.fetch(request);
      if (request.method !== method || lost > 0) return response;
      lost++;
      await response.body?.cancel();
      throw new TypeError("fetch failed", { cause: new Error("socket hang up") });
    };
    return { client: new Cairn({ baseUrl: server.url, apiKey: API_KEY, fetch }), lost: () => lost };
  }

  it("a create retried after a lost response replays: one sandbox, not two", async () => {
    const { client, lost } = clientLosingFirstResponse();
    const name = `replay-${Date.now()}`;
    const sandbox = await client.sandboxes.create({ name });
    expect(lost()).toBe(1);
    const named: string[] = [];
    for await (const s of cairn.sandboxes.list()) if (s.name === name) named.push(s.id);
    expect(named).toEqual([sandbox.id]);
  });

  it("an exec retried after a lost response replays its result and runs once", async () => {
    const sandbox = await cairn.sandboxes.create();
    const { client, lost } = clientLosingFirstResponse();
    const same = await client.sandboxes.get(sandbox.id);
    const result = await same.exec("echo run >> /runs.txt; wc -l < /runs.txt");
    expect(lost()).toBe(1);
    expect(result.stdout.trim()).toBe("1");
    expect(await sandbox.fs.readText("/runs.txt")).toBe("run\n");
  });

  it("create() and remove() retried after a lost response replay, not 412 / 404", async () => {
    const sandbox = await cairn.sandboxes.create();
    const put = clientLosingFirstResponse("PUT");
    const viaPut = await put.client.sandboxes.get(sandbox.id);
    await expect(viaPut.fs.create("/claim", "mine")).resolves.toMatchObject({ created: true });
    expect(put.lost()).toBe(1);

    const del = clientLosingFirstResponse("DELETE");
    const viaDelete = await del.client.sandboxes.get(sandbox.id);
    await expect(viaDelete.fs.remove("/claim")).resolves.toMatchObject({
      version: expect.any(Number),
    });
    expect(del.lost()).toBe(1);
    await expect(sandbox.fs.stat("/claim")).rejects.toBeInstanceOf(NotFoundError);
  });

  it("a caller's key reused for a different request is IdempotencyKeyMismatchError", async () => {
    const sandbox = await cairn.sandboxes.create();
    const idempotencyKey = `mkdir-${Date.now()}`;
    const first = await sandbox.fs.mkdir("/a", { idempotencyKey });
    // The same request again is answered with the first response, and applies nothing.
    await expect(sandbox.fs.mkdir("/a", { idempotencyKey })).resolves.toEqual(first);
    await expect(sandbox.fs.mkdir("/b", { idempotencyKey })).rejects.toBeInstanceOf(
      IdempotencyKeyMismatchError,
    );
  });
});
