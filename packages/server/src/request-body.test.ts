/**
 * Bodies from the wire: read from the Node request when their length is declared, through the
 * web Request otherwise; both within the body limit, and the same bytes for every reader.
 */
import { request as httpRequest } from "node:http";
import { createMemoryBackend } from "@cairn/backend-memory";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "./app.js";
import { type RunningServer, startServer } from "./serve.js";

const KEY = "test-key-0123456789";
const auth = { authorization: `Bearer ${KEY}` };

/** One request over a raw socket: `chunked` sends the body without a Content-Length. */
function send(
  url: string,
  method: string,
  path: string,
  body: Uint8Array | string,
  headers: Record<string, string>,
  chunked = false,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const bytes = typeof body === "string" ? Buffer.from(body) : Buffer.from(body);
    const req = httpRequest(`${url}${path}`, {
      method,
      headers: chunked ? headers : { ...headers, "content-length": String(bytes.length) },
    });
    req.on("response", (res) => {
      const parts: Buffer[] = [];
      res.on("data", (part: Buffer) => parts.push(part));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(parts).toString() }),
      );
    });
    req.on("error", reject);
    if (chunked) {
      // Two writes: Node sends them as chunks of a chunked body.
      req.write(bytes.subarray(0, bytes.length >> 1));
      req.end(bytes.subarray(bytes.length >> 1));
    } else req.end(bytes);
  });
}

describe("request bodies from the wire", () => {
  let server: RunningServer;
  let sandbox: string;
  const json = { ...auth, "content-type": "application/json" };

  beforeAll(async () => {
    server = await startServer({
      app: createApp({
        backend: createMemoryBackend(),
        apiKey: KEY,
        limits: { maxBodyBytes: 4096 },
      }),
      port: 0,
    });
    const created = await send(server.url, "POST", "/v1/sandboxes", "{}", json);
    sandbox = (JSON.parse(created.text) as { id: string }).id;
  });
  afterAll(() => server.close());

  it.each([false, true])("a JSON exec body is read whole (chunked: %s)", async (chunked) => {
    const script = `echo '${"x".repeat(1000)}' | wc -c`;
    const res = await send(
      server.url,
      "POST",
      `/v1/sandboxes/${sandbox}/exec`,
      JSON.stringify({ script }),
      json,
      chunked,
    );
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toMatchObject({ exitCode: 0, stdout: "1001\n" });
  });

  it("a JSON body that starts with a byte order mark is read as Response.text() reads it", async () => {
    const res = await send(
      server.url,
      "POST",
      `/v1/sandboxes/${sandbox}/exec`,
      `\uFEFF${JSON.stringify({ script: "echo bom" })}`,
      json,
    );
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toMatchObject({ stdout: "bom\n" });
  });

  it("a binary upload is stored byte for byte, a leading byte order mark kept", async () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, 0x00, 0xff, 0x80, 0x0a]);
    const put = await send(
      server.url,
      "PUT",
      `/v1/sandboxes/${sandbox}/files?path=/bin.dat`,
      bytes,
      { ...auth, "content-type": "application/octet-stream" },
    );
    expect(put.status).toBe(201);
    const got = await fetch(`${server.url}/v1/sandboxes/${sandbox}/files?path=/bin.dat`, {
      headers: auth,
    });
    expect(new Uint8Array(await got.arrayBuffer())).toEqual(bytes);
  });

  it.each([false, true])(
    "a body over the limit is 413 and writes nothing (chunked: %s)",
    async (chunked) => {
      const res = await send(
        server.url,
        "PUT",
        `/v1/sandboxes/${sandbox}/files?path=/big`,
        new Uint8Array(8192),
        { ...auth, "content-type": "application/octet-stream" },
        chunked,
      );
      expect(res.status).toBe(413);
      expect(JSON.parse(res.text)).toMatchObject({ code: "payload_too_large" });
      const stat = await fetch(`${server.url}/v1/sandboxes/${sandbox}/fs/stat?path=/big`, {
        headers: auth,
      });
      expect(stat.status).toBe(404);
    },
  );

  it("an idempotency key fingerprints the same bytes the route reads", async () => {
    const key = { ...json, "idempotency-key": "wire-body-1" };
    const exec = (script: string) =>
      send(server.url, "POST", `/v1/sandboxes/${sandbox}/exec`, JSON.stringify({ script }), key);
    const first = await exec("echo $RANDOM");
    const again = await exec("echo $RANDOM");
    expect(first.status).toBe(200);
    expect(again.text).toBe(first.text); // replayed, not run again
    const other = await exec("echo other");
    expect(other.status).toBe(422);
  });

  it("a client that goes away mid-body leaves the server serving", async () => {
    await new Promise<void>((resolve) => {
      const req = httpRequest(`${server.url}/v1/sandboxes/${sandbox}/exec`, {
        method: "POST",
        headers: { ...json, "content-length": "1000" },
      });
      req.on("error", () => resolve());
      req.write('{"script": "echo ');
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 50);
    });
    const res = await send(
      server.url,
      "POST",
      `/v1/sandboxes/${sandbox}/exec`,
      JSON.stringify({ script: "echo still here" }),
      json,
    );
    expect(JSON.parse(res.text)).toMatchObject({ stdout: "still here\n" });
  });
});
