/** `@cairn/mcp/stdio`: the same tools over stdin/stdout, for desktop MCP clients that start a process. */
import type { Cairn } from "@cairn/client";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { type CairnMcpServerOptions, createCairnMcpServer } from "./server.js";

export interface StdioOptions extends CairnMcpServerOptions {
  /** Default `process.stdin`. */
  stdin?: NodeJS.ReadableStream & { pause(): unknown };
  /** Default `process.stdout`. Nothing else may write to it: it carries the protocol. */
  stdout?: NodeJS.WritableStream;
}

/**
 * Serves Cairn's MCP tools over stdio until the client closes stdin (or `close()` is called).
 * Resolves to a handle whose `closed` settles when the connection has ended.
 *
 * @example
 * const { closed } = await serveStdio(new Cairn({ baseUrl, apiKey }));
 * await closed; // the client went away
 */
export async function serveStdio(
  client: Cairn,
  options: StdioOptions = {},
): Promise<{ closed: Promise<void>; close(): Promise<void> }> {
  const { stdin = process.stdin, stdout = process.stdout, ...toolOptions } = options;
  const server = createCairnMcpServer(client, toolOptions);
  const closed = new Promise<void>((resolve) => {
    server.server.onclose = resolve;
  });
  await server.connect(new StdioServerTransport(stdin as never, stdout as never));
  const close = () => server.close();
  stdin.once("end", () => void close());
  return { closed, close };
}
