/** `cairn serve`: start the reference server with flags and env, and say where and how. */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { auditTable } from "@cairn/backend-postgres";
import { SandboxService, WorkerPool } from "@cairn/core";
import { createMcpHttpHandler } from "@cairn/mcp";
import {
  type AuditSink,
  createApp,
  Drain,
  type JwtOptions,
  type Limits,
  startServer,
  stdoutAuditSink,
} from "@cairn/server";
import { markServing } from "./data-dir-lock.js";
import { LIMIT_OPTIONS, limitHelp, resolveLimits } from "./limit-flags.js";
import {
  resolveScriptConfig,
  SCRIPT_HELP,
  SCRIPT_OPTIONS,
  type ScriptConfig,
} from "./script-flags.js";
import {
  chooseStorage,
  DEFAULT_DATA_DIR,
  type OpenStorage,
  openStorage,
  type StorageChoice,
} from "./storage.js";

const HELP = `Usage: cairn serve [options]

Options:
  --port <n>              Port to listen on (env PORT, default 7878)
  --host <addr>           Address to bind (env HOST, default 127.0.0.1)
  --api-key <key>         API key clients must send (env CAIRN_API_KEY)
  --generate-api-key      Make a random API key for this run and print it
  --insecure-no-auth      Accept requests without any API key (local development only)
  --no-static-key         No static key: only stored keys ('cairn token') and JWTs
                          (stored keys are accepted in every mode but --insecure-no-auth)
  --jwt-hs256-secret <s>  Accept HS256 JWTs signed with this secret (env CAIRN_JWT_HS256_SECRET)
  --jwt-jwks-url <url>    Accept JWTs signed by a key of this JWKS (env CAIRN_JWT_JWKS_URL)
  --jwt-issuer <iss>      Required iss claim (env CAIRN_JWT_ISSUER)
  --jwt-audience <aud>    Required aud claim (env CAIRN_JWT_AUDIENCE)
  --jwt-tenant-claim <c>  Claim naming the tenant (env CAIRN_JWT_TENANT_CLAIM, default tenant_id)
  --jwt-scopes-claim <c>  Claim with the scopes (env CAIRN_JWT_SCOPES_CLAIM, default scope)
  --database-url <url>    PostgreSQL to use (env DATABASE_URL)
  --data-dir <dir>        Without a database URL: where embedded PGlite keeps its data
                          (env CAIRN_DATA_DIR, default ${DEFAULT_DATA_DIR})
  --memory                Keep everything in memory (lost on exit)
  --cache-mb <n>          Per-process cache budget for trees and file contents
                          (env CAIRN_CACHE_MB, default 256)
  --audit-log <where>     stdout (JSON lines), table (audit_log in Postgres/PGlite) or off
                          (env CAIRN_AUDIT_LOG, default stdout)
${SCRIPT_HELP}
  -h, --help              Show this help

Limits (whole numbers: bytes, milliseconds or counts; README "Limits" explains each):
${limitHelp()}`;

export interface ServeConfig {
  port: number;
  host: string;
  apiKey: string | null;
  keySource: string;
  storage: StorageChoice;
  cacheBytes: number;
  /** Limits set by flags or environment (the rest keep the server's defaults). */
  limits: Partial<Limits>;
  auditLog: "stdout" | "table" | "off";
  /** Accept stored API keys (off only with --insecure-no-auth). */
  storedKeys?: boolean;
  jwt?: JwtOptions;
  scripts: ScriptConfig;
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
      "no-static-key": { type: "boolean" },
      "jwt-hs256-secret": { type: "string" },
      "jwt-jwks-url": { type: "string" },
      "jwt-issuer": { type: "string" },
      "jwt-audience": { type: "string" },
      "jwt-tenant-claim": { type: "string" },
      "jwt-scopes-claim": { type: "string" },
      "database-url": { type: "string" },
      "data-dir": { type: "string" },
      memory: { type: "boolean" },
      "cache-mb": { type: "string" },
      "audit-log": { type: "string" },
      help: { type: "boolean", short: "h" },
      ...LIMIT_OPTIONS,
      ...SCRIPT_OPTIONS,
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
  const limits = resolveLimits(values, env);
  if ("error" in limits) return { error: limits.error as string };
  const auditLog = values["audit-log"] ?? env.CAIRN_AUDIT_LOG ?? "stdout";
  if (!isAuditLog(auditLog)) {
    return { error: `--audit-log must be stdout, table or off, not '${auditLog}'` };
  }
  if (auditLog === "table" && values.memory) {
    return { error: "--audit-log table needs Postgres or PGlite storage, not --memory" };
  }
  const jwt = jwtOptions(values, env);
  if (typeof jwt === "string") return { error: jwt };
  const scripts = resolveScriptConfig(values, env);
  if ("error" in scripts) return scripts;
  const base = {
    port,
    host,
    storage,
    cacheBytes: Number(cacheText) * 2 ** 20,
    limits,
    auditLog,
    storedKeys: !values["insecure-no-auth"],
    jwt,
    scripts,
  };

