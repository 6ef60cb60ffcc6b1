/** `/mcp` over real HTTP: auth, the methods a stateless endpoint answers, progress and disconnects. */
import { createMemoryBackend } from "@cairn/backend-memory";
import { createApp, type RunningServer, startServer } from "@cairn/server";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createMcpHttpHandler } from "./http.js";
import { API_KEY, fails, type McpTestServer, ok, startMcpTestServer } from "./test-server.js";

const INITIALIZE = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: {
    protocolVersion: "2025-06-18",
    capabilities: {},
    clientInfo: { name: "raw", version: "0" },
  },
};
const MCP_HEADERS = {
  "Content-Type": "application/json",
  Accept: "application/json, text/event-stream",
};

describe("/mcp authentication", () => {
  let server: McpTestServer;
  beforeAll(async () => {
    server = await startMcpTestServer(createMemoryBackend());
  });
  afterAll(() => server.close());

  it.each([
    ["no key", {}, "missing bearer API key"],
    ["a wrong key", { Authorization: "Bearer wrong-key-0123456789" }, "invalid API key"],
  ])("answers %s with 401 before any MCP processing", async (_, auth, detail) => {
    const response = await fetch(`${server.url}/mcp`, {
      method: "POST",
      headers: { ...MCP_HEADERS, ...auth },
      body: JSON.stringify(INITIALIZE),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm="cairn"');
    expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(await response.json()).toMatchObject({ code: "unauthorized", detail });
  });

  it("makes the SDK client's connect fail with 401 for a wrong key", async () => {
    const error = await server.connect("wrong-key-0123456789").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StreamableHTTPError);
    expect((error as StreamableHTTPError).code).toBe(401);
  });

  it("answers GET and DELETE with 405 (stateless: no stream to open, no session to end)", async () => {
    for (const method of ["GET", "DELETE"]) {
      const response = await fetch(`${server.url}/mcp`, {
        method,
        headers: { Authorization: `Bearer ${API_KEY}`, Accept: "text/event-stream" },
      });
      expect(response.status, method).toBe(405);
      expect(response.headers.get("allow")).toBe("POST");
    }
    // Authentication still comes first.
    expect((await fetch(`${server.url}/mcp`)).status).toBe(401);
  });

  it("answers a raw initialize with the server's name and no session id", async () => {
    const response = await fetch(`${server.url}/mcp`, {
      method: "POST",
      headers: { ...MCP_HEADERS, Authorization: `Bearer ${API_KEY}` },
      body: JSON.stringify(INITIALIZE),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("mcp-session-id")).toBeNull();
    const text = await response.text();
    expect(text).toContain('"serverInfo":{"name":"cairn"');
  });
});

describe("/mcp tool calls", () => {
  let http: RunningServer;
  const forwarded: (string | null)[] = [];
  const idempotencyKeys: (string | null)[] = [];
  let clients: Client[] = [];

  beforeAll(async () => {
    const handler = createMcpHttpHandler({ progressIntervalMs: 50 });
    const app = createApp({
      backend: createMemoryBackend(),
      apiKey: API_KEY,
      // Records the Authorization header of every API request a tool call makes.
      mcp: (request, api) =>
        handler(request, (inner) => {
          forwarded.push(inner.headers.get("authorization"));
          idempotencyKeys.push(inner.headers.get("idempotency-key"));
          return api(inner);
        }),
    });
    http = await startServer({ app, port: 0 });
  });
  afterEach(async () => {
    await Promise.all(clients.map((client) => client.close()));
    clients = [];
  });
  afterAll(() => http.close());

  async function connect(): Promise<Client> {
    const client = new Client({ name: "cairn-mcp-test", version: "0.0.0" });
    await client.connect(
      new StreamableHTTPClientTransport(new URL("/mcp", http.url), {
        requestInit: { headers: { Authorization: `Bearer ${API_KEY}` } },
      }),
    );
    clients.push(client);
    return client;
  }

  async function newSandbox(client: Client): Promise<string> {
    const { data } = await ok(client, "create_sandbox", {});
    return (data.sandbox as { id: string }).id;
  }

  it("sends the caller's own key, and no idempotency key, with every API request a tool makes", async () => {
    forwarded.length = 0;
    idempotencyKeys.length = 0;
    const client = await connect();
    const sandboxId = await newSandbox(client);
    await ok(client, "bash", { sandboxId, script: "echo hi" });
    expect(forwarded.length).toBeGreaterThanOrEqual(3);
    expect(new Set(forwarded)).toEqual(new Set([`Bearer ${API_KEY}`]));
    // In process a response cannot be lost, so there is nothing for a key to replay.
    expect(new Set(idempotencyKeys)).toEqual(new Set([null]));
  });

  it("reports progress while a long script runs, keeping a client's timeout from firing", async () => {
    const client = await connect();
    const sandboxId = await newSandbox(client);
    const progress: { progress: number; message?: string }[] = [];
    const result = (await client.callTool(
      { name: "bash", arguments: { sandboxId, script: "sleep 0.5; echo done" } },
      undefined,
      {
        onprogress: (event) => progress.push(event),
        timeout: 300,
        resetTimeoutOnProgress: true,
      },
    )) as CallToolResult;
    expect(result.structuredContent).toMatchObject({ exitCode: 0, stdout: "done\n" });
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(progress[0]?.message).toMatch(/^still running after \d+ s$/);
    const values = progress.map((event) => event.progress);
    expect(values).toEqual([...values].sort((a, b) => a - b));
  });

  it("stops the script, committing nothing, when the caller disconnects", async () => {
    const client = await connect();
    const sandboxId = await newSandbox(client);
    const running = client
      .callTool({
        name: "bash",
        arguments: { sandboxId, script: "sleep 1; echo late > /late.txt" },
      })
      .catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await client.close();
    expect(await running).toBeInstanceOf(Error);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const other = await connect();
    expect(await fails(other, "read_file", { sandboxId, path: "/late.txt" })).toMatch(/^ENOENT: /);
  });
});
