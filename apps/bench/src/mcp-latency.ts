/**
 * Section 11: an MCP `bash` tool call (`echo hi`) through the SDK's own client over streamable
 * HTTP, next to the plain `POST .../exec` of the same script, interleaved on one server.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";

export interface McpLatency {
  /** Milliseconds per `tools/call bash` (one POST /mcp, answered as an event stream). */
  mcp: number[];
  /** Milliseconds per `POST /v1/sandboxes/{id}/exec` with the same script, JSON answer. */
  http: number[];
  /** Milliseconds per MCP `ping` (one POST /mcp that calls no tool): the protocol's own floor. */
  ping: number[];
}

/**
 * Measures `iterations` of each after `warmup` unmeasured rounds, one sandbox, the three
 * interleaved so that both see the same server state.
 *
 * @example
 * const { mcp, http } = await measureMcpLatency(server.url, apiKey, 500, 50);
 */
export async function measureMcpLatency(
  baseUrl: string,
  apiKey: string,
  iterations: number,
  warmup: number,
): Promise<McpLatency> {
  const headers = { authorization: `Bearer ${apiKey}` };
  const client = new Client({ name: "cairn-bench", version: "0.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL("/mcp", baseUrl), { requestInit: { headers } }),
  );
  try {
    const created = (await client.callTool({
      name: "create_sandbox",
      arguments: { name: "bench-mcp" },
    })) as CallToolResult;
    const sandbox = created.structuredContent?.sandbox as { id: string } | undefined;
    if (!sandbox) throw new Error(`create_sandbox gave ${JSON.stringify(created)}`);
    const sandboxId = sandbox.id;
    const mcpEcho = async () => {
      const result = (await client.callTool({
        name: "bash",
        arguments: { sandboxId, script: "echo hi" },
      })) as CallToolResult;
      if (result.isError || result.structuredContent?.stdout !== "hi\n")
        throw new Error(`MCP bash gave ${JSON.stringify(result)}`);
    };
    const httpEcho = async () => {
      const res = await fetch(`${baseUrl}/v1/sandboxes/${sandboxId}/exec`, {
        method: "POST",
        headers: { ...headers, "content-type": "application/json" },
        body: JSON.stringify({ script: "echo hi" }),
      });
      const body = (await res.json()) as { stdout?: string };
      if (!res.ok || body.stdout !== "hi\n") throw new Error(`exec gave ${JSON.stringify(body)}`);
    };
    const samples: McpLatency = { mcp: [], http: [], ping: [] };
    for (let i = 0; i < iterations + warmup; i++) {
      const mcp = await time(mcpEcho);
      const http = await time(httpEcho);
      const ping = await time(() => client.ping());
      if (i >= warmup) {
        samples.mcp.push(mcp);
        samples.http.push(http);
        samples.ping.push(ping);
      }
    }
    await client.callTool({ name: "delete_sandbox", arguments: { sandboxId } });
    return samples;
  } finally {
    await client.close();
  }
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}
