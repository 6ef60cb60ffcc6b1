/** sandbox.archive against the real reference server over real HTTP, plus msw for the wire shape. */
import { gunzipSync, gzipSync } from "node:zlib";
import { type RunningServer, tarHeader, tarStream } from "@cairn/server";
import { HttpResponse, http } from "msw";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Cairn } from "./cairn.js";
import { ArchiveRejectedError, NotFoundError, PreconditionFailedError } from "./errors.js";
import { startReference } from "./test-reference-server.js";
import { server as msw, newClient, sandboxData, url } from "./test-server.js";

let server: RunningServer;
let cairn: Cairn;

beforeAll(async () => {
  ({ server, cairn } = await startReference());
});
afterAll(() => server.close());

const file = (name: string, text: string) => {
  const bytes = new TextEncoder().encode(text);
  return {
    entry: {
      name,
      kind: "file" as const,
      mode: 0o640,
      mtimeMs: 1_600_000_000_000,
      size: bytes.length,
    },
    content: async () => bytes,
  };
};

async function collect(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

describe("sandbox.archive against the reference server", () => {
  it("imports a stream and bytes (tar and tar.gz), and exports a tar.gz stream", async () => {
    const sandbox = await cairn.sandboxes.create();
    const streamed = await sandbox.archive.import(tarStream([file("a.txt", "streamed")]), {
      path: "/in",
    });
    expect(streamed).toMatchObject({ path: "/in", files: 1, bytes: 8 });
    const gz = gzipSync(await collect(tarStream([file("b.txt", "zipped")])));
    const zipped = await sandbox.archive.import(new Uint8Array(gz), {
      path: "/in",
      ifVersion: streamed.version,
    });
    expect(zipped.version).toBe(streamed.version + 1);
    expect(await sandbox.fs.readText("/in/b.txt")).toBe("zipped");

    const { stream, version } = await sandbox.archive.export({ path: "/in" });
    expect(version).toBe(zipped.version);
    const tar = gunzipSync(await collect(stream));
    const text = new TextDecoder().decode(tar);
    expect(text).toContain("streamed");
    expect(text).toContain("zipped");
    expect(text).toContain("a.txt");
  });

  it("throws typed errors: refusals, a stale version, a missing path", async () => {
    const sandbox = await cairn.sandboxes.create();
    const evil = await collect(tarStream([file("x", "x")]));
    // The same archive with its entry renamed (the writer does not judge names).
    evil.set(tarHeader({ name: "../evil", kind: "file", mode: 0o644, mtimeMs: 0, size: 1 }), 0);
    const refused = await sandbox.archive.import(evil).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ArchiveRejectedError);
    expect((refused as ArchiveRejectedError).code).toBe("archive_unsafe_entry");
    const huge = tarHeader({ name: "big", kind: "file", mode: 0o644, mtimeMs: 0, size: 2 ** 30 });
    const tooBig = await sandbox.archive
      .import(new ReadableStream({ start: (c) => c.enqueue(huge) }))
      .catch((e: unknown) => e);
    expect((tooBig as ArchiveRejectedError).code).toBe("archive_entry_too_large");
    await expect(
      sandbox.archive.import(await collect(tarStream([])), { ifVersion: 99 }),
    ).rejects.toBeInstanceOf(PreconditionFailedError);
    await expect(sandbox.archive.export({ path: "/missing" })).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });
});

describe("sandbox.archive on the wire", () => {
  beforeAll(() => msw.listen({ onUnhandledRequest: "error" }));
  afterAll(() => msw.close());

  it("sends a stream once, without retrying it, with the tar media type", async () => {
    let calls = 0;
    let contentType: string | null = null;
    msw.use(
      http.get(url("/v1/sandboxes/sbx_a"), () => HttpResponse.json(sandboxData("sbx_a"))),
      http.post(url("/v1/sandboxes/sbx_a/archive"), async ({ request }) => {
        calls++;
        contentType = request.headers.get("content-type");
        await request.arrayBuffer();
        return HttpResponse.json(
          { code: "unavailable", status: 503, retryable: true, title: "x", type: "about:blank" },
          { status: 503, headers: { "content-type": "application/problem+json" } },
        );
      }),
    );
    const sandbox = await newClient({ maxRetries: 3 }).sandboxes.get("sbx_a");
    await expect(sandbox.archive.import(tarStream([]))).rejects.toThrow();
    expect(calls).toBe(1);
    expect(contentType).toBe("application/x-tar");
  });
});