  const chosen = [
    values["api-key"] !== undefined,
    values["generate-api-key"],
    values["insecure-no-auth"],
    values["no-static-key"],
  ];
  if (chosen.filter(Boolean).length > 1) {
    return {
      error:
        "use only one of --api-key, --generate-api-key, --no-static-key and --insecure-no-auth",
    };
  }
  if (values["insecure-no-auth"] && jwt)
    return { error: "--insecure-no-auth turns authentication off; drop the --jwt-* options" };
  if (values["no-static-key"]) {
    if (storage.kind === "memory")
      return { error: "--no-static-key needs a database: 'cairn token' cannot reach --memory" };
    return {
      ...base,
      apiKey: null,
      keySource: "none (--no-static-key: stored keys and JWTs only)",
    };
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

/** JWT verification from flags and environment: undefined when not configured, or an error. */
function jwtOptions(
  values: Record<string, string | boolean | undefined>,
  env: NodeJS.ProcessEnv,
): JwtOptions | undefined | string {
  const pick = (flag: string, name: string) => {
    const value = values[flag];
    return typeof value === "string" ? value : env[name] || undefined;
  };
  const hs256Secret = pick("jwt-hs256-secret", "CAIRN_JWT_HS256_SECRET");
  const jwksUrl = pick("jwt-jwks-url", "CAIRN_JWT_JWKS_URL");
  const rest = {
    issuer: pick("jwt-issuer", "CAIRN_JWT_ISSUER"),
    audience: pick("jwt-audience", "CAIRN_JWT_AUDIENCE"),
    tenantClaim: pick("jwt-tenant-claim", "CAIRN_JWT_TENANT_CLAIM"),
    scopesClaim: pick("jwt-scopes-claim", "CAIRN_JWT_SCOPES_CLAIM"),
  };
  if (!hs256Secret && !jwksUrl) {
    const stray = Object.entries(rest).find(([, v]) => v !== undefined);
    return stray ? "the --jwt-* options need --jwt-hs256-secret or --jwt-jwks-url" : undefined;
  }
  if (hs256Secret !== undefined && Buffer.byteLength(hs256Secret) < 32)
    return "the JWT HS256 secret must be at least 32 bytes";
  if (jwksUrl !== undefined && !/^https?:\/\//.test(jwksUrl))
    return `invalid JWKS URL '${jwksUrl}'`;
  return { hs256Secret, jwksUrl, ...rest };
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
  const audit = auditSink(config.auditLog, storage);
  const service = new SandboxService({
    backend: storage.backend,
    treeCacheBytes: config.cacheBytes / 2,
    contentCacheBytes: config.cacheBytes / 2,
  });
  const { workers, heapMb, jobsPerWorker, maxQueued, drainMs } = config.scripts;
  const pool =
    workers > 0 ? new WorkerPool({ workers, heapMb, jobsPerWorker, maxQueued }) : undefined;
  const drain = new Drain();
  const app = createApp({
    backend: storage.backend,
    service,
    runner: pool,
    drain,
    apiKey: config.apiKey,
    auth: {
      keys: config.storedKeys !== false && storage.backend.keys !== undefined,
      jwt: config.jwt,
    },
    limits: config.limits,
    audit: audit?.sink,
    mcp: createMcpHttpHandler(),
  });
  const server = await startServer({ app, port: config.port, host: config.host });
  const lines = [
    `cairn: listening on ${server.url}`,
    `cairn: API key: ${config.keySource}`,
    ...(config.storedKeys !== false && config.storage.kind !== "memory"
      ? ["cairn: stored API keys: accepted (create them with 'cairn token create')"]
      : []),
    ...(config.jwt
      ? [
          `cairn: JWT: ${[config.jwt.hs256Secret && "HS256", config.jwt.jwksUrl && `JWKS ${config.jwt.jwksUrl}`].filter(Boolean).join(" and ")}`,
        ]
      : []),
    `cairn: storage: ${storage.description}`,
    `cairn: scripts: ${pool ? `${workers} worker threads, ${heapMb} MiB heap each` : "on the HTTP thread (--script-workers 0)"}`,
    `cairn: MCP (streamable HTTP): ${server.url}/mcp`,
    `cairn: audit log: ${config.auditLog === "table" ? "the audit_log table" : config.auditLog === "stdout" ? "JSON lines on stdout" : "off"}`,
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
  if (config.apiKey === null && config.storedKeys === false) {
    lines.push("cairn: WARNING: authentication is OFF; anyone who can reach this port can use it");
  }
  const unmark =
    config.storage.kind === "embedded" ? markServing(config.storage.dataDir) : () => {};
  console.log(lines.join("\n"));
  // SIGTERM: refuse new work, let what runs finish up to the deadline, abort the rest
  // (it commits nothing; streams end with a retryable error event), then close everything.
  const stop = async (signal: string) => {
    console.log(`cairn: ${signal}: draining (up to ${drainMs} ms for ${drain.inFlight} in flight)`);
    drain.start();
    const closed = server.stopAccepting();
    if (!(await drain.settled(drainMs))) {
      console.log(`cairn: aborting ${drain.inFlight} still in flight`);
      drain.abort();
      await drain.settled(5_000);
    }
    await Promise.race([closed, new Promise((r) => setTimeout(r, 1_000))]);
    await server.close();
    await pool?.close();
    unmark();
    await audit?.close();
    await storage.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));
  return 0;
}

function isAuditLog(value: string): value is ServeConfig["auditLog"] {
  return value === "stdout" || value === "table" || value === "off";
}

/** Where audit events go: JSON lines on stdout, batched rows in `audit_log`, or nowhere. */
function auditSink(
  where: ServeConfig["auditLog"],
  storage: OpenStorage,
): { sink: AuditSink; close(): Promise<void> } | undefined {
  if (where === "off") return undefined;
  if (where === "stdout") return { sink: stdoutAuditSink, close: async () => {} };
  if (!storage.sql) throw new Error("the audit_log table needs Postgres or PGlite storage");
  const table = auditTable(storage.sql);
  return { sink: (event) => table.write(event), close: () => table.close() };
}
