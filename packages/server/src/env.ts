/** The Hono environment shared by every route: what middleware puts on the context. */
import type { SandboxService, Scope } from "@cairn/core";
import type { Limits } from "./limits.js";
import type { RequestValidator } from "./validation.js";

export interface AppEnv {
  Variables: {
    requestId: string;
    scope: Scope;
    service: SandboxService;
    validator: RequestValidator;
    limits: Limits;
    /** Reports an error that became a 500 (also from inside a stream, after the status was sent). */
    onInternalError: (error: unknown, requestId: string) => void;
  };
}
