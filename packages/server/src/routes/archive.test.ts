import { gzipSync } from "node:zlib";
import { createMemoryBackend } from "@cairn/backend-memory";
import { extract, type Header as TarHeaders } from "tar-stream";
import { describe, expect, it } from "vitest";
import { createApp } from "../app.js";
import { type TarSource, tarHeader, tarStream } from "../archive/tar-writer.js";
import type { Limits } from "../limits.js";

const json = { "content-type": "application/json" };
const TAR = { "content-type": "application/x-tar" };

async function setup(limits: Partial<Limits> = {}) {
  const app = createApp({ backend: createMemoryBackend(), apiKey: null, limits });
  const res = await app.request("/v1/sandboxes", { method: "POST", headers: json, body: "{}" });
  const { id } = (await res.json()) as { id: string };
  return { app, id };
}

const file = (name: string, text: string, extra: Partial<TarSource["entry"]> = {}): TarSource => {
  const bytes = new TextEncoder().encode(text);
  return {
    entry: {
      name,
      kind: "file",
      mode: 0o644,
      mtimeMs: 1_700_000_000_000,
      size: bytes.length,
      ...extra,
    },
    content: async () => bytes,
  };
};

async function tarBytes(sources: TarSource[]): Promise<Uint8Array> {
  return new Uint8Array(await new Response(tarStream(sources)).arrayBuffer());
}

/** Parses a tar (gunzipped by the caller if needed) with an independent reader. */
async function readTar(bytes: Uint8Array) {
  const out: Array<{ header: TarHeaders; text: string }> = [];
  const ex = extract();
  const done = (async () => {
    for await (const entry of ex) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      out.push({ header: entry.header, text: Buffer.concat(chunks).toString() });
    }
  })();
  ex.end(Buffer.from(bytes));
  await done;
  return out;
}

/** A lazily generated body: one header claiming `claimed` bytes, then zeros forever. */
function endless(first: Uint8Array): { body: ReadableStream<Uint8Array>; pulled: () => number } {
  let pulled = 0;
  let sentHead = false;
  const zeros = new Uint8Array(64 << 10);
  return {
    body: new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          const chunk = sentHead ? zeros : first;
          sentHead = true;
          pulled += chunk.length;
          controller.enqueue(chunk);
        },
      },
      { highWaterMark: 0 },
    ),
    pulled: () => pulled,
  };
}

const post = (
  app: Awaited<ReturnType<typeof setup>>["app"],
  id: string,
  init: Omit<RequestInit, "body"> & { body: Uint8Array | ReadableStream<Uint8Array> },
  query = "",
) =>
  app.request(`/v1/sandboxes/${id}/archive${query}`, {
    method: "POST",
    ...init,
    duplex: "half",
  } as RequestInit);

