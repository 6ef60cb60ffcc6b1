/**
 * Per-tenant limits: the values an admin set for a tenant (`PATCH /v1/tenants/{id}`) over the
 * server's, for every request of the tenant's keys and tokens. Read through a short per-process
 * cache (the key cache's time), so a change reaches every replica within it.
 */
import type { KeyStore, TenantLimits } from "@cairn/core";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env.js";
import type { Limits } from "../limits.js";

export interface TenantLimitsResolver {
  /** Sets `limits` to the tenant's, for requests made with a tenant's credential. */
  middleware: MiddlewareHandler<AppEnv>;
  /** Forgets a tenant's cached limits (after a change in this process); all without an id. */
  forget(tenantId?: string): void;
}

export function tenantLimits(
  store: KeyStore | undefined,
  options: { ttlMs: number; now?: () => number },
): TenantLimitsResolver {
  const now = options.now ?? Date.now;
  const cache = new Map<string, { limits: TenantLimits; until: number }>();

  async function lookup(tenantId: string): Promise<TenantLimits> {
    const at = now();
    const hit = cache.get(tenantId);
    if (hit && hit.until > at) return hit.limits;
    const limits = (await store!.getTenant(tenantId))?.limits ?? {};
    if (options.ttlMs > 0) {
      if (cache.size >= 10_000) cache.clear();
      cache.set(tenantId, { limits, until: at + options.ttlMs });
    }
    return limits;
  }

  return {
    middleware: async (c, next) => {
      const { kind, tenantId } = c.get("principal");
      // Only tenants an admin manages have limits of their own (not the static key's tenant).
      if (store && tenantId && (kind === "key" || kind === "jwt")) {
        const own = await lookup(tenantId);
        if (Object.keys(own).length > 0) c.set("limits", withTenant(c.get("limits"), own));
      }
      await next();
    },
    forget(tenantId) {
      if (tenantId === undefined) cache.clear();
      else cache.delete(tenantId);
    },
  };
}

/** The server's limits with the tenant's own in their place. */
export function withTenant(limits: Limits, own: TenantLimits): Limits {
  return {
    ...limits,
    rateLimitPerSecond: own.rateLimitPerSecond ?? limits.rateLimitPerSecond,
    rateLimitBurst: own.rateLimitBurst ?? limits.rateLimitBurst,
    sandboxMaxBytes: own.sandboxMaxBytes ?? limits.sandboxMaxBytes,
    sandboxMaxFiles: own.sandboxMaxFiles ?? limits.sandboxMaxFiles,
  };
}
