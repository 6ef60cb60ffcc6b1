/** Test support: the reference server with `/mcp` on a real port, and the SDK's own client for it. */
import { connect, migrate } from "@cairn/backend-postgres";
import type { Backend } from "@cairn/core";
import { createApp, type RunningServer, startServer } from "@cairn/server";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { expect } from "vitest";
import { createMcpHttpHandler, type McpHttpHandlerOptions } from "./http.js";

export const API_KEY = "mcp-test-key-0123456789";

export interface McpTestServer {
  url: string;
  /** An MCP client connected to `/mcp` with `apiKey` (default the server's key). */
  connect(apiKey?: string): Promise<Client>;
  close(): Promise<void>;
}

/** The reference server over `backend` with `/mcp`, listening on a free port. */
export async function startMcpTestServer(
  backend: Backend,
  options: McpHttpHandlerOptions = {},
): Promise<McpTestServer> {
  const app = createApp({ backend, apiKey: API_KEY, mcp: createMcpHttpHandler(options) });
  const server: RunningServer = await startServer({ app, port: 0 });
  const clients: Client[] = [];
  return {
    url: server.url,
    async connect(apiKey = API_KEY) {
      const client = new Client({ name: "cairn-mcp-test", version: "0.0.0" });
      const transport = new StreamableHTTPClientTransport(new URL("/mcp", server.url), {
        requestInit: { headers: { Authorization: `Bearer ${apiKey}` } },
      });
      await client.connect(transport);
      clients.push(client);
      return client;
    },
    async close() {
      await Promise.all(clients.map((client) => client.close()));
      await server.close();
    },
  };
}

const ADMIN_URL =
  process.env.CAIRN_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** A fresh, migrated database on the machine's Postgres; `drop()` removes it. */
export async function createTestDatabase() {
  const name = `cairn_test_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const admin = connect(ADMIN_URL, { max: 1 });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const sql = connect(url.toString(), { max: 10 });
  await migrate(sql);
  return {
    sql,
    async drop() {
      await sql.end({ timeout: 5 }).catch(() => {});
      const again = connect(ADMIN_URL, { max: 1 });
      await again.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await again.end();
    },
  };
}

/** Calls a tool; the result as the SDK parsed it. */
export async function call(
  client: Client,
  name: string,
  args: Record<string, unknown>,
): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

/** The text of a tool result (its one text block). */
export function textOf(result: CallToolResult): string {
  const [block] = result.content;
  if (block?.type !== "text")
    throw new Error(`expected one text block, got ${JSON.stringify(result)}`);
  return block.text;
}

/** Calls a tool that must succeed; returns its text and structured content. */
export async function ok(client: Client, name: string, args: Record<string, unknown>) {
  const result = await call(client, name, args);
  if (result.isError) throw new Error(`${name} failed: ${textOf(result)}`);
  return { text: textOf(result), data: result.structuredContent as Record<string, unknown> };
}

/** Calls a tool that must fail; returns its error text. */
export async function fails(client: Client, name: string, args: Record<string, unknown>) {
  const result = await call(client, name, args);
  expect(result.isError, `${name} should fail: ${textOf(result)}`).toBe(true);
  expect(result.structuredContent).toBeUndefined();
  return textOf(result);
}
