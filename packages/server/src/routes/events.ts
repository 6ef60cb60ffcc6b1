/**
 * GET /v1/sandboxes/{id}/events: the commit log as server-sent events, live. Each commit is one
 * `commit` event whose id is its version, so a client that reconnects with Last-Event-ID gets
 * every commit after it from the log, in order, once. Backends that can (`watch`) wake the
 * stream as commits land on any replica; it also looks every second, so none is missed.
 */
import type { CommitRecord, SandboxService, Scope } from "@cairn/core";
import { SandboxNotFoundError } from "@cairn/core";
import type { Schemas } from "@cairn/spec";
import { type Context, Hono } from "hono";
import type { AppEnv } from "../env.js";
import { clientSignal } from "../node-request.js";
import { ProblemError } from "../problem.js";
import { stringParam } from "../query.js";
import { commitJson } from "./history.js";

const KEEPALIVE_MS = 15_000;
const POLL_MS = 1_000;

export function eventRoutes() {
  return new Hono<AppEnv>().get("/v1/sandboxes/:sandboxId/events", async (c) => {
    const id = c.req.param("sandboxId");
    const prefix = stringParam(c, "path", 4096);
    if (prefix !== undefined && !prefix.startsWith("/")) {
      throw new ProblemError(400, "invalid_request", "path must be absolute");
    }
    const lastEventId = c.req.header("last-event-id");
    if (lastEventId !== undefined && !/^\d{1,15}$/.test(lastEventId)) {
      throw new ProblemError(400, "invalid_request", "Last-Event-ID must be a version");
    }
    const record = await c.get("service").get(c.get("scope"), id);
    const from = lastEventId === undefined ? record.version : Number(lastEventId);
    return stream(c, id, from, prefix);
  });
}

/** Commits after `version`, oldest first (paging the newest-first log back to it). */
async function commitsAfter(
  service: SandboxService,
  scope: Scope,
  id: string,
  version: number,
): Promise<CommitRecord[]> {
  const found: CommitRecord[] = [];
  let before: number | undefined;
  for (;;) {
    const page = await service.commits(scope, id, { limit: 200, before });
    for (const commit of page.items) {
      if (commit.version <= version) return found.reverse();
      found.push(commit);
    }
    if (page.next === null) return found.reverse();
    before = page.next;
  }
}

function matches(commit: CommitRecord, prefix: string | undefined): boolean {
  if (prefix === undefined || prefix === "/") return true;
  const under = (path: string | undefined) =>
    path !== undefined && (path === prefix || path.startsWith(`${prefix.replace(/\/$/, "")}/`));
  return commit.changes.some((change) => under(change.path) || under(change.from));
}

function stream(c: Context<AppEnv>, id: string, from: number, prefix: string | undefined) {
  const service = c.get("service");
  const scope = c.get("scope");
  const onInternalError = c.get("onInternalError");
  const requestId = c.get("requestId");
  const encoder = new TextEncoder();
  let last = from;
  let closed = false;
  let running = false;
  let again = false;
  const stops: Array<() => void> = [];
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const write = (text: string) => {
        if (!closed) controller.enqueue(encoder.encode(text));
      };
      const close = () => {
        if (closed) return;
        closed = true;
        for (const stop of stops) stop();
        controller.close();
      };
      // One look at a time; a wake-up during a look makes another one after it.
      const look = async (): Promise<void> => {
        if (running) {
          again = true;
          return;
        }
        running = true;
        try {
          do {
            again = false;
            const commits = await commitsAfter(service, scope, id, last);
            for (const commit of commits) {
              if (closed) return;
              last = commit.version;
              if (!matches(commit, prefix)) continue;
              const data: Schemas["Commit"] = commitJson(commit);
              write(`id: ${commit.version}\nevent: commit\ndata: ${JSON.stringify(data)}\n\n`);
            }
          } while (again && !closed);
        } catch (error) {
          if (error instanceof SandboxNotFoundError) {
            write(`event: deleted\ndata: ${JSON.stringify({ sandboxId: id })}\n\n`);
          } else {
            onInternalError(error, requestId);
            write(`event: error\ndata: ${JSON.stringify({ code: "internal_error" })}\n\n`);
          }
          close();
        } finally {
          running = false;
        }
      };
      const wake = () => void look();
      const stopWatch = service.backend.watch?.(scope.tenantId, id, wake);
      if (stopWatch) stops.push(stopWatch);
      const poll = setInterval(wake, POLL_MS);
      const keepalive = setInterval(() => write(": keepalive\n\n"), KEEPALIVE_MS);
      stops.push(
        () => clearInterval(poll),
        () => clearInterval(keepalive),
      );
      clientSignal(c).addEventListener("abort", close, { once: true });
      write(": watching\n\n");
      wake();
    },
    cancel() {
      closed = true;
      for (const stop of stops) stop();
    },
  });
  return new Response(body, {
    headers: {
      "Content-Type": "text/event-stream",
      "Cache-Control": "no-cache",
      "X-Accel-Buffering": "no",
    },
  });
}
