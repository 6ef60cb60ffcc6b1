/** `cairn serve`: start the reference server with flags and env, and say where and how. */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { auditTable } from "@cairn/backend-postgres";
import { warmPython as prepareWarmPython, SandboxService, WorkerPool } from "@cairn/core";
import { createMcpHttpHandler } from "@cairn/mcp";
import {
  type AuditSink,
  type ConsoleSite,
  createApp,
  createMetrics,
  Drain,
  type JwtOptions,
  type Limits,
  loadConsoleSite,
  metricsApp,
  type RunningServer,
  SERVER_VERSION,
  startExpirySweeper,
  startSemanticSearch,
  startServer,
  stdoutAuditSink,
} from "@cairn/server";
import { destination, pino } from "pino";
import { markServing } from "./data-dir-lock.js";
import {
  describeEmbeddings,
  EMBEDDING_HELP,
  EMBEDDING_OPTIONS,
  type EmbeddingConfig,
  embedderFor,
  resolveEmbeddingConfig,
} from "./embedding-flags.js";
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
  --sweep-interval <s>    Seconds between sweeps deleting expired sandboxes (env
                          CAIRN_SWEEP_INTERVAL, default 60; 0: never, leave it to 'cairn gc')
  --cors-origin <origins> Browser origins allowed to call the API, comma-separated or repeated
                          (env CAIRN_CORS_ORIGINS; off by default), e.g. https://app.example.com
  --console-dir <dir>     Serve this built web console at / (default: the bundled apps/console build)
  --no-console            Serve no web console
  --audit-log <where>     stdout (JSON lines), table (audit_log in Postgres/PGlite) or off
                          (env CAIRN_AUDIT_LOG, default stdout)
  --log-level <level>     Application log (JSON lines on stderr): fatal, error, warn, info,
                          debug (a line per request), trace or silent (env CAIRN_LOG_LEVEL, default info)
  --metrics-port <n>      Serve Prometheus metrics at /metrics on this port; off by default
                          (env CAIRN_METRICS_PORT; 0 picks a free port)
  --metrics-host <addr>   Address for the metrics port (env CAIRN_METRICS_HOST, default 127.0.0.1)
  --metrics-token <t>     Scrapes must send 'Authorization: Bearer <t>' (env CAIRN_METRICS_TOKEN)
${SCRIPT_HELP}
${EMBEDDING_HELP}
  -h, --help              Show this help

