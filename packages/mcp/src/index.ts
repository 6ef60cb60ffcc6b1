/** @cairn/mcp: Cairn sandboxes as Model Context Protocol tools (bash, read, write, edit, glob, grep). */
export {
  type ApiFetch,
  createMcpHttpHandler,
  type McpHttpHandler,
  type McpHttpHandlerOptions,
  withoutIdempotencyKeys,
} from "./http.js";
export {
  type CairnMcpServerOptions,
  createCairnMcpServer,
  INSTRUCTIONS,
  MCP_SERVER_NAME,
  MCP_SERVER_VERSION,
} from "./server.js";
export { DEFAULT_TOOL_SETTINGS, type ToolSettings } from "./tools/common.js";
