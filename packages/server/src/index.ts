/** @cairn/server: the reference Cairn HTTP server over any backend. */
export { type AppOptions, createApp, SERVER_VERSION } from "./app.js";
export type { AppEnv } from "./env.js";
export { DEFAULT_LIMITS, type Limits } from "./limits.js";
export { ProblemError } from "./problem.js";
export { type RunningServer, type StartServerOptions, startServer } from "./serve.js";
