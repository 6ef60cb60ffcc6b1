/**
 * What an authenticated caller may reach: admin routes need the admin scope; sandbox routes a
 * tenant; a `read` key only reads; a key limited to some sandboxes sees no other (404, never 403).
 */
import { SandboxNotFoundError } from "@cairn/core";
import type { Schemas } from "@cairn/spec";
import type { MiddlewareHandler } from "hono";
import type { AppEnv, Principal } from "../env.js";
import { ProblemError } from "../problem.js";
import { sandboxJson } from "../representation.js";

/** Whether the caller may only read (exec then runs read-only). */
export function isReadOnly(principal: Principal): boolean {
  return !principal.scopes.includes("tenant") && principal.scopes.includes("read");
}

const forbidden = (detail: string) => new ProblemError(403, "forbidden", detail);

/** POSTs a read-only caller may send: exec, which then runs read-only. */
const READ_POSTS = /^\/v1\/sandboxes\/[^/]+\/exec(?:\/batch)?\/?$/;

export function requireAdmin(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!c.get("principal").scopes.includes("admin"))
      throw forbidden("this route needs an admin key");
    await next();
  };
}

export function sandboxAccess(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const principal = c.get("principal");
    if (principal.tenantId === null)
      throw forbidden("an admin key manages tenants and keys only; use a tenant key here");
    const match = /^\/v1\/sandboxes\/([^/]+)/.exec(c.req.path);
    const sandboxId = match ? decodeURIComponent(match[1]!) : undefined;
    const allowed = principal.sandboxIds;
    if (allowed && sandboxId !== undefined && !allowed.includes(sandboxId))
      throw new SandboxNotFoundError(sandboxId);
    const method = c.req.method;
    const reading = method === "GET" || method === "HEAD";
    if (isReadOnly(principal) && !reading && !(method === "POST" && READ_POSTS.test(c.req.path)))
      throw forbidden("this key is read-only");
    if (allowed && sandboxId === undefined) {
      if (!reading) throw forbidden("this key is limited to given sandboxes; it cannot create one");
      return c.json<Schemas["SandboxPage"]>(await listAllowed(c.var, allowed));
    }
    await next();
  };
}

/** listSandboxes for a key limited to some sandboxes: those that exist, newest first, one page. */
async function listAllowed(
  vars: AppEnv["Variables"],
  allowed: readonly string[],
): Promise<Schemas["SandboxPage"]> {
  const found = await Promise.all(
    allowed.map((id) =>
      vars.service.get(vars.scope, id).catch((error: unknown) => {
        if (error instanceof SandboxNotFoundError) return undefined;
        throw error;
      }),
    ),
  );
  const items = found
    .filter((r) => r !== undefined)
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  return { items: items.map(sandboxJson), nextCursor: null };
}
