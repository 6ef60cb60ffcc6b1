import { gzipSync } from "node:zlib";
import { createMemoryBackend } from "@cairn/backend-memory";
import { describe, expect, it } from "vitest";
import { createApp } from "../app.js";
import { type TarSource, tarHeader, tarStream } from "../archive/tar-writer.js";
import type { Limits } from "../limits.js";

const TAR = { "content-type": "application/x-tar" };
type App = ReturnType<typeof createApp>;

function setup(limits: Partial<Limits> = {}): App {
  return createApp({ backend: createMemoryBackend(), apiKey: null, limits });
}

const file = (name: string, text: string, mode = 0o644): TarSource => {
  const bytes = new TextEncoder().encode(text);
  return {
    entry: { name, kind: "file", mode, mtimeMs: 1_700_000_000_000, size: bytes.length },
    content: async () => bytes,
  };
};

async function tarBytes(sources: TarSource[]): Promise<Uint8Array> {
  return new Uint8Array(await new Response(tarStream(sources)).arrayBuffer());
}

const create = (
  app: App,
  body: Uint8Array | ReadableStream<Uint8Array>,
  query = "",
  headers: Record<string, string> = TAR,
) =>
  app.request(`/v1/sandboxes${query}`, {
    method: "POST",
    headers,
    body,
    duplex: "half",
  } as RequestInit);

async function sandboxIds(app: App): Promise<string[]> {
  const res = await app.request("/v1/sandboxes?limit=200");
  return ((await res.json()) as { items: Array<{ id: string }> }).items.map((s) => s.id);
}

/** A body that yields `first`, then zeros for as long as it is read; counts what was read. */
function endless(first: Uint8Array) {
  let pulled = 0;
  const zeros = new Uint8Array(64 << 10);
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        const chunk = pulled === 0 ? first : zeros;
        pulled += chunk.length;
        controller.enqueue(chunk);
      },
    },
    { highWaterMark: 0 },
  );
  return { body, pulled: () => pulled };
}

describe("createSandbox with a tar body", () => {
  it("creates the sandbox with the entries and the query's settings, past the body limit", async () => {
    const app = setup({ maxBodyBytes: 1024 });
    const big = "x".repeat(100_000);
    const body = gzipSync(
      await tarBytes([file("src/run.sh", "echo hi\n", 0o755), file("big", big)]),
    );
    const policy = encodeURIComponent(JSON.stringify({ denyGlobs: ["**/*.key"] }));
    const res = await create(
      app,
      body,
      `?name=seeded&env=A=1&env=B=x%3Dy&persistShell=true&ttl=3600&policy=${policy}&path=/work`,
      { "content-type": "application/gzip" },
    );
    expect(res.status).toBe(201);
    const sandbox = (await res.json()) as Record<string, unknown>;
    expect(sandbox).toMatchObject({
      name: "seeded",
      env: { A: "1", B: "x=y" },
      persistShell: true,
      version: 1,
      policy: { denyGlobs: ["**/*.key"] },
    });
    expect(sandbox.expiresAt).toEqual(expect.any(String));
    expect(res.headers.get("location")).toBe(`/v1/sandboxes/${sandbox.id}`);
    const read = await app.request(`/v1/sandboxes/${sandbox.id}/files?path=/work/big`);
    expect(await read.text()).toBe(big);
    const stat = await app.request(`/v1/sandboxes/${sandbox.id}/fs/stat?path=/work/src/run.sh`);
    expect(await stat.json()).toMatchObject({ mode: 0o755, size: 8 });
  });

  it("refuses an unsafe entry half-way and leaves no sandbox", async () => {
    const app = setup();
    const body = await tarBytes([file("ok.txt", "fine"), file("../evil", "x")]);
    const res = await create(app, body, "?name=never");
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ code: "archive_unsafe_entry" });
    expect(await sandboxIds(app)).toEqual([]);
  });

  it("refuses an archive over the quota with 507 EDQUOT and leaves no sandbox", async () => {
    const app = setup({ sandboxMaxFiles: 10 });
    const body = await tarBytes(Array.from({ length: 20 }, (_, i) => file(`f${i}`, "")));
    const res = await create(app, body);
    expect(res.status).toBe(507);
    expect(await res.json()).toMatchObject({ code: "EDQUOT" });
    expect(await sandboxIds(app)).toEqual([]);
  });

  it("refuses a header claiming 1 GiB after a few KiB of an endless stream", async () => {
    const app = setup();
    const stream = endless(
      tarHeader({ name: "huge", kind: "file", mode: 0o644, mtimeMs: 0, size: 2 ** 30 }),
    );
    const res = await create(app, stream.body);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: "archive_entry_too_large" });
    expect(stream.pulled()).toBeLessThan(1 << 20);
    expect(await sandboxIds(app)).toEqual([]);
  });

  it("refuses bad settings before reading the body", async () => {
    const app = setup();
    for (const query of [
      "?env=NOEQUALS",
      "?env=1BAD=x",
      "?ttl=soon",
      "?ttl=0",
      "?persistShell=maybe",
      "?policy=%7B",
      "?policy=%7B%22nope%22%3Atrue%7D",
      "?runtimes=cobol",
      "?path=relative",
    ]) {
      const stream = endless(new Uint8Array(512));
      const res = await create(app, stream.body, query);
      expect(res.status, query).toBe(400);
      expect(stream.pulled(), query).toBeLessThanOrEqual(64 << 10);
    }
    expect(await sandboxIds(app)).toEqual([]);
  });

  it("refuses the query settings with a JSON body", async () => {
    const app = setup();
    const res = await create(app, new TextEncoder().encode("{}"), "?name=x", {
      "content-type": "application/json",
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: "invalid_request" });
  });

  it("replays a keyed create for the same bytes and query; other bytes or query are a mismatch", async () => {
    const app = setup();
    const one = await tarBytes([file("a", "one")]);
    const two = await tarBytes([file("a", "two")]);
    const send = (body: Uint8Array, query = "?name=k") =>
      create(app, body, query, { ...TAR, "idempotency-key": "create-1" });
    const first = await send(one);
    expect(first.status).toBe(201);
    const again = await send(one);
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await again.json()).toEqual(await first.clone().json());
    expect((await send(two)).status).toBe(422);
    expect((await send(one, "?name=other")).status).toBe(422);
    expect(await sandboxIds(app)).toHaveLength(1);
  });
});