Limits (whole numbers: bytes, milliseconds or counts; docs/limits.md explains each):
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
  logLevel: LogLevel;
  /** The metrics listener; absent when metrics are off. */
  metrics?: { port: number; host: string; token?: string };
  /** Accept stored API keys (off only with --insecure-no-auth). */
  storedKeys?: boolean;
  jwt?: JwtOptions;
  /** Origins allowed by CORS; empty: CORS off. */
  corsOrigins: string[];
  /** The console build to serve, "bundled" for apps/console's, or null for none. */
  console: string | null;
  scripts: ScriptConfig;
  /** Between expiry sweeps; 0: no sweeper. */
  sweepIntervalMs: number;
  embeddings: EmbeddingConfig;
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
      "sweep-interval": { type: "string" },
      "audit-log": { type: "string" },
      "log-level": { type: "string" },
      "metrics-port": { type: "string" },
      "metrics-host": { type: "string" },
      "metrics-token": { type: "string" },
      "cors-origin": { type: "string", multiple: true },
      "console-dir": { type: "string" },
      "no-console": { type: "boolean" },
      help: { type: "boolean", short: "h" },
      ...LIMIT_OPTIONS,
      ...SCRIPT_OPTIONS,
      ...EMBEDDING_OPTIONS,
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
  const sweepText = values["sweep-interval"] ?? env.CAIRN_SWEEP_INTERVAL ?? "60";
  if (!/^\d{1,7}$/.test(sweepText)) return { error: `invalid sweep interval '${sweepText}'` };
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
  const logLevel = values["log-level"] ?? env.CAIRN_LOG_LEVEL ?? "info";
  if (!isLogLevel(logLevel)) {
    return { error: `--log-level must be one of ${LOG_LEVELS.join(", ")}, not '${logLevel}'` };
  }
  const metrics = metricsListener(values, env);
  if (typeof metrics === "string") return { error: metrics };
  const jwt = jwtOptions(values, env);
  if (typeof jwt === "string") return { error: jwt };
  const corsOrigins = parseCorsOrigins(values["cors-origin"] ?? [env.CAIRN_CORS_ORIGINS ?? ""]);
  if (typeof corsOrigins === "string") return { error: corsOrigins };
  if (values["no-console"] && values["console-dir"] !== undefined)
    return { error: "use only one of --console-dir and --no-console" };
  const scripts = resolveScriptConfig(values, env);
  if ("error" in scripts) return scripts;
  const embeddings = resolveEmbeddingConfig(values, env);
  if ("error" in embeddings) return embeddings;
  const base = {
    logLevel,
    metrics,
    corsOrigins,
    console: values["no-console"] ? null : (values["console-dir"] ?? "bundled"),
    port,
    host,
    storage,
    cacheBytes: Number(cacheText) * 2 ** 20,
    limits,
    auditLog,
    storedKeys: !values["insecure-no-auth"],
    jwt,
    scripts,
    sweepIntervalMs: Number(sweepText) * 1000,
    embeddings,
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

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
type LogLevel = (typeof LOG_LEVELS)[number];

function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

/** The metrics port from flags and environment: undefined when off, or an error. */
function metricsListener(
  values: Record<string, string | string[] | boolean | undefined>,
  env: NodeJS.ProcessEnv,
): ServeConfig["metrics"] | string {
  const pick = (flag: string, name: string) => {
    const value = values[flag];
    return typeof value === "string" ? value : env[name] || undefined;
  };
  const portText = pick("metrics-port", "CAIRN_METRICS_PORT");
  const host = pick("metrics-host", "CAIRN_METRICS_HOST") ?? "127.0.0.1";
  const token = pick("metrics-token", "CAIRN_METRICS_TOKEN");
  if (portText === undefined) {
    return values["metrics-host"] !== undefined || values["metrics-token"] !== undefined
      ? "--metrics-host and --metrics-token need --metrics-port"
      : undefined;
  }
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) return `invalid metrics port '${portText}'`;
  if (token !== undefined && token.length < 16)
    return "the metrics token must be at least 16 characters";
  return { port, host, token };
}

/** The API reference built from the spec next to this file (`redocly build-docs`), if built. */
function apiReferenceHtml(): string | undefined {
  const file = new URL("./api-reference.html", import.meta.url);
  return existsSync(file) ? readFileSync(file, "utf8") : undefined;
}

/**
 * `--cors-origin` values (each may hold several, comma-separated) as exact origins: a scheme,
 * a host and maybe a port, nothing more, since a browser's Origin header is compared as is.
 */
export function parseCorsOrigins(values: string[]): string[] | string {
  const origins = values
    .flatMap((value) => value.split(","))
    .map((origin) => origin.trim())
    .filter(Boolean);
  for (const origin of origins) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {}
    if (!parsed || !/^https?:$/.test(parsed.protocol) || parsed.origin !== origin) {
      return `invalid CORS origin '${origin}': give scheme://host[:port], e.g. https://app.example.com`;
    }
  }
  return [...new Set(origins)];
}

