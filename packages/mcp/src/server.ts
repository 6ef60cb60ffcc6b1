/** createCairnMcpServer: Cairn's agent tools as one MCP server, over a typed `@cairn/client`. */
import type { Cairn } from "@cairn/client";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { bashTools } from "./tools/bash.js";
import { DEFAULT_TOOL_SETTINGS, type ToolDefinition, type ToolSettings } from "./tools/common.js";
import { fileTools } from "./tools/files.js";
import { historyTools } from "./tools/history.js";
import { sandboxTools } from "./tools/sandboxes.js";
import { searchTools } from "./tools/search.js";

export const MCP_SERVER_NAME = "cairn";
export const MCP_SERVER_VERSION = "0.1.0";

/** What the server tells the model about itself, once, when a client connects. */
export const INSTRUCTIONS = `Cairn gives you persistent bash workspaces ("sandboxes"): a file tree kept on the server, and a bash interpreter that runs scripts against it.
Start with create_sandbox (or list_sandboxes to find one made earlier) and pass its id as sandboxId to every other tool. Files persist across calls and sessions until delete_sandbox.
Use read_file, write_file, edit_file, glob and grep to read, change and find files (exact, bounded, with clear errors); use bash for everything else (running scripts, bulk changes, pipelines). Paths are absolute (/src/main.ts).`;

export interface CairnMcpServerOptions extends Partial<ToolSettings> {}

/**
 * An MCP server whose tools call the Cairn API through `client`, so they behave exactly like the
 * HTTP API: same validation, limits, idempotency keys, retries and error codes. Connect it to any
 * MCP transport (stdio, streamable HTTP).
 *
 * Tools: create_sandbox, list_sandboxes, delete_sandbox, bash, read_file, write_file, edit_file,
 * glob, grep.
 *
 * @example
 * const server = createCairnMcpServer(new Cairn({ baseUrl, apiKey }));
 * await server.connect(new StdioServerTransport());
 */
export function createCairnMcpServer(
  client: Cairn,
  options: CairnMcpServerOptions = {},
): McpServer {
  const server = new McpServer(
    { name: MCP_SERVER_NAME, title: "Cairn sandboxes", version: MCP_SERVER_VERSION },
    { instructions: INSTRUCTIONS, capabilities: { tools: {} } },
  );
  for (const tool of toolsFor(options)) tool.register(server, client);
  return server;
}

/** Tool definitions by settings: building their schemas takes milliseconds, registering them little. */
const definitions = new Map<string, ToolDefinition[]>();

function toolsFor(options: CairnMcpServerOptions): ToolDefinition[] {
  const given = Object.entries(options).filter(([, value]) => value !== undefined);
  const settings: ToolSettings = { ...DEFAULT_TOOL_SETTINGS, ...Object.fromEntries(given) };
  const key = JSON.stringify(settings);
  let tools = definitions.get(key);
  if (!tools) {
    tools = [
      ...sandboxTools(),
      ...bashTools(settings),
      ...fileTools(settings),
      ...searchTools(settings),
      ...historyTools(),
    ];
    definitions.set(key, tools);
  }
  return tools;
}
