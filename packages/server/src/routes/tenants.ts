/**
 * Admin routes: createTenant, listTenants, getTenant, deleteTenant, createTenantKey,
 * listTenantKeys, getKey, revokeKey. Mounted behind authentication and `requireAdmin()`.
 */
import {
  type ApiKeyRecord,
  issueApiKey,
  type KeyStore,
  newTenantId,
  TENANT_ID_PATTERN,
  type TenantRecord,
} from "@cairn/core";
import type { Schemas } from "@cairn/spec";
import { type Context, Hono } from "hono";
import { decodeCursor, encodeCursor } from "../cursor.js";
import type { AppEnv } from "../env.js";
import { ProblemError } from "../problem.js";
import { intParam, stringParam } from "../query.js";
import { readJson } from "../validation.js";

export const tenantJson = (t: TenantRecord): Schemas["Tenant"] => ({
  id: t.id,
  name: t.name,
  createdAt: t.createdAt.toISOString(),
  limits: { ...t.limits },
});

export const keyJson = (k: ApiKeyRecord): Schemas["ApiKey"] => ({
  id: k.id,
  tenantId: k.tenantId,
  name: k.name,
  scopes: [...k.scopes],
  sandboxIds: k.sandboxIds && [...k.sandboxIds],
  createdAt: k.createdAt.toISOString(),
  lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
  expiresAt: k.expiresAt?.toISOString() ?? null,
  revokedAt: k.revokedAt?.toISOString() ?? null,
});

function page(c: Context<AppEnv>): { limit: number; after?: string } {
  const limit = intParam(c, "limit", { min: 1, max: 1000, fallback: 100 });
  const cursor = stringParam(c, "cursor", 512);
  return { limit, after: cursor === undefined ? undefined : decodeCursor(cursor) };
}

/** One more than asked tells whether there is a next page. */
function paged<T extends { id: string }, J>(items: T[], limit: number, json: (item: T) => J) {
  const shown = items.slice(0, limit);
  const last = shown.at(-1);
  return {
    items: shown.map(json),
    nextCursor: items.length > limit && last ? encodeCursor(last.id) : null,
  };
}

const tenantNotFound = (id: string) =>
  new ProblemError(404, "tenant_not_found", `tenant ${id} not found`);

function tenantParam(c: Context<AppEnv>): string {
  const id = c.req.param("tenantId") ?? "";
  if (!TENANT_ID_PATTERN.test(id)) throw tenantNotFound(id);
  return id;
}

/**
 * @param store where tenants and keys live, or undefined when this server has none.
 * @param forget called after a revocation or tenant deletion, to drop cached keys.
 * @param forgetLimits called after a tenant's limits change, to drop them from the cache.
 */
export function tenantRoutes(
  store: KeyStore | undefined,
  forget: (keyId?: string) => void,
  forgetLimits: (tenantId?: string) => void = () => {},
) {
  const keys = (): KeyStore => {
    if (!store) throw new ProblemError(403, "forbidden", "this server keeps no tenants or keys");
    return store;
  };
  return new Hono<AppEnv>()
    .post("/v1/tenants", async (c) => {
      const input = c.get("validator").check("CreateTenantRequest", await readJson(c, true));
      const tenant = await keys().createTenant({
        id: input.id ?? newTenantId(),
        name: input.name ?? null,
        limits: input.limits ?? {},
      });
      if (!tenant)
        throw new ProblemError(409, "tenant_exists", `tenant ${input.id} exists already`);
      c.header("Location", `/v1/tenants/${tenant.id}`);
      return c.json<Schemas["Tenant"]>(tenantJson(tenant), 201);
    })
    .get("/v1/tenants", async (c) => {
      const { limit, after } = page(c);
      const items = await keys().listTenants({ limit: limit + 1, after });
      return c.json<Schemas["TenantPage"]>(paged(items, limit, tenantJson));
    })
    .get("/v1/tenants/:tenantId", async (c) => {
      const id = tenantParam(c);
      const tenant = await keys().getTenant(id);
      if (!tenant) throw tenantNotFound(id);
      return c.json<Schemas["Tenant"]>(tenantJson(tenant));
    })
    .patch("/v1/tenants/:tenantId", async (c) => {
      const id = tenantParam(c);
      const input = c.get("validator").check("UpdateTenantRequest", await readJson(c));
      const tenant = await keys().setTenantLimits(id, input.limits);
      if (!tenant) throw tenantNotFound(id);
      forgetLimits(id);
      return c.json<Schemas["Tenant"]>(tenantJson(tenant));
    })
    .delete("/v1/tenants/:tenantId", async (c) => {
      const id = tenantParam(c);
      const result = await keys().deleteTenant(id);
      if (result === "not_found") throw tenantNotFound(id);
      if (result === "not_empty")
        throw new ProblemError(
          409,
          "tenant_not_empty",
          `tenant ${id} still owns sandboxes; delete them first`,
        );
      forget();
      forgetLimits(id);
      return c.body(null, 204);
    })
    .post("/v1/tenants/:tenantId/keys", async (c) => {
      const id = tenantParam(c);
      const input = c.get("validator").check("CreateKeyRequest", await readJson(c, true));
      const expiresAt = input.expiresAt === undefined ? null : new Date(input.expiresAt);
      if (expiresAt && Number.isNaN(expiresAt.getTime()))
        throw new ProblemError(400, "invalid_request", "body/expiresAt is not a date-time");
      const issued = await issueApiKey(keys(), {
        tenantId: id,
        name: input.name ?? null,
        scopes: [input.readOnly ? "read" : "tenant"],
        sandboxIds: input.sandboxIds ?? null,
        expiresAt,
      });
      if (!issued) throw tenantNotFound(id);
      c.header("Location", `/v1/keys/${issued.record.id}`);
      c.header("Cache-Control", "no-store");
      return c.json<Schemas["CreatedApiKey"]>({ ...keyJson(issued.record), key: issued.key }, 201);
    })
    .get("/v1/tenants/:tenantId/keys", async (c) => {
      const id = tenantParam(c);
      const { limit, after } = page(c);
      if (!(await keys().getTenant(id))) throw tenantNotFound(id);
      const items = await keys().listApiKeys({ tenantId: id }, { limit: limit + 1, after });
      return c.json<Schemas["ApiKeyPage"]>(paged(items, limit, keyJson));
    })
    .get("/v1/keys/:keyId", async (c) => {
      const id = c.req.param("keyId");
      const key = await keys().findApiKey(id);
      if (!key) throw new ProblemError(404, "key_not_found", `key ${id} not found`);
      const { secretHash: _, ...record } = key;
      return c.json<Schemas["ApiKey"]>(keyJson(record));
    })
    .delete("/v1/keys/:keyId", async (c) => {
      const id = c.req.param("keyId");
      const key = await keys().revokeApiKey(id);
      if (!key) throw new ProblemError(404, "key_not_found", `key ${id} not found`);
      forget(id);
      return c.json<Schemas["ApiKey"]>(keyJson(key));
    });
}
