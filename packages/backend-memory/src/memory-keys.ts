/** Tenants and API keys in memory, with the same rules as the Postgres tables. */
import type { ApiKeyRecord, KeyStore, ListPage, StoredApiKey, TenantRecord } from "@cairn/core";

const copyKey = (k: StoredApiKey): StoredApiKey => ({
  ...k,
  scopes: [...k.scopes],
  sandboxIds: k.sandboxIds && [...k.sandboxIds],
});

function publicKey(k: StoredApiKey): ApiKeyRecord {
  const { secretHash: _, ...rest } = copyKey(k);
  return rest;
}

function page<T extends { id: string }>(items: Iterable<T>, { limit, after }: ListPage): T[] {
  return [...items]
    .filter((x) => after === undefined || x.id > after)
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(0, limit);
}

/** `hasSandboxes` tells whether a tenant still owns sandboxes (it cannot be deleted then). */
export function createMemoryKeyStore(
  now: () => number,
  hasSandboxes: (tenantId: string) => boolean,
): KeyStore {
  const tenants = new Map<string, TenantRecord>();
  const keys = new Map<string, StoredApiKey>();
  return {
    async createTenant({ id, name, limits }) {
      if (tenants.has(id)) return undefined;
      const tenant = { id, name, createdAt: new Date(now()), limits: { ...limits } };
      tenants.set(id, tenant);
      return { ...tenant, limits: { ...tenant.limits } };
    },
    async getTenant(id) {
      const tenant = tenants.get(id);
      return tenant && { ...tenant, limits: { ...tenant.limits } };
    },
    async setTenantLimits(id, limits) {
      const tenant = tenants.get(id);
      if (!tenant) return undefined;
      tenant.limits = { ...limits };
      return { ...tenant, limits: { ...limits } };
    },
    async listTenants(p) {
      return page(tenants.values(), p).map((t) => ({ ...t, limits: { ...t.limits } }));
    },
    async deleteTenant(id) {
      if (!tenants.has(id)) return "not_found";
      if (hasSandboxes(id)) return "not_empty";
      tenants.delete(id);
      for (const [keyId, key] of keys) if (key.tenantId === id) keys.delete(keyId);
      return "deleted";
    },
    async createApiKey(key) {
      if (key.tenantId !== null && !tenants.has(key.tenantId)) return undefined;
      if (keys.has(key.id)) throw new Error(`duplicate key id ${key.id}`);
      const stored: StoredApiKey = {
        ...key,
        scopes: [...key.scopes],
        sandboxIds: key.sandboxIds && [...key.sandboxIds],
        createdAt: new Date(now()),
        lastUsedAt: null,
        revokedAt: null,
      };
      keys.set(key.id, stored);
      return publicKey(stored);
    },
    async findApiKey(id) {
      const key = keys.get(id);
      return key && copyKey(key);
    },
    async listApiKeys(filter, p) {
      const matching = [...keys.values()].filter(
        (k) => filter.tenantId === undefined || k.tenantId === filter.tenantId,
      );
      return page(matching, p).map(publicKey);
    },
    async revokeApiKey(id) {
      const key = keys.get(id);
      if (!key) return undefined;
      key.revokedAt ??= new Date(now());
      return publicKey(key);
    },
    async touchApiKey(id, at) {
      const key = keys.get(id);
      if (key) key.lastUsedAt = at;
    },
  };
}
