/** @cairn/server: the reference Cairn HTTP server over any backend. */
export { type AppOptions, type CairnApp, createApp, SERVER_VERSION } from "./app.js";
export {
  padding as tarPadding,
  type TarEntry,
  type TarSource,
  tarChunks,
  tarHeader,
  tarStream,
} from "./archive/tar-writer.js";
export { CONSOLE_CSP, type ConsoleSite, loadConsoleSite } from "./console-site.js";
export { Drain } from "./drain.js";
export type { AppEnv, Principal } from "./env.js";
export {
  type ExpirySweeper,
  type ExpirySweeperOptions,
  startExpirySweeper,
} from "./expiry-sweeper.js";
export { Lifecycle } from "./lifecycle.js";
export { DEFAULT_LIMITS, type Limits } from "./limits.js";
export type { AppLogger } from "./logger.js";
export {
  CairnMetrics,
  createMetrics,
  type ExecOutcome,
  type MetricsOptions,
  type Rejection,
} from "./metrics/metrics.js";
export {
  type MetricsAppOptions,
  metricsApp,
} from "./metrics/metrics-app.js";
export { isReadOnly } from "./middleware/access.js";
export { type AuditEvent, type AuditSink, stdoutAuditSink } from "./middleware/audit.js";
export { CORS_EXPOSED_HEADERS, CORS_REQUEST_HEADERS } from "./middleware/cors.js";
export {
  type AuthOptions,
  DEFAULT_KEY_CACHE_TTL_MS,
  type JwtOptions,
} from "./middleware/keys.js";
export { ProblemError } from "./problem.js";
export { type RunningServer, type StartServerOptions, startServer } from "./serve.js";
