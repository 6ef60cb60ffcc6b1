/** GET /v1/health: liveness, no auth. */
import type { Schemas } from "@cairn/spec";
import { Hono } from "hono";
import type { AppEnv } from "../env.js";

export function healthRoutes(version: string) {
  return new Hono<AppEnv>().get("/v1/health", (c) =>
    c.json<Schemas["Health"]>({ status: "ok", version }),
  );
}
