/** createApp: the reference Cairn server as a Hono app over any backend. */
import { type Backend, type KeyStore, SandboxService, type ScriptRunner } from "@cairn/core";
import { loadSpec } from "@cairn/spec";
import { Hono, type MiddlewareHandler } from "hono";
import { type ConsoleSite, consoleResponse } from "./console-site.js";
import type { Drain } from "./drain.js";
import type { AppEnv } from "./env.js";
import { Lifecycle } from "./lifecycle.js";
import { DEFAULT_LIMITS, type Limits } from "./limits.js";
import type { AppLogger } from "./logger.js";
import type { CairnMetrics, Rejection } from "./metrics/metrics.js";
import { observeSemantic } from "./metrics/semantic-metrics.js";
import { requireAdmin, sandboxAccess } from "./middleware/access.js";
import { type AuditSink, audit } from "./middleware/audit.js";
import { corsFor } from "./middleware/cors.js";
import { type IdempotencyOptions, idempotency } from "./middleware/idempotency.js";
import {
  type AuthOptions,
  createAuthenticator,
  DEFAULT_KEY_CACHE_TTL_MS,
} from "./middleware/keys.js";
import { requestMetrics } from "./middleware/metrics.js";
import { commitOrigin } from "./middleware/origin.js";
import {
  authFailureLimit,
  callerOf,
  Gate,
  gated,
  RateLimiter,
  rateLimit,
} from "./middleware/rate-limit.js";
import { requestId } from "./middleware/request-id.js";
import { requestLog } from "./middleware/request-log.js";
import { isStreamedUpload } from "./middleware/streamed-upload.js";
import { tenantLimits } from "./middleware/tenant-limits.js";
import { operationMatcher } from "./operations.js";
import { ProblemError, problemBody, toProblemError } from "./problem.js";
import { limitRequestBody } from "./request-body.js";
import { archiveRoutes } from "./routes/archive.js";
import { eventRoutes } from "./routes/events.js";
import { execRoutes } from "./routes/exec.js";
import { fileRoutes } from "./routes/files.js";
import { fsRoutes } from "./routes/fs.js";
import { healthRoutes } from "./routes/health.js";
import { historyRoutes } from "./routes/history.js";
import { limitsRoutes } from "./routes/limits.js";
import { metaRoutes } from "./routes/meta.js";
import { sandboxRoutes } from "./routes/sandboxes.js";
import { searchRoutes } from "./routes/search.js";
import { snapshotRoutes } from "./routes/snapshots.js";
import { tenantRoutes } from "./routes/tenants.js";
import { textRoutes } from "./routes/text.js";
import { usageRoutes } from "./routes/usage.js";
import type { SemanticSearch } from "./semantic.js";
import { RequestValidator } from "./validation.js";

export const SERVER_VERSION = "0.1.0";

export interface AppOptions {
  /** Where sandboxes are stored. */
  backend: Backend;
  /**
   * The API key clients must send as `Authorization: Bearer <key>`. `null`
   * turns authentication off (local development only; say so loudly).
   */
  apiKey: string | null;
  /**
   * Stored API keys (`keys: true` reads `backend.keys`), JWT verification, or both, besides
   * (or, with `apiKey: null`, instead of) the static key. Authentication is off only when
   * none of them is set.
   */
  auth?: AuthOptions;
  limits?: Partial<Limits>;
  /** Reuse a service (and its caches) instead of building one over `backend`. */
  service?: SandboxService;
  /**
   * Where scripts run: a `WorkerPool` from `@cairn/core` keeps them off the
   * thread that answers HTTP. Without one they run on this thread (tests, embedding).
   */
  runner?: ScriptRunner;
  /**
   * Graceful shutdown: while `drain.draining`, requests other than health get
   * `503 unavailable` (retryable); past its deadline (`drain.abort()`) running
   * scripts stop and commit nothing. A readiness check reads `drain.draining`.
   */
  drain?: Drain;
  /** Replay window and abandoned-claim lease for `Idempotency-Key`. */
  idempotency?: Partial<IdempotencyOptions>;
  /**
   * Receives one event per request (who, what, outcome; never content or
   * secrets), e.g. `stdoutAuditSink` for JSON lines. Off when absent.
   */
  audit?: AuditSink;
  /** Called with every error that became a 500 (default: the logger's error line, else stderr). */
  onInternalError?: (error: unknown, requestId: string) => void;
  /**
   * Records requests, execs, commits, caches, the database pool and rejections (`createMetrics()`);
   * serve `metrics.registry` on a port of its own (`metricsApp`). Off when absent.
   */
  metrics?: CairnMetrics;
  /** The application log (pino fits): one debug line per request with its id, errors. */
  logger?: AppLogger;
  /**
   * A self-contained HTML page served at `GET /docs` without auth: the API reference rendered
   * from the spec (`cairn serve` passes the one built by `redocly build-docs`).
   */
  apiReferenceHtml?: string;
  /**
   * Serves the Model Context Protocol at `/mcp`, behind the same bearer auth as `/v1/sandboxes`:
   * pass `createMcpHttpHandler()` from `@cairn/mcp`. The handler gets the request and this app's
   * own `fetch`, through which its tool calls reach the API in process with the caller's key.
   */
  mcp?: (request: Request, api: (request: Request) => Promise<Response>) => Promise<Response>;
  /**
   * Origins of browser apps allowed to call the API (e.g. `["https://app.example.com"]`).
   * Their preflights are answered before authentication; other origins get no CORS headers.
   * Off when absent or empty.
   */
  corsOrigins?: readonly string[];
  /**
   * The web console (`loadConsoleSite(dir)`), served for GET/HEAD requests that no other route
   * answers, so API routes (and any added later) always win.
   */
  console?: ConsoleSite;
  /**
   * Semantic search (`startSemanticSearch` with an embedder): `GET .../fs/search?mode=semantic`
   * and `hybrid`. Its backlog is woken after every write request. Off when absent.
   */
  semantic?: SemanticSearch;
}

