/** GET /v1/health (liveness) and GET /v1/ready (storage reachable and current, not draining); no auth. */
import type { Backend, StorageReadiness } from "@cairn/core";
import type { Schemas } from "@cairn/spec";
import { Hono } from "hono";
import type { AppEnv } from "../env.js";
import type { Lifecycle } from "../lifecycle.js";

type Readiness = Schemas["Readiness"];

export function healthRoutes(version: string, backend: Backend, lifecycle: Lifecycle) {
  return new Hono<AppEnv>()
    .get("/v1/health", (c) => c.json<Schemas["Health"]>({ status: "ok", version }))
    .get("/v1/ready", async (c) => {
      const storage = await storageReadiness(backend, (error) =>
        c.get("log")?.warn({ err: error }, "readiness: storage did not answer"),
      );
      const ready = !lifecycle.draining && storage.reachable && storage.problems.length === 0;
      const body: Readiness = {
        status: ready ? "ready" : "not_ready",
        version,
        draining: lifecycle.draining,
        storage,
      };
      if (ready) return c.json(body, 200);
      c.header("Retry-After", "1");
      return c.json(body, 503);
    });
}

async function storageReadiness(
  backend: Backend,
  onError: (error: unknown) => void,
): Promise<Readiness["storage"]> {
  if (!backend.readiness) return { reachable: true, problems: [] };
  let report: StorageReadiness;
  try {
    report = await backend.readiness();
  } catch (error) {
    // Unauthenticated: the reason (hosts, ports) goes to the log, not to the caller.
    onError(error);
    return { reachable: false, problems: ["storage did not answer"] };
  }
  return { reachable: true, migrations: report.migrations, problems: report.problems };
}
