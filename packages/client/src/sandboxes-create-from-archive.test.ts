/** cairn.sandboxes.createFromArchive against the real reference server, plus msw for the wire shape. */
import { gzipSync } from "node:zlib";
import { createMemoryBackend } from "@cairn/backend-memory";
import {
  createApp,
  type RunningServer,
  startServer,
  type TarSource,
  tarHeader,
  tarStream,
} from "@cairn/server";
import { HttpResponse, http } from "msw";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Cairn } from "./cairn.js";
import { APIError, ArchiveRejectedError } from "./errors.js";
import { REFERENCE_API_KEY, startReference } from "./test-reference-server.js";
import { server as msw, newClient, sandboxData, url } from "./test-server.js";

let server: RunningServer;
let cairn: Cairn;

beforeAll(async () => {
  ({ server, cairn } = await startReference());
});
afterAll(() => server.close());

const file = (name: string, text: string, mode = 0o644): TarSource => {
  const bytes = new TextEncoder().encode(text);
  return {
    entry: { name, kind: "file", mode, mtimeMs: 1_600_000_000_000, size: bytes.length },
    content: async () => bytes,
  };
};

async function collect(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function names(): Promise<Array<string | null>> {
  const out: Array<string | null> = [];
  for await (const sandbox of cairn.sandboxes.list()) out.push(sandbox.name);
  return out;
}

describe("cairn.sandboxes.createFromArchive against the reference server", () => {
  it("creates from tar.gz bytes with settings, and from a stream", async () => {
    const gz = gzipSync(await collect(tarStream([file("bin/run.sh", "echo hi\n", 0o755)])));
    const sandbox = await cairn.sandboxes.createFromArchive(new Uint8Array(gz), {
      name: "from bytes",
      path: "/work",
      env: { CI: "1", EQ: "a=b" },
      persistShell: true,
      policy: { denyGlobs: ["**/*.key"] },
      ttl: 600,
    });
    expect(sandbox.toJSON()).toMatchObject({
      name: "from bytes",
      env: { CI: "1", EQ: "a=b" },
      persistShell: true,
      version: 1,
      policy: { denyGlobs: ["**/*.key"] },
    });
    expect(sandbox.expiresAt).not.toBeNull();
    expect(await sandbox.fs.readText("/work/bin/run.sh")).toBe("echo hi\n");
    expect((await sandbox.fs.stat("/work/bin/run.sh")).mode).toBe(0o755);

    const streamed = await cairn.sandboxes.createFromArchive(
      tarStream([file("a.txt", "streamed"), file("b/c.txt", "deeper")]),
    );
    expect(await streamed.fs.readText("/b/c.txt")).toBe("deeper");
  });

  it("throws ArchiveRejectedError for an unsafe entry, or a 507 EDQUOT past the quota; no sandbox is left", async () => {
    const evil = await collect(tarStream([file("ok", "ok"), file("x", "x")]));
    // The second entry renamed (the writer does not judge names).
    evil.set(tarHeader({ name: "../evil", kind: "file", mode: 0o644, mtimeMs: 0, size: 1 }), 1024);
    const refused = await cairn.sandboxes
      .createFromArchive(evil, { name: "never created" })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ArchiveRejectedError);
    expect((refused as ArchiveRejectedError).code).toBe("archive_unsafe_entry");

    // A server whose quota is 20 entries: the machine directories and 20 files are over it.
    const small = await startServer({
      app: createApp({
        backend: createMemoryBackend(),
        apiKey: REFERENCE_API_KEY,
        limits: { sandboxMaxFiles: 20 },
      }),
      port: 0,
    });
    try {
      const client = new Cairn({ baseUrl: small.url, apiKey: REFERENCE_API_KEY });
      const twenty = Array.from({ length: 20 }, (_, i) => file(`f${i}`, ""));
      const tooMany = await client.sandboxes
        .createFromArchive(tarStream(twenty), { name: "over quota" })
        .catch((e: unknown) => e);
      expect(tooMany).toBeInstanceOf(APIError);
      expect([(tooMany as APIError).status, (tooMany as APIError).code]).toEqual([507, "EDQUOT"]);
      expect((await client.sandboxes.list()).items).toEqual([]);
    } finally {
      await small.close();
    }
    expect(await names()).not.toContain("never created");
  });
});

describe("cairn.sandboxes.createFromArchive on the wire", () => {
  beforeAll(() => msw.listen({ onUnhandledRequest: "error" }));
  afterAll(() => msw.close());

  it("sends the settings as query parameters, the media type, and a key for bytes", async () => {
    let seen: { url: URL; type: string | null; key: string | null; bytes: number } | undefined;
    msw.use(
      http.post(url("/v1/sandboxes"), async ({ request }) => {
        seen = {
          url: new URL(request.url),
          type: request.headers.get("content-type"),
          key: request.headers.get("idempotency-key"),
          bytes: (await request.arrayBuffer()).byteLength,
        };
        return HttpResponse.json(sandboxData("sbx_t"), { status: 201 });
      }),
    );
    const gz = gzipSync(new Uint8Array(1024));
    await newClient().sandboxes.createFromArchive(new Uint8Array(gz), {
      name: "n",
      env: { A: "1", B: "x=y" },
      runtimes: ["python3"],
      policy: { readOnly: true },
      path: "/p",
      idleTimeout: 60,
    });
    const query = seen?.url.searchParams;
    expect(query?.get("name")).toBe("n");
    expect(query?.getAll("env")).toEqual(["A=1", "B=x=y"]);
    expect(query?.getAll("runtimes")).toEqual(["python3"]);
    expect(JSON.parse(query?.get("policy") ?? "")).toEqual({ readOnly: true });
    expect([query?.get("path"), query?.get("idleTimeout")]).toEqual(["/p", "60"]);
    expect(seen?.type).toBe("application/gzip");
    expect(seen?.key).toBeTruthy();
    expect(seen?.bytes).toBe(gz.length);
  });

  it("sends a stream once, without retrying it and without a key of its own", async () => {
    let calls = 0;
    let key: string | null = "unset";
    msw.use(
      http.post(url("/v1/sandboxes"), async ({ request }) => {
        calls++;
        key = request.headers.get("idempotency-key");
        await request.arrayBuffer();
        return HttpResponse.json(
          { code: "unavailable", status: 503, retryable: true, title: "x", type: "about:blank" },
          { status: 503, headers: { "content-type": "application/problem+json" } },
        );
      }),
    );
    await expect(
      newClient({ maxRetries: 3 }).sandboxes.createFromArchive(tarStream([])),
    ).rejects.toThrow();
    expect([calls, key]).toEqual([1, null]);
  });
});