/** JWT verification from flags and environment: undefined when not configured, or an error. */
function jwtOptions(
  values: Record<string, string | string[] | boolean | undefined>,
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
  // JSON lines on stderr: the audit log keeps stdout, and the two never interleave.
  const logger = pino({ level: config.logLevel, base: { service: "cairn" } }, destination(2));
  const site = openConsole(config.console);
  const storage = await openStorage(config.storage);
  const audit = auditSink(config.auditLog, storage);
  const metrics = config.metrics
    ? createMetrics({ build: { version: SERVER_VERSION } })
    : undefined;
  const service = new SandboxService({
    backend: storage.backend,
    treeCacheBytes: config.cacheBytes / 2,
    contentCacheBytes: config.cacheBytes / 2,
  });
  const { workers, heapMb, jobsPerWorker, maxQueued, drainMs, warmPython } = config.scripts;
  const pool =
    workers > 0
      ? new WorkerPool({ workers, heapMb, jobsPerWorker, maxQueued, warmPython })
      : undefined;
  if (warmPython && !pool) {
    prepareWarmPython().catch((error: unknown) =>
      console.error("cairn: python warm-up failed", error),
    );
  }
  const drain = new Drain();
  const embedder = embedderFor(config.embeddings);
  const semantic = embedder
    ? startSemanticSearch({
        backend: storage.backend,
        embedder,
        onError: (error) => logger.warn({ err: error }, "embedding backlog: provider failed"),
      })
    : undefined;
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
    logger,
    metrics,
    apiReferenceHtml: apiReferenceHtml(),
    corsOrigins: config.corsOrigins,
    console: site.site,
    semantic,
  });
  // A fresh worker's first scripts run uncompiled code, several times slower: take traffic once
  // the workers have warmed up (bounded, so a slow machine still starts).
  if (pool) await Promise.race([pool.warmed(), sleep(2_000, undefined, { ref: false })]);
  const server = await startServer({ app, port: config.port, host: config.host });
  // Every replica sweeps; the backend lets each expired sandbox go to exactly one of them.
  const sweeper =
    config.sweepIntervalMs > 0 && storage.backend.sweepExpired
      ? startExpirySweeper({
          backend: storage.backend,
          intervalMs: config.sweepIntervalMs,
          onSwept: (swept) => logger.info({ sandboxes: swept }, "expired sandboxes deleted"),
          onError: (err) => logger.warn({ err }, "expiry sweep failed; retried next interval"),
        })
      : undefined;
  let scrape: RunningServer | undefined;
  if (metrics && config.metrics) {
    scrape = await startServer({
      app: metricsApp(metrics, { token: config.metrics.token }),
      port: config.metrics.port,
      host: config.metrics.host,
    });
  }
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
    `cairn: semantic search: ${describeEmbeddings(config.embeddings)}`,
    `cairn: MCP (streamable HTTP): ${server.url}/mcp`,
    `cairn: API reference: ${server.url}/docs`,
    `cairn: metrics: ${scrape ? `${scrape.url}/metrics${config.metrics?.token ? " (bearer token)" : ""}` : "off (--metrics-port)"}`,
    `cairn: web console: ${site.site ? `${server.url}/` : site.why}`,
    `cairn: expiry sweeper: ${sweeper ? `every ${config.sweepIntervalMs / 1000} s` : "off (--sweep-interval 0)"}`,
    `cairn: CORS: ${config.corsOrigins.length > 0 ? config.corsOrigins.join(", ") : "off"}`,
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
  logger.info(
    { url: server.url, metrics: scrape?.url ?? null, storage: storage.description },
    "listening",
  );
  // SIGTERM: readiness fails and new work is refused; what runs may finish up to the deadline,
  // the rest is aborted (it commits nothing; streams end with a retryable error event); then
  // everything closes.
  const stop = async (signal: string) => {
    console.log(`cairn: ${signal}: draining (up to ${drainMs} ms for ${drain.inFlight} in flight)`);
    app.drain();
    const closed = server.stopAccepting();
    if (!(await drain.settled(drainMs))) {
      console.log(`cairn: aborting ${drain.inFlight} still in flight`);
      drain.abort();
      await drain.settled(5_000);
    }
    await Promise.race([closed, new Promise((r) => setTimeout(r, 1_000))]);
    await scrape?.close();
    await server.close();
    await sweeper?.stop();
    await pool?.close();
    await semantic?.close();
    unmark();
    await audit?.close();
    await storage.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));
  return 0;
}

/** The console build to serve: a directory given, the bundled one if built, or none, and why. */
function openConsole(choice: string | null): { site?: ConsoleSite; why: string } {
  if (choice === null) return { why: "off (--no-console)" };
  if (choice !== "bundled") return { site: loadConsoleSite(choice), why: "" };
  const dir = bundledConsoleDir();
  if (!dir) return { why: "not built (pnpm --filter @cairn/console build)" };
  return { site: loadConsoleSite(dir), why: "" };
}

/**
 * apps/console's build beside this app in the repository. Found by path, not by a dependency:
 * the console's browser tests run this CLI, so a dependency would make a cycle.
 */
function bundledConsoleDir(): string | undefined {
  const dir = fileURLToPath(new URL("../../console/dist/", import.meta.url));
  return existsSync(`${dir}/index.html`) ? dir : undefined;
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
