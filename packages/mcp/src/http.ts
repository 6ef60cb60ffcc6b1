/** The `/mcp` endpoint: MCP's streamable HTTP transport, stateless, one server per request. */
import { Cairn } from "@cairn/client";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { type CairnMcpServerOptions, createCairnMcpServer } from "./server.js";

/** How tool calls reach the Cairn API: usually the server app's own `fetch`, in process. */
export type ApiFetch = (request: Request) => Promise<Response>;

/**
 * Answers one HTTP request to `/mcp`. `api` serves the tool calls' API requests, which carry the
 * caller's `Authorization` header: each call is authenticated and scoped exactly like the same
 * request to `/v1/...` would be.
 */
export type McpHttpHandler = (request: Request, api: ApiFetch) => Promise<Response>;

export interface McpHttpHandlerOptions extends CairnMcpServerOptions {
  /** Largest JSON-RPC request body, in bytes (default 16 MiB); a larger one gets 413. */
  maxRequestBodyBytes?: number;
}

const DEFAULT_MAX_REQUEST_BODY_BYTES = 16 * 1024 * 1024;

/**
 * The `/mcp` handler for a Cairn server. It is stateless: every POST gets a fresh MCP server and
 * transport (no session id, so any replica can answer any request), whose tools call the API
 * through a client that sends the caller's own bearer key to `api`. Results come back as a
 * server-sent-event stream, which also carries progress notifications for long bash calls. GET
 * (a standalone event stream) and DELETE (ending a session) have nothing to do here: 405.
 *
 * The caller (e.g. `createApp({ mcp })` in `@cairn/server`) authenticates the request first.
 *
 * @example
 * const handler = createMcpHttpHandler();
 * app.use("/mcp", auth);
 * app.all("/mcp", (c) => handler(c.req.raw, (request) => app.fetch(request)));
 */
export function createMcpHttpHandler(options: McpHttpHandlerOptions = {}): McpHttpHandler {
  const { maxRequestBodyBytes = DEFAULT_MAX_REQUEST_BODY_BYTES, ...toolOptions } = options;
  return async (request, api) => {
    if (request.method !== "POST") return methodNotAllowed();
    const token = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get("authorization") ?? "")?.[1];
    const client = new Cairn({
      baseUrl: new URL(request.url).origin,
      apiKey: token ?? "",
      fetch: withoutIdempotencyKeys(api),
    });
    const server = createCairnMcpServer(client, toolOptions);
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      maxRequestBodySize: maxRequestBodyBytes,
    });
    await server.connect(transport);
    // A caller that goes away cancels its tool calls (and so the scripts they run).
    request.signal.addEventListener("abort", () => void server.close(), { once: true });
    return transport.handleRequest(request);
  };
}

/**
 * `api` without the client's `Idempotency-Key`s. A key lets a retry after a lost response replay
 * the first answer; a call in process cannot lose its response, so the key would only cost the
 * server two writes to store it. The client still retries only what the server says applied
 * nothing (`retryable`), which needs no key.
 *
 * @example const client = new Cairn({ baseUrl, apiKey, fetch: withoutIdempotencyKeys(app.fetch) });
 */
export function withoutIdempotencyKeys(api: ApiFetch): ApiFetch {
  return (request) => {
    if (!request.headers.has("idempotency-key")) return api(request);
    const headers = new Headers(request.headers);
    headers.delete("idempotency-key");
    return api(new Request(request, { headers }));
  };
}

function methodNotAllowed(): Response {
  const body = {
    jsonrpc: "2.0",
    error: {
      code: -32000,
      message:
        "Method not allowed: this MCP endpoint is stateless; send JSON-RPC requests with POST",
    },
    id: null,
  };
  return new Response(JSON.stringify(body), {
    status: 405,
    headers: { Allow: "POST", "Content-Type": "application/json" },
  });
}
