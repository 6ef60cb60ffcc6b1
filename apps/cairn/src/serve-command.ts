/** `cairn serve`: start the reference server with flags and env, and say where and how. */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { createMemoryBackend } from "@cairn/backend-memory";
import { createApp, startServer } from "@cairn/server";

const HELP = `Usage: cairn serve [options]

Options:
  --port <n>              Port to listen on (env PORT, default 7878)
  --host <addr>           Address to bind (env HOST, default 127.0.0.1)
  --api-key <key>         API key clients must send (env CAIRN_API_KEY)
  --generate-api-key      Make a random API key for this run and print it
  --insecure-no-auth      Accept requests without any API key (local development only)
  -h, --help              Show this help

Storage: in memory. Data is NOT persisted: it is lost when the server stops.`;

export interface ServeConfig {
  port: number;
  host: string;
  apiKey: string | null;
  keySource: string;
}

/** Resolves flags and environment into a config, or an error message. */
export function resolveServeConfig(
  args: string[],
  env: NodeJS.ProcessEnv,
): ServeConfig | { error: string } | { help: true } {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: "string" },
      host: { type: "string" },
      "api-key": { type: "string" },
      "generate-api-key": { type: "boolean" },
      "insecure-no-auth": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) return { help: true };
  const portText = values.port ?? env.PORT ?? "7878";
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) return { error: `invalid port '${portText}'` };
  const host = values.host ?? env.HOST ?? "127.0.0.1";

  const chosen = [
    values["api-key"] !== undefined,
    values["generate-api-key"],
    values["insecure-no-auth"],
  ];
  if (chosen.filter(Boolean).length > 1) {
    return { error: "use only one of --api-key, --generate-api-key and --insecure-no-auth" };
  }
  if (values["api-key"] !== undefined) {
    if (values["api-key"].length < 16) return { error: "--api-key must be at least 16 characters" };
    return { port, host, apiKey: values["api-key"], keySource: "--api-key flag" };
  }
  if (values["generate-api-key"]) {
    return {
      port,
      host,
      apiKey: `cairn_${randomBytes(24).toString("base64url")}`,
      keySource: "generated for this run",
    };
  }
  if (values["insecure-no-auth"])
    return { port, host, apiKey: null, keySource: "none (--insecure-no-auth)" };
  if (env.CAIRN_API_KEY) {
    if (env.CAIRN_API_KEY.length < 16)
      return { error: "CAIRN_API_KEY must be at least 16 characters" };
    return {
      port,
      host,
      apiKey: env.CAIRN_API_KEY,
      keySource: "CAIRN_API_KEY environment variable",
    };
  }
  return {
    error:
      "refusing to start without an API key: set CAIRN_API_KEY, pass --api-key or --generate-api-key,\n" +
      "or pass --insecure-no-auth to accept unauthenticated requests (local development only)",
  };
}

export async function serveCommand(args: string[]): Promise<number> {
  const config = resolveServeConfig(args, process.env);
  if ("help" in config) {
    console.log(HELP);
    return 0;
  }
  if ("error" in config) {
    console.error(`cairn serve: ${config.error}`);
    return 2;
  }
  const app = createApp({ backend: createMemoryBackend(), apiKey: config.apiKey });
  const server = await startServer({ app, port: config.port, host: config.host });
  const lines = [
    `cairn: listening on ${server.url}`,
    `cairn: API key: ${config.keySource}`,
    "cairn: WARNING: storage is in memory; every sandbox is lost when this process stops",
  ];
  if (config.keySource === "generated for this run")
    lines.splice(2, 0, `cairn: API key value: ${config.apiKey}`);
  if (config.apiKey === null) {
    lines.push("cairn: WARNING: authentication is OFF; anyone who can reach this port can use it");
  }
  console.log(lines.join("\n"));
  const stop = async () => {
    await server.close();
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  return 0;
}
