/** `cairn mcp`: Cairn's MCP tools over stdio, against a server (--url) or embedded storage. */
import { parseArgs } from "node:util";
import { Cairn } from "@cairn/client";
import { SandboxService } from "@cairn/core";
import { withoutIdempotencyKeys } from "@cairn/mcp";
import { serveStdio } from "@cairn/mcp/stdio";
import { createApp } from "@cairn/server";
import { chooseStorage, DEFAULT_DATA_DIR, openStorage, type StorageChoice } from "./storage.js";

const HELP = `Usage: cairn mcp [options]

Serves Cairn's MCP tools (create_sandbox, list_sandboxes, delete_sandbox, bash,
read_file, write_file, edit_file, glob, grep) over stdin/stdout, for MCP clients
that start a process (Claude Desktop, Claude Code, Cursor, ...). Logs go to stderr.

Against a running Cairn server:
  --url <url>             The server's URL (env CAIRN_URL), e.g. http://127.0.0.1:7878
  --api-key <key>         Its API key (env CAIRN_API_KEY)

Without --url, sandboxes are stored by this process, as 'cairn serve' would:
  --database-url <url>    PostgreSQL to use (env DATABASE_URL)
  --data-dir <dir>        Without a database URL: where embedded PGlite keeps its data
                          (env CAIRN_DATA_DIR, default ${DEFAULT_DATA_DIR} in the current
                          directory; give an absolute path, MCP clients start servers
                          in a directory of their choosing). One process at a time.
  --memory                Keep everything in memory (lost on exit)

  -h, --help              Show this help`;

export type McpConfig =
  | { kind: "remote"; url: string; apiKey: string }
  | { kind: "local"; storage: StorageChoice };

/** Resolves flags and environment into a config, or an error message. */
export function resolveMcpConfig(
  args: string[],
  env: NodeJS.ProcessEnv,
): McpConfig | { error: string } | { help: true } {
  const { values } = parseArgs({
    args,
    options: {
      url: { type: "string" },
      "api-key": { type: "string" },
      "database-url": { type: "string" },
      "data-dir": { type: "string" },
      memory: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) return { help: true };
  const url = values.url ?? env.CAIRN_URL;
  if (url) {
    try {
      new URL(url);
    } catch {
      return { error: `invalid --url '${url}'` };
    }
    const local = ["database-url", "data-dir", "memory"] as const;
    const given = local.filter((name) => values[name] !== undefined);
    if (given.length > 0) return { error: `--url cannot be combined with --${given[0]}` };
    const apiKey = values["api-key"] ?? env.CAIRN_API_KEY;
    if (!apiKey) return { error: "--url needs an API key: pass --api-key or set CAIRN_API_KEY" };
    return { kind: "remote", url, apiKey };
  }
  if (values["api-key"] !== undefined) return { error: "--api-key is for --url" };
  const storage = chooseStorage({
    memory: values.memory,
    databaseUrl: values["database-url"] ?? env.DATABASE_URL,
    dataDir: values["data-dir"] ?? env.CAIRN_DATA_DIR,
  });
  return { kind: "local", storage };
}

export async function mcpCommand(args: string[]): Promise<number> {
  const config = resolveMcpConfig(args, process.env);
  if ("help" in config) {
    console.log(HELP);
    return 0;
  }
  if ("error" in config) {
    console.error(`cairn mcp: ${config.error}`);
    return 2;
  }
  // stdout carries the protocol: anything else that prints goes to stderr.
  console.log = console.error;
  console.info = console.error;

  if (config.kind === "remote") {
    const client = new Cairn({ baseUrl: config.url, apiKey: config.apiKey });
    const { closed } = await serveStdio(client);
    console.error(`cairn mcp: serving MCP over stdio for ${config.url}`);
    await closed;
    return 0;
  }
  const storage = await openStorage(config.storage);
  try {
    const service = new SandboxService({ backend: storage.backend });
    // In process: the tools reach this app's API directly, so there is no port and no key.
    const app = createApp({ backend: storage.backend, service, apiKey: null });
    const client = new Cairn({
      baseUrl: "http://cairn.local",
      apiKey: "in-process",
      fetch: withoutIdempotencyKeys(async (request) => app.fetch(request)),
    });
    const { closed, close } = await serveStdio(client);
    for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void close());
    console.error(`cairn mcp: serving MCP over stdio; storage: ${storage.description}`);
    await closed;
    return 0;
  } finally {
    await storage.close();
  }
}