describe("archive routes", () => {
  it("imports a tar in one commit and exports it back as tar.gz with modes, mtimes and links", async () => {
    const { app, id } = await setup();
    const body = await tarBytes([
      { entry: { name: "src/", kind: "directory", mode: 0o750, mtimeMs: 1_600_000_000_000 } },
      file("src/main.sh", "echo hi\n", { mode: 0o755, mtimeMs: 1_600_000_123_456 }),
      file(`${"deep/".repeat(40)}long-name.txt`, "long"),
      {
        entry: { name: "link", kind: "symlink", mode: 0o777, mtimeMs: 0, linkName: "src/main.sh" },
      },
      {
        entry: {
          name: "again",
          kind: "hardlink",
          mode: 0o755,
          mtimeMs: 0,
          linkName: "src/main.sh",
        },
      },
    ]);
    const res = await post(app, id, { headers: TAR, body }, "?path=/proj");
    expect(res.status).toBe(200);
    const { changes, ...counts } = await res.json();
    expect(counts).toEqual({
      version: 2,
      path: "/proj",
      files: 2,
      directories: 1,
      symlinks: 1,
      hardLinks: 1,
      bytes: 12,
    });
    expect(changes.map((c: { path: string }) => c.path)).toContain("/proj");

    const out = await app.request(`/v1/sandboxes/${id}/archive?path=/proj`);
    expect(out.status).toBe(200);
    expect(out.headers.get("content-type")).toBe("application/gzip");
    expect(out.headers.get("cairn-sandbox-version")).toBe("2");
    const { gunzipSync } = await import("node:zlib");
    const entries = await readTar(gunzipSync(new Uint8Array(await out.arrayBuffer())));
    const byName = new Map(entries.map((e) => [e.header.name, e]));
    // `again` comes first in name order, so it carries the bytes and src/main.sh links to it.
    expect(byName.get("again")?.text).toBe("echo hi\n");
    expect(byName.get("again")?.header.mode).toBe(0o755);
    const pax = (byName.get("again")!.header as { pax?: Record<string, string> }).pax;
    expect(pax?.mtime).toBe("1600000123.456");
    expect(byName.get("src/")?.header).toMatchObject({ type: "directory", mode: 0o750 });
    expect(byName.get("src/")?.header.mtime?.getTime()).toBe(1_600_000_000_000);
    expect(byName.get("link")?.header).toMatchObject({ type: "symlink", linkname: "src/main.sh" });
    expect(byName.get("src/main.sh")?.header).toMatchObject({ type: "link", linkname: "again" });
    expect(byName.get(`${"deep/".repeat(40)}long-name.txt`)?.text).toBe("long");
    expect(entries[0]?.header.name).toBe("./");
  });

  it("takes gzip by its magic bytes and ignores the global body limit", async () => {
    const { app, id } = await setup({ maxBodyBytes: 1024 });
    const big = "x".repeat(100_000);
    const body = gzipSync(await tarBytes([file("big.txt", big)]));
    const res = await post(app, id, { headers: { "content-type": "application/gzip" }, body });
    expect(res.status).toBe(200);
    const read = await app.request(`/v1/sandboxes/${id}/files?path=/big.txt`);
    expect(await read.text()).toBe(big);
  });

  it("refuses a header claiming 1 GiB after reading a few KiB of an endless stream", async () => {
    const { app, id } = await setup();
    const stream = endless(
      tarHeader({ name: "huge", kind: "file", mode: 0o644, mtimeMs: 0, size: 2 ** 30 }),
    );
    const res = await post(app, id, { headers: TAR, body: stream.body });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: "archive_entry_too_large" });
    expect(stream.pulled()).toBeLessThan(1 << 20);
  });

  it("stops at the unpacked-bytes limit without reading the rest", async () => {
    const { app, id } = await setup({ maxArchiveUnpackedBytes: 1 << 20 });
    let pulled = 0;
    let n = 0;
    const chunk = new Uint8Array(256 << 10);
    const body = tarStream(
      (function* () {
        for (;;) {
          n++;
          yield {
            entry: { name: `f${n}`, kind: "file", mode: 0o644, mtimeMs: 0, size: chunk.length },
            content: async () => chunk,
          } as TarSource;
        }
      })(),
    ).pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(c, controller) {
          pulled += c.length;
          controller.enqueue(c);
        },
      }),
    );
    const res = await post(app, id, { headers: TAR, body });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: "archive_too_large" });
    expect(pulled).toBeLessThan(4 << 20);
    const list = await app.request(`/v1/sandboxes/${id}/fs/list?path=/`);
    const entries = ((await list.json()) as { entries: Array<{ name: string }> }).entries;
    // Only what every new sandbox holds: its home and /tmp.
    expect(entries.map((e) => e.name)).toEqual(["home", "tmp"]);
  });

  it("refuses a gzip bomb past maxArchiveBytes of tar", async () => {
    const { app, id } = await setup({ maxArchiveBytes: 1 << 20 });
    const body = gzipSync(new Uint8Array(8 << 20));
    const res = await post(app, id, { headers: TAR, body });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: "archive_too_large" });
  });

  it("answers 415 for another media type, 400 for a non-tar, 412 for a stale If-Match", async () => {
    const { app, id } = await setup();
    const body = await tarBytes([file("a", "a")]);
    const wrongType = await post(app, id, { headers: json, body });
    expect(wrongType.status).toBe(415);
    const garbage = await post(app, id, { headers: TAR, body: new Uint8Array(600).fill(65) });
    expect(garbage.status).toBe(400);
    expect(await garbage.json()).toMatchObject({ code: "archive_invalid" });
    const truncated = await post(app, id, { headers: TAR, body: body.subarray(0, 700) });
    expect(await truncated.json()).toMatchObject({ code: "archive_invalid" });
    const stale = await post(app, id, { headers: { ...TAR, "if-match": '"7"' }, body });
    expect(stale.status).toBe(412);
    const current = await post(app, id, { headers: { ...TAR, "if-match": '"1"' }, body });
    expect(current.status).toBe(200);
  });

  it("replays a keyed import for the same bytes and refuses the key for other bytes", async () => {
    const { app, id } = await setup();
    const one = await tarBytes([file("a", "one")]);
    const two = await tarBytes([file("a", "two")]);
    const send = (body: Uint8Array, key: string) =>
      post(app, id, { headers: { ...TAR, "idempotency-key": key }, body });
    const first = await send(one, "k1");
    expect(first.status).toBe(200);
    const again = await send(one, "k1");
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.headers.get("x-cairn-upload-digest")).toBeNull();
    expect(await again.json()).toEqual(await first.clone().json());
    const other = await send(two, "k1");
    expect(other.status).toBe(422);
    expect(await other.json()).toMatchObject({ code: "idempotency_key_mismatch" });
    const longer = await send(new Uint8Array([...one, ...new Uint8Array(512)]), "k1");
    expect(longer.status).toBe(422);

    // A refusal read only in part is replayed for a body with the same start.
    const evil = await tarBytes([file("../evil", "x")]);
    const refused = await send(evil, "k2");
    expect(refused.status).toBe(422);
    const replayed = await send(evil, "k2");
    expect(replayed.headers.get("idempotent-replayed")).toBe("true");
  });
});