/** The app, and a way to take it out of rotation before it stops. */
export type CairnApp = Hono<AppEnv> & {
  /** `/v1/ready` answers 503 from now on (requests are still served): call before stopping. */
  drain(): void;
  readonly lifecycle: Lifecycle;
};

function keyStoreFor(options: AppOptions): KeyStore | undefined {
  const keys = options.auth?.keys;
  if (!keys) return undefined;
  if (keys !== true) return keys;
  if (!options.backend.keys)
    throw new Error("createApp: auth.keys needs a backend with a key store");
  return options.backend.keys;
}

/**
 * @example
 * const app = createApp({ backend: createMemoryBackend(), apiKey: "secret" });
 * const res = await app.request("/v1/health");
 */
export function createApp(options: AppOptions): CairnApp {
  if (options.apiKey === "")
    throw new Error("createApp: apiKey must not be empty (use null to disable auth)");
  const service = options.service ?? new SandboxService({ backend: options.backend });
  const spec = loadSpec(); // parsed once, for request validation and the audit log's operations
  const validator = new RequestValidator(spec);
  const limits: Limits = { ...DEFAULT_LIMITS, ...options.limits };
  const { logger, metrics } = options;
  const onInternalError =
    options.onInternalError ??
    (logger
      ? (error: unknown, id: string) => logger.error({ reqId: id, err: error }, "internal error")
      : (error: unknown, id: string) => console.error(`[cairn] ${id} internal error`, error));
  const operationOf = operationMatcher(spec);
  const lifecycle = new Lifecycle(options.drain);
  const reject = (reason: Rejection) => () => metrics?.rejections.inc({ reason });
  if (metrics) {
    metrics.observeService(service);
    metrics.observeBackend(options.backend);
    if (options.semantic) observeSemantic(metrics, options.semantic);
    lifecycle.onDrain(() => metrics.draining.set(1));
  }

  const app = new Hono<AppEnv>();
  app.use(requestId());
  if (logger) app.use(requestLog(logger, operationOf));
  if (metrics) app.use(requestMetrics(metrics, operationOf));
  if (options.corsOrigins && options.corsOrigins.length > 0) app.use(corsFor(options.corsOrigins));
  if (options.audit) app.use(audit(options.audit, spec));
  app.use(async (c, next) => {
    c.set("service", service);
    c.set("runner", options.runner);
    if (options.semantic) c.set("semantic", options.semantic);
    c.set("drain", options.drain);
    c.set("validator", validator);
    c.set("limits", limits);
    c.set("onInternalError", onInternalError);
    if (metrics) c.set("metrics", metrics);
    await next();
    // A write may have added content: the embedding backlog looks now rather than at its next poll.
    if (
      options.semantic &&
      c.req.method !== "GET" &&
      c.req.method !== "HEAD" &&
      c.res.status < 400
    ) {
      options.semantic.indexer?.wake();
    }
  });
  app.route("/", healthRoutes(SERVER_VERSION, options.backend, lifecycle));
  const reference = options.apiReferenceHtml;
  if (reference !== undefined) {
    app.get("/docs", (c) => c.html(reference, 200, { "Cache-Control": "public, max-age=300" }));
  }
  if (options.drain) app.use(options.drain.middleware());
  const keyStore = keyStoreFor(options);
  const authenticator = createAuthenticator({
    apiKey: options.apiKey,
    store: keyStore,
    jwt: options.auth?.jwt,
    keyCacheTtlMs: options.auth?.keyCacheTtlMs,
  });
  const ownLimits = tenantLimits(keyStore, {
    ttlMs: options.auth?.keyCacheTtlMs ?? DEFAULT_KEY_CACHE_TTL_MS,
  });
  const auth: MiddlewareHandler<AppEnv> = async (c, next) => {
    await authenticator.middleware(c, async () => {
      await ownLimits.middleware(c, next);
    });
  };
  const access = sandboxAccess();
  if (limits.authFailuresPerSecond > 0) {
    const failures = authFailureLimit(
      new RateLimiter(limits.authFailuresPerSecond, limits.authFailureBurst),
      reject("auth_failures"),
    );
    for (const path of ["/v1/sandboxes/*", "/v1/tenants/*", "/v1/keys/*", "/v1/limits", "/mcp"]) {
      app.use(path, failures);
    }
  }
  app.use("/v1/sandboxes/*", auth, access); // also matches /v1/sandboxes itself
  if (options.mcp) app.use("/mcp", auth);
  app.use("/v1/limits", auth);
  const admin = requireAdmin();
  app.use("/v1/tenants/*", auth, admin); // also matches /v1/tenants itself
  app.use("/v1/keys/*", auth, admin);
  // Every sandbox of a tenant gets the tenant's quota (else the server's); the commit enforces it.
  app.use("/v1/sandboxes/*", async (c, next) => {
    const { sandboxMaxBytes: maxBytes, sandboxMaxFiles: maxFiles } = c.get("limits");
    c.set("scope", { ...c.get("scope"), quota: { maxBytes, maxFiles } });
    await next();
  });
  app.use("/v1/sandboxes/*", commitOrigin(spec));
  // Per key: a request rate, then a bound on what is in flight; then one on scripts overall.
  const guards: MiddlewareHandler<AppEnv>[] = [];
  // Always in place: a tenant may have a rate of its own when the server has none.
  guards.push(
    rateLimit(
      new RateLimiter(limits.rateLimitPerSecond, limits.rateLimitBurst),
      reject("rate_limited"),
    ),
  );
  guards.push(
    gated(
      new Gate(limits.maxInFlightPerKey),
      "requests for this key",
      callerOf,
      reject("key_in_flight"),
    ),
  );
  // `/x/*` matches `/x` too: listing both would count a request twice.
  for (const path of ["/v1/sandboxes/*", "/v1/tenants/*", "/v1/keys/*", "/v1/limits"]) {
    app.use(path, ...guards);
  }
  const scripts = gated(
    new Gate(limits.maxConcurrentExecs),
    "scripts",
    () => "",
    reject("scripts"),
  );
  app.use("/v1/sandboxes/:sandboxId/exec", scripts);
  app.use("/v1/sandboxes/:sandboxId/exec/batch", scripts);
  const limitBody = limitRequestBody(limits.maxBodyBytes);
  // Archive uploads are read as they stream in and bounded by the archive limits.
  app.use((c, next) => (isStreamedUpload(c) ? next() : limitBody(c, next)));
  const keyed = idempotency(options.idempotency);
  app.use("/v1/sandboxes/*", keyed); // also matches /v1/sandboxes itself
  app.route("/", sandboxRoutes());
  app.route("/", tenantRoutes(keyStore, authenticator.forget, ownLimits.forget));
  app.route("/", fileRoutes());
  app.route("/", fsRoutes());
  app.route("/", searchRoutes());
  app.route("/", textRoutes());
  app.route("/", metaRoutes());
  app.route("/", limitsRoutes());
  app.route("/", execRoutes());
  app.route("/", archiveRoutes());
  app.route("/", usageRoutes());
  app.route("/", historyRoutes());
  app.route("/", snapshotRoutes());
  app.route("/", eventRoutes());
  const mcp = options.mcp;
  if (mcp) {
    app.all("/mcp", (c) => mcp(c.req.raw, (request) => Promise.resolve(app.fetch(request))));
  }

  const site = options.console;
  app.notFound((c) => {
    const page = site && consoleResponse(site, c);
    if (page) return page;
    throw new ProblemError(404, "route_not_found", "no such route");
  });
  app.onError((error, c) => {
    const problem = toProblemError(error);
    const id = c.get("requestId") ?? "unknown";
    if (problem.code === "internal_error") onInternalError(error, id);
    for (const [name, value] of Object.entries(problem.extra.headers ?? {})) c.header(name, value);
    return c.body(JSON.stringify(problemBody(problem, c.req.path, id)), problem.status as 400, {
      "Content-Type": "application/problem+json",
    });
  });
  return Object.assign(app, { drain: () => lifecycle.drain(), lifecycle });
}
