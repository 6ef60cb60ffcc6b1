/**
 * End to end: MCP clients (the SDK's own) against the real `cairn` process: `cairn mcp` over
 * stdio, on embedded storage and against a server, and `/mcp` on `cairn serve`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMemoryBackend } from "@cairn/backend-memory";
import { Cairn } from "@cairn/client";
import { createApp, type RunningServer, startServer } from "@cairn/server";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, startCairn } from "./test-process.js";

const KEY = "mcp-e2e-key-0123456789";

/** `cairn mcp <args>` as a desktop client starts it: a child process speaking MCP on stdio. */
async function startStdio(args: string[], env: Record<string, string> = {}) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, "mcp", ...args],
    env: { PATH: process.env.PATH ?? "", ...env },
    stderr: "pipe",
  });
  let stderr = "";
  transport.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  const client = new Client({ name: "cairn-e2e", version: "0.0.0" });
  await client.connect(transport);
  return { client, transport, stderr: () => stderr };
}

async function call(client: Client, name: string, args: Record<string, unknown>) {
  return (await client.callTool({ name, arguments: args })) as CallToolResult & {
    structuredContent: Record<string, unknown>;
  };
}

const text = (result: CallToolResult) => (result.content[0] as { text: string }).text;

describe("cairn mcp (stdio)", () => {
  it("keeps sandboxes in embedded PGlite across runs", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "cairn-mcp-"));
    try {
      const first = await startStdio(["--data-dir", dataDir]);
      const { tools } = await first.client.listTools();
      expect(tools.map((tool) => tool.name)).toContain("bash");
      const created = await call(first.client, "create_sandbox", { name: "desk" });
      const { id } = created.structuredContent.sandbox as { id: string };
      const ran = await call(first.client, "bash", {
        sandboxId: id,
        script: "echo kept > /note.txt; cat /note.txt",
      });
      expect(ran.structuredContent).toMatchObject({ exitCode: 0, stdout: "kept\n" });
      expect(first.stderr()).toContain(`storage: embedded PGlite in ${dataDir}`);
      await first.client.close();

      const second = await startStdio([], { CAIRN_DATA_DIR: dataDir });
      const listed = await call(second.client, "list_sandboxes", {});
      expect(text(listed)).toContain(`${id}  "desk"`);
      const read = await call(second.client, "read_file", { sandboxId: id, path: "/note.txt" });
      expect(text(read)).toBe("     1\tkept\n\n[Lines 1-1 of 1 (end of file).]");
      await second.client.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  describe("against a server (--url)", () => {
    let server: RunningServer;
    beforeAll(async () => {
      server = await startServer({
        app: createApp({ backend: createMemoryBackend(), apiKey: KEY }),
        port: 0,
      });
    });
    afterAll(() => server.close());

    it("makes the tools' calls to that server with the key", async () => {
      const { client } = await startStdio(["--url", server.url], { CAIRN_API_KEY: KEY });
      const created = await call(client, "create_sandbox", { name: "remote" });
      const { id } = created.structuredContent.sandbox as { id: string };
      await call(client, "write_file", { sandboxId: id, path: "/a.txt", content: "over http" });
      await client.close();
      const sandbox = await new Cairn({ baseUrl: server.url, apiKey: KEY }).sandboxes.get(id);
      expect(await sandbox.fs.readText("/a.txt")).toBe("over http");
    });

    it("reports a wrong key as a tool error", async () => {
      const { client } = await startStdio([
        "--url",
        server.url,
        "--api-key",
        "wrong-key-0123456789",
      ]);
      const listed = await call(client, "list_sandboxes", {});
      expect(listed.isError).toBe(true);
      expect(text(listed)).toMatch(/^unauthorized: invalid API key/);
      await client.close();
    });
  });
});

describe("cairn serve: /mcp", () => {
  it("serves the tools over streamable HTTP behind the API key", async () => {
    const cairn = await startCairn({ apiKey: KEY, args: ["--memory"] });
    try {
      expect(cairn.output().stdout).toContain(`MCP (streamable HTTP): ${cairn.url}/mcp`);
      const client = new Client({ name: "cairn-e2e", version: "0.0.0" });
      await client.connect(
        new StreamableHTTPClientTransport(new URL("/mcp", cairn.url), {
          requestInit: { headers: { Authorization: `Bearer ${KEY}` } },
        }),
      );
      const created = await call(client, "create_sandbox", {});
      const { id } = created.structuredContent.sandbox as { id: string };
      const ran = await call(client, "bash", { sandboxId: id, script: "echo hi" });
      expect(ran.structuredContent).toMatchObject({ exitCode: 0, stdout: "hi\n" });
      await client.close();
      const unauthenticated = await fetch(`${cairn.url}/mcp`, { method: "POST" });
      expect(unauthenticated.status).toBe(401);
    } finally {
      await cairn.stop();
    }
  });
});
