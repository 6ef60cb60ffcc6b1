/** `cairn.tenants` and `cairn.keys`: tenant and API key management, for a client holding an admin key. */
import type { components } from "@cairn/spec/schema";
import type { Transport } from "./core/transport.js";
import type { MutatingRequestOptions, RequestOptions } from "./types.js";

type Schemas = components["schemas"];
export type TenantData = Schemas["Tenant"];
export type ApiKeyData = Schemas["ApiKey"];
export type CreatedApiKey = Schemas["CreatedApiKey"];
export type CreateKeyRequest = Schemas["CreateKeyRequest"];
export type TenantLimits = Schemas["TenantLimits"];

export interface AdminListOptions extends RequestOptions {
  /** Page size (1–1000, default 100). */
  limit?: number;
  /** A previous page's `nextCursor`. */
  cursor?: string;
}

/** Tenants (admin keys only; any other key gets a `PermissionDeniedError`). */
export class Tenants {
  readonly #transport: Transport;

  /** @internal Made by the client; not meant to be called. */
  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /**
   * Creates a tenant with your id (a `ConflictError` with code `tenant_exists` if taken) or a
   * generated one.
   *
   * @example const tenant = await cairn.tenants.create({ id: "acme", name: "Acme Inc." });
   */
  async create(
    options: { id?: string; name?: string; limits?: TenantLimits } & MutatingRequestOptions = {},
  ): Promise<TenantData> {
    const { id, name, limits, ...request } = options;
    const { data } = await this.#transport.request(request, (api, init) =>
      api.POST("/v1/tenants", { ...init, body: { id, name, limits } }),
    );
    return data;
  }

  /**
   * Replaces the tenant's own limits (`{}` clears them): each one set applies to every key of
   * the tenant instead of the server's value.
   *
   * @example await cairn.tenants.setLimits("acme", { rateLimitPerSecond: 5000, sandboxMaxFiles: 500_000 });
   */
  async setLimits(
    tenantId: string,
    limits: TenantLimits,
    options: MutatingRequestOptions = {},
  ): Promise<TenantData> {
    const { data } = await this.#transport.request(options, (api, init) =>
      api.PATCH("/v1/tenants/{tenantId}", {
        ...init,
        params: { path: { tenantId } },
        body: { limits },
      }),
    );
    return data;
  }

  /** @example const tenant = await cairn.tenants.get("acme"); */
  async get(tenantId: string, options: RequestOptions = {}): Promise<TenantData> {
    const { data } = await this.#transport.request(options, (api, init) =>
      api.GET("/v1/tenants/{tenantId}", { ...init, params: { path: { tenantId } } }),
    );
    return data;
  }

  /**
   * One page of tenants, sorted by id.
   *
   * @example const { items, nextCursor } = await cairn.tenants.list({ limit: 100 });
   */
  async list(options: AdminListOptions = {}): Promise<Schemas["TenantPage"]> {
    const { limit, cursor, ...request } = options;
    const { data } = await this.#transport.request(request, (api, init) =>
      api.GET("/v1/tenants", { ...init, params: { query: { limit, cursor } } }),
    );
    return data;
  }

  /**
   * Deletes a tenant and its keys; a tenant that still owns sandboxes is a `ConflictError`
   * with code `tenant_not_empty`.
   *
   * @example await cairn.tenants.delete("acme");
   */
  async delete(tenantId: string, options: MutatingRequestOptions = {}): Promise<void> {
    await this.#transport.request(options, (api, init) =>
      api.DELETE("/v1/tenants/{tenantId}", { ...init, params: { path: { tenantId } } }),
    );
  }

  /**
   * Creates an API key for the tenant. `key` in the answer is the only time the key is shown.
   *
   * @example
   * const { key } = await cairn.tenants.createKey("acme", { readOnly: true, name: "viewer" });
   */
  async createKey(
    tenantId: string,
    options: CreateKeyRequest & MutatingRequestOptions = {},
  ): Promise<CreatedApiKey> {
    const { name, readOnly, sandboxIds, expiresAt, ...request } = options;
    const { data } = await this.#transport.request(request, (api, init) =>
      api.POST("/v1/tenants/{tenantId}/keys", {
        ...init,
        params: { path: { tenantId } },
        body: { name, readOnly, sandboxIds, expiresAt },
      }),
    );
    return data;
  }

  /** @example const { items } = await cairn.tenants.listKeys("acme"); */
  async listKeys(tenantId: string, options: AdminListOptions = {}): Promise<Schemas["ApiKeyPage"]> {
    const { limit, cursor, ...request } = options;
    const { data } = await this.#transport.request(request, (api, init) =>
      api.GET("/v1/tenants/{tenantId}/keys", {
        ...init,
        params: { path: { tenantId }, query: { limit, cursor } },
      }),
    );
    return data;
  }
}

/** API keys by id (admin keys only). */
export class Keys {
  readonly #transport: Transport;

  /** @internal Made by the client; not meant to be called. */
  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /** @example const key = await cairn.keys.get("key_abc"); // never the secret */
  async get(keyId: string, options: RequestOptions = {}): Promise<ApiKeyData> {
    const { data } = await this.#transport.request(options, (api, init) =>
      api.GET("/v1/keys/{keyId}", { ...init, params: { path: { keyId } } }),
    );
    return data;
  }

  /**
   * Revokes a key: it is refused from the next request on. Revoking twice is harmless.
   *
   * @example const { revokedAt } = await cairn.keys.revoke("key_abc");
   */
  async revoke(keyId: string, options: MutatingRequestOptions = {}): Promise<ApiKeyData> {
    const { data } = await this.#transport.request(options, (api, init) =>
      api.DELETE("/v1/keys/{keyId}", { ...init, params: { path: { keyId } } }),
    );
    return data;
  }
}
