/** The Hono environment shared by every route: what middleware puts on the context. */
import type { SandboxService, Scope, ScriptRunner } from "@cairn/core";
import type { Drain } from "./drain.js";
import type { Limits } from "./limits.js";
import type { AppLogger } from "./logger.js";
import type { CairnMetrics } from "./metrics/metrics.js";
import type { SemanticSearch } from "./semantic.js";
import type { RequestValidator } from "./validation.js";

/**
 * The authenticated caller. `keyId` is a stored key's id (null for a JWT, the static key or no
 * auth); `tenantId` is null for an admin key; `sandboxIds`, when set, are the only sandboxes
 * the caller may reach.
 */
export interface Principal {
  keyId: string | null;
  tenantId: string | null;
  scopes: readonly string[];
  sandboxIds: readonly string[] | null;
  kind: "key" | "jwt" | "static" | "none";
  /** A JWT's `sub`, recorded in the commit log. */
  subject?: string | null;
}

export interface AppEnv {
  Variables: {
    requestId: string;
    scope: Scope;
    /** Who is calling (set by the auth middleware, with `scope`): rate limits and audit key on it. */
    principal: Principal;
    service: SandboxService;
    /** Graceful shutdown state, when the app has one. */
    drain?: Drain;
    /** Where scripts run (a worker pool); on this thread when absent. */
    runner?: ScriptRunner;
    validator: RequestValidator;
    limits: Limits;
    /** Semantic search (an embeddings provider), when the server has it. */
    semantic?: SemanticSearch;
    /** A body the limit judged by its Content-Length, left for request-body.ts to read. */
    declaredBodyBytes?: number;
    /** A streamed upload's body as its route must read it (set when it is being hashed). */
    uploadBody?: ReadableStream<Uint8Array>;
    /** Metrics to record into, when the app has them. */
    metrics?: CairnMetrics;
    /** The application log with this request's id bound, when the app has one. */
    log?: AppLogger;
    /** Reports an error that became a 500 (also from inside a stream, after the status was sent). */
    onInternalError: (error: unknown, requestId: string) => void;
  };
}
