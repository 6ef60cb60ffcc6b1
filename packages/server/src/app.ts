/** createApp: the reference Cairn server as a Hono app over any backend. */
import { type Backend, SandboxService } from "@cairn/core";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "./env.js";
import { DEFAULT_LIMITS, type Limits } from "./limits.js";
import { bearerAuth, noAuth } from "./middleware/auth.js";
import {
  DEFAULT_IDEMPOTENCY,
  type IdempotencyOptions,
  idempotency,
} from "./middleware/idempotency.js";
import { requestId } from "./middleware/request-id.js";
import { ProblemError, problemBody, toProblemError } from "./problem.js";
import { execRoutes } from "./routes/exec.js";
import { fileRoutes } from "./routes/files.js";
import { fsRoutes } from "./routes/fs.js";
import { healthRoutes } from "./routes/health.js";
import { sandboxRoutes } from "./routes/sandboxes.js";
import { searchRoutes } from "./routes/search.js";
import { textRoutes } from "./routes/text.js";
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
  limits?: Partial<Limits>;
  /** Reuse a service (and its caches) instead of building one over `backend`. */
  service?: SandboxService;
  /** Replay window and abandoned-claim lease for `Idempotency-Key`. */
  idempotency?: Partial<IdempotencyOptions>;
  /** Called with every error that became a 500, for logging. */
  onInternalError?: (error: unknown, requestId: string) => void;
}

/**
 * @example
 * const app = createApp({ backend: createMemoryBackend(), apiKey: "secret" });
 * const res = await app.request("/v1/health");
 */
export function createApp(options: AppOptions): Hono<AppEnv> {
  if (options.apiKey === "")
    throw new Error("createApp: apiKey must not be empty (use null to disable auth)");
  const service = options.service ?? new SandboxService({ backend: options.backend });
  const validator = new RequestValidator();
  const limits: Limits = { ...DEFAULT_LIMITS, ...options.limits };
  const onInternalError =
    options.onInternalError ??
    ((error, id) => console.error(`[cairn] ${id} internal error`, error));

  const app = new Hono<AppEnv>();
  app.use(requestId());
  app.use(async (c, next) => {
    c.set("service", service);
    c.set("validator", validator);
    c.set("limits", limits);
    c.set("onInternalError", onInternalError);
    await next();
  });
  app.route("/", healthRoutes(SERVER_VERSION));
  const auth = options.apiKey === null ? noAuth() : bearerAuth(options.apiKey);
  app.use("/v1/sandboxes/*", auth);
  app.use("/v1/sandboxes", auth);
  app.use(
    bodyLimit({
      maxSize: limits.maxBodyBytes,
      onError: () => {
        throw new ProblemError(
          413,
          "payload_too_large",
          `request body over ${limits.maxBodyBytes} bytes`,
        );
      },
    }),
  );
  const keyed = idempotency({ ...DEFAULT_IDEMPOTENCY, ...options.idempotency });
  app.use("/v1/sandboxes/*", keyed); // also matches /v1/sandboxes itself
  app.route("/", sandboxRoutes());
  app.route("/", fileRoutes());
  app.route("/", fsRoutes());
  app.route("/", searchRoutes());
  app.route("/", textRoutes());
  app.route("/", execRoutes());

  app.notFound(() => {
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
  return app;
}
