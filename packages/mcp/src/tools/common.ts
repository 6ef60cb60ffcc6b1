/** What every tool shares: the client it calls, the settings, input pieces and result helpers. */
import type { Cairn, Sandbox } from "@cairn/client";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import type {
  CallToolResult,
  ServerNotification,
  ServerRequest,
  ToolAnnotations,
} from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { toolError } from "../errors.js";

/** Tunables for how much a tool returns by default (the API's own limits still apply). */
export interface ToolSettings {
  /** Bytes of each of stdout and stderr a bash call keeps unless it asks for more (default 32 KiB). */
  bashMaxOutputBytes: number;
  /** Bytes of text one read_file call returns at most (default 64 KiB). */
  readMaxBytes: number;
  /** Lines one read_file call returns when endLine is not given (default 2000). */
  readDefaultLines: number;
  /** Paths a glob returns unless it asks for another limit (default 500). */
  globDefaultLimit: number;
  /** Matching lines a grep returns unless it asks for another maxResults (default 200). */
  grepDefaultResults: number;
  /** How often a long bash call reports progress, when the client asked for progress (default 10 s). */
  progressIntervalMs: number;
}

export const DEFAULT_TOOL_SETTINGS: ToolSettings = {
  bashMaxOutputBytes: 32 * 1024,
  readMaxBytes: 64 * 1024,
  readDefaultLines: 2000,
  globDefaultLimit: 500,
  grepDefaultResults: 200,
  progressIntervalMs: 10_000,
};

/** What a tool's body gets besides its arguments: the request's signal, progress token, ... */
export type ToolExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/**
 * A tool, defined once (its schemas are built when it is defined, which costs far more than
 * registering it) and registered on any number of servers, each with its own client.
 */
export interface ToolDefinition {
  name: string;
  register(server: McpServer, client: Cairn): void;
}

export interface ToolConfig<In extends z.ZodObject, Out extends z.ZodObject> {
  title: string;
  description: string;
  inputSchema: In;
  outputSchema: Out;
  annotations: ToolAnnotations;
}

/**
 * Defines a tool whose body calls the API through the server's client; a Cairn error it throws
 * becomes an `isError` result naming the error's code.
 */
export function defineTool<In extends z.ZodObject, Out extends z.ZodObject>(
  name: string,
  config: ToolConfig<In, Out>,
  run: (client: Cairn, args: z.output<In>, extra: ToolExtra) => Promise<CallToolResult>,
): ToolDefinition {
  return {
    name,
    register(server, client) {
      const callback = (args: z.output<In>, extra: ToolExtra) =>
        guarded(() => run(client, args, extra));
      // The SDK's overloads cannot follow a generic schema; the schema and callback agree by construction.
      server.registerTool(name, config, callback as never);
    },
  };
}

export const sandboxId = z
  .string()
  .regex(/^sbx_[A-Za-z0-9]{1,64}$/, "a sandbox id looks like sbx_ followed by letters and digits")
  .describe("The sandbox's id, as returned by create_sandbox or list_sandboxes (e.g. sbx_a1B2c3).");

/** An absolute path in the sandbox. */
export function absolutePath(what: string, example = "/src/main.ts") {
  return z
    .string()
    .min(1)
    .max(4096)
    .regex(/^\//, "paths are absolute: start with /")
    .describe(`${what} Absolute, e.g. ${example}.`);
}

/** The sandbox an id names, or the API's error (`sandbox_not_found`, ...). */
export function openSandbox(client: Cairn, id: string, signal: AbortSignal): Promise<Sandbox> {
  return client.sandboxes.get(id, { signal });
}

/** A successful result: text for the model, and the same facts as `structuredContent`. */
export function result(text: string, structured: Record<string, unknown>): CallToolResult {
  return { content: [{ type: "text", text }], structuredContent: structured };
}

/** Runs a tool body; a Cairn error becomes an `isError` result naming its code. */
export async function guarded(body: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await body();
  } catch (error) {
    return toolError(error);
  }
}
