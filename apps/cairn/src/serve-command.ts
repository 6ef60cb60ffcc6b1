/** `cairn serve`: start the reference server with flags and env, and say where and how. */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { SandboxService } from "@cairn/core";
import { createApp, startServer } from "@cairn/server";
import { chooseStorage, DEFAULT_DATA_DIR, openStorage, type StorageChoice } from "./storage.js";

const HELP = `Usage: cairn serve [options]

Options:
  --port <n>              Port to listen on (env PORT, default 7878)
  --host <addr>           Address to bind (env HOST, default 127.0.0.1)
  --api-key <key>         API key clients must send (env CAIRN_API_KEY)
  --generate-api-key      Make a random API key for this run and print it
  --insecure-no-auth      Accept requests without any API key (local development only)
  --database-url <url>    PostgreSQL to use (env DATABASE_URL)
  --data-dir <dir>        Without a database URL: where embedded PGlite keeps its data
                          (env CAIRN_DATA_DIR, default ${DEFAULT_DATA_DIR})
  --memory                Keep everything in memory (lost on exit)
  --cache-mb <n>          Per-process cache budget for trees and file contents
                          (env CAIRN_CACHE_MB, default 256)
  -h, --help              Show this help`;

export interface ServeConfig {
  port: number;
  host: string;
  apiKey: string | null;
  keySource: string;
  storage: StorageChoice;
  cacheBytes: number;
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
      "database-url": { type: "string" },
      "data-dir": { type: "string" },
      memory: { type: "boolean" },
      "cache-mb": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) return { help: true };
  const portText = values.port ?? env.PORT ?? "7878";
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) return { error: `invalid port '${portText}'` };
  const host = values.host ?? env.HOST ?? "127.0.0.1";
  const cacheText = values["cache-mb"] ?? env.CAIRN_CACHE_MB ?? "256";
  if (!/^\d+$/.test(cacheText) || Number(cacheText) < 1)
    return { error: `invalid cache size '${cacheText}'` };
  const storage = chooseStorage({
    memory: values.memory,
    databaseUrl: values["database-url"] ?? env.DATABASE_URL,
    dataDir: values["data-dir"] ?? env.CAIRN_DATA_DIR,
  });
  const base = { port, host, storage, cacheBytes: Number(cacheText) * 2 ** 20 };

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
    return { ...base, apiKey: values["api-key"], keySource: "--api-key flag" };
  }
  if (values["generate-api-key"]) {
    return {
      ...base,
      apiKey: `cairn_${randomBytes(24).toString("base64url")}`,
      keySource: "generated for this run",
    };
  }
  if (values["insecure-no-auth"])
    return { ...base, apiKey: null, keySource: "none (--insecure-no-auth)" };
  if (env.CAIRN_API_KEY) {
    if (env.CAIRN_API_KEY.length < 16)
      return { error: "CAIRN_API_KEY must be at least 16 characters" };
    return { ...base, apiKey: env.CAIRN_API_KEY, keySource: "CAIRN_API_KEY environment variable" };
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
  const storage = await openStorage(config.storage);
  const service = new SandboxService({
    backend: storage.backend,
    treeCacheBytes: config.cacheBytes / 2,
    contentCacheBytes: config.cacheBytes / 2,
  });
  const app = createApp({ backend: storage.backend, service, apiKey: config.apiKey });
  const server = await startServer({ app, port: config.port, host: config.host });
  const lines = [
    `cairn: listening on ${server.url}`,
    `cairn: API key: ${config.keySource}`,
    `cairn: storage: ${storage.description}`,
  ];
  if (storage.migrations && storage.migrations.applied.length > 0) {
    lines.push(`cairn: applied migrations: ${storage.migrations.applied.join(", ")}`);
  }
  if (config.keySource === "generated for this run") {
    lines.splice(2, 0, `cairn: API key value: ${config.apiKey}`);
  }
  if (config.storage.kind === "memory") {
    lines.push(
      "cairn: WARNING: storage is in memory; every sandbox is lost when this process stops",
    );
  }
  if (config.apiKey === null) {
    lines.push("cairn: WARNING: authentication is OFF; anyone who can reach this port can use it");
  }
  console.log(lines.join("\n"));
  const stop = async () => {
    await server.close();
    await storage.close();
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  return 0;
}
