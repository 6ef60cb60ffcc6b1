/**
 * `describeKeyStoreContract`: what a backend's optional key store (`backend.keys`) must do —
 * tenants, keys stored by hash, revocation, and no deleting a tenant that owns sandboxes.
 */
import { type Backend, hashSecret, issueApiKey, type KeyStore, SandboxService } from "@cairn/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BackendFactory } from "./reference-server.js";

/**
 * @example
 * describeKeyStoreContract({ name: "memory", createBackend: () => createMemoryBackend() });
 */
export function describeKeyStoreContract(options: {
  name: string;
  createBackend: BackendFactory;
}): void {
  describe(`cairn key store contract: ${options.name}`, () => {
    let backend: Backend;
    let keys: KeyStore;
    beforeAll(async () => {
      backend = await options.createBackend();
      if (!backend.keys) throw new Error("this backend has no key store (backend.keys)");
      keys = backend.keys;
    });
    afterAll(() => backend?.close?.());

    it("creates, finds and lists tenants by id; a taken id is refused", async () => {
      const made = await keys.createTenant({ id: "ks-b", name: "B" });
      expect(made).toMatchObject({ id: "ks-b", name: "B" });
      expect(made?.createdAt).toBeInstanceOf(Date);
      expect(await keys.createTenant({ id: "ks-b", name: "again" })).toBeUndefined();
      await keys.createTenant({ id: "ks-a", name: null });
      await keys.createTenant({ id: "ks-c", name: null });
      expect(await keys.getTenant("ks-b")).toMatchObject({ id: "ks-b", name: "B" });
      expect(await keys.getTenant("ks-none")).toBeUndefined();
      const ours = (t: { id: string }[]) => t.map((x) => x.id).filter((id) => id.startsWith("ks-"));
      expect(ours(await keys.listTenants({ limit: 100 }))).toEqual(["ks-a", "ks-b", "ks-c"]);
      expect(ours(await keys.listTenants({ limit: 2, after: "ks-a" }))).toEqual(["ks-b", "ks-c"]);
    });

    it("keeps a tenant's own limits: set at creation, replaced, cleared, listed", async () => {
      const made = await keys.createTenant({
        id: "ks-limits",
        name: null,
        limits: { rateLimitPerSecond: 50 },
      });
      expect(made?.limits).toEqual({ rateLimitPerSecond: 50 });
      expect((await keys.createTenant({ id: "ks-nolimits", name: null }))?.limits).toEqual({});
      const limits = { rateLimitBurst: 9, sandboxMaxBytes: 1 << 40, sandboxMaxFiles: 3 };
      expect((await keys.setTenantLimits("ks-limits", limits))?.limits).toEqual(limits);
      expect((await keys.getTenant("ks-limits"))?.limits).toEqual(limits);
      const listed = await keys.listTenants({ limit: 1, after: "ks-keys" });
      expect(listed.map((t) => [t.id, t.limits])).toEqual([["ks-limits", limits]]);
      expect((await keys.setTenantLimits("ks-limits", {}))?.limits).toEqual({});
      expect(await keys.setTenantLimits("ks-none", {})).toBeUndefined();
    });

    it("stores a key's hash, never the key; finds it by id; filters lists", async () => {
      await keys.createTenant({ id: "ks-keys", name: null });
      const issued = await issueApiKey(keys, {
        tenantId: "ks-keys",
        name: "ci",
        scopes: ["read"],
        sandboxIds: ["sbx_a", "sbx_a", "sbx_b"],
        expiresAt: new Date("2100-01-01T00:00:00Z"),
      });
      expect(issued).toBeDefined();
      const { key, record } = issued!;
      const secret = key.slice(`cairn_${record.id}_`.length);
      const stored = await keys.findApiKey(record.id);
      expect(stored).toMatchObject({
        id: record.id,
        tenantId: "ks-keys",
        name: "ci",
        scopes: ["read"],
        sandboxIds: ["sbx_a", "sbx_b"],
        lastUsedAt: null,
        revokedAt: null,
        secretHash: hashSecret(secret),
      });
      expect(stored?.expiresAt?.toISOString()).toBe("2100-01-01T00:00:00.000Z");
      expect(JSON.stringify(stored)).not.toContain(secret);
      const admin = await issueApiKey(keys, { tenantId: null, scopes: ["admin"] });
      const tenantKeys = await keys.listApiKeys({ tenantId: "ks-keys" }, { limit: 100 });
      expect(tenantKeys.map((k) => k.id)).toEqual([record.id]);
      expect(JSON.stringify(tenantKeys)).not.toContain("secretHash");
      const adminKeys = await keys.listApiKeys({ tenantId: null }, { limit: 100 });
      expect(adminKeys.map((k) => k.id)).toContain(admin!.record.id);
      expect(adminKeys.every((k) => k.tenantId === null)).toBe(true);
      const all = await keys.listApiKeys({}, { limit: 1000 });
      expect(all.map((k) => k.id)).toEqual(expect.arrayContaining([record.id, admin!.record.id]));
    });

    it("refuses a key for a tenant that does not exist", async () => {
      expect(
        await issueApiKey(keys, { tenantId: "ks-nobody", scopes: ["tenant"] }),
      ).toBeUndefined();
    });

    it("revokes once (the first revocation time is kept) and records use", async () => {
      await keys.createTenant({ id: "ks-revoke", name: null });
      const { record } = (await issueApiKey(keys, { tenantId: "ks-revoke", scopes: ["tenant"] }))!;
      const at = new Date("2030-05-05T05:05:05Z");
      await keys.touchApiKey(record.id, at);
      expect((await keys.findApiKey(record.id))?.lastUsedAt?.toISOString()).toBe(at.toISOString());
      const first = await keys.revokeApiKey(record.id);
      expect(first?.revokedAt).toBeInstanceOf(Date);
      const again = await keys.revokeApiKey(record.id);
      expect(again?.revokedAt?.getTime()).toBe(first?.revokedAt?.getTime());
      expect(await keys.revokeApiKey("key_missing")).toBeUndefined();
    });

    it("deletes a tenant with its keys only once it owns no sandbox", async () => {
      await keys.createTenant({ id: "ks-del", name: null });
      const { record } = (await issueApiKey(keys, { tenantId: "ks-del", scopes: ["tenant"] }))!;
      const service = new SandboxService({ backend });
      const sb = await service.create({ tenantId: "ks-del" }, {});
      expect(await keys.deleteTenant("ks-del")).toBe("not_empty");
      expect(await keys.getTenant("ks-del")).toBeDefined();
      await service.delete({ tenantId: "ks-del" }, sb.id);
      expect(await keys.deleteTenant("ks-del")).toBe("deleted");
      expect(await keys.getTenant("ks-del")).toBeUndefined();
      expect(await keys.findApiKey(record.id)).toBeUndefined();
      expect(await keys.deleteTenant("ks-del")).toBe("not_found");
    });
  });
}
