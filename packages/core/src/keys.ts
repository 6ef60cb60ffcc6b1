/**
 * Tenants and API keys: the optional key store in the backend contract, and the key format.
 * A key is `cairn_<keyId>_<secret>`; only the secret's sha256 is stored, so a key is shown once.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * What a key may do. `admin` manages tenants and keys (and has no tenant); `tenant` reads and
 * writes its tenant's sandboxes; `read` only reads them (exec runs read-only).
 */
export type KeyScope = "admin" | "tenant" | "read";

export const KEY_SCOPES: readonly KeyScope[] = ["admin", "tenant", "read"];

export interface TenantRecord {
  id: string;
  name: string | null;
  createdAt: Date;
  /** The tenant's own limits; each one absent is the server's. */
  limits: TenantLimits;
}

/** Limits an admin sets for one tenant instead of the server's (see `PATCH /v1/tenants/{id}`). */
export interface TenantLimits {
  /** Requests a second per key (0: off). */
  rateLimitPerSecond?: number;
  rateLimitBurst?: number;
  /** Per sandbox. */
  sandboxMaxBytes?: number;
  sandboxMaxFiles?: number;
}

/** A key as listed: never its secret. */
export interface ApiKeyRecord {
  id: string;
  /** null for an admin key. */
  tenantId: string | null;
  name: string | null;
  scopes: KeyScope[];
  /** When set, the key sees only these sandboxes of its tenant (others are 404). */
  sandboxIds: string[] | null;
  createdAt: Date;
  /** Updated at most once a minute, not on every request. */
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

/** A key as the authenticator reads it: the record and the sha256 (hex) of its secret. */
export interface StoredApiKey extends ApiKeyRecord {
  secretHash: string;
}

export interface NewApiKey {
  id: string;
  tenantId: string | null;
  name: string | null;
  scopes: KeyScope[];
  sandboxIds: string[] | null;
  expiresAt: Date | null;
  secretHash: string;
}

export interface ListPage {
  limit: number;
  /** An id from the previous page: items sort by id. */
  after?: string;
}

export type DeleteTenantResult = "deleted" | "not_found" | "not_empty";

/**
 * Tenants and keys, shared by every replica. Not tenant-scoped: the key is looked up before
 * the tenant is known, and tenants are managed across tenants by an admin.
 */
export interface KeyStore {
  /** undefined when a tenant with this id exists already. */
  createTenant(tenant: {
    id: string;
    name: string | null;
    limits?: TenantLimits;
  }): Promise<TenantRecord | undefined>;
  getTenant(id: string): Promise<TenantRecord | undefined>;
  /** Replaces the tenant's limits; undefined when there is no such tenant. */
  setTenantLimits(id: string, limits: TenantLimits): Promise<TenantRecord | undefined>;
  listTenants(page: ListPage): Promise<TenantRecord[]>;
  /** Deletes the tenant and all its keys, unless it still has sandboxes. */
  deleteTenant(id: string): Promise<DeleteTenantResult>;
  /** undefined when `key.tenantId` names no tenant. */
  createApiKey(key: NewApiKey): Promise<ApiKeyRecord | undefined>;
  /** Any key with this id, revoked and expired ones included. */
  findApiKey(id: string): Promise<StoredApiKey | undefined>;
  /** `tenantId` null lists admin keys, undefined every key. */
  listApiKeys(filter: { tenantId?: string | null }, page: ListPage): Promise<ApiKeyRecord[]>;
  /** Sets `revokedAt` (kept if already revoked); undefined when there is no such key. */
  revokeApiKey(id: string): Promise<ApiKeyRecord | undefined>;
  touchApiKey(id: string, at: Date): Promise<void>;
}

const KEY_PATTERN = /^cairn_(key_[A-Za-z0-9]{20,40})_([A-Za-z0-9_-]{43,128})$/;
const BASE62 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** Tenant ids: what a platform may bring as its own (also the JWT tenant claim). */
export const TENANT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function base62(length: number): string {
  let out = "";
  while (out.length < length) {
    for (const byte of randomBytes(length)) {
      if (byte < 248 && out.length < length) out += BASE62[byte % 62];
    }
  }
  return out;
}

/** `key_` + 24 base62 characters (~143 bits). */
export function newKeyId(): string {
  return `key_${base62(24)}`;
}

/** `ten_` + 20 base62 characters. */
export function newTenantId(): string {
  return `ten_${base62(20)}`;
}

export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

/** Splits a presented token into key id and secret; undefined when it is not a Cairn key. */
export function parseApiKey(token: string): { keyId: string; secret: string } | undefined {
  const match = KEY_PATTERN.exec(token);
  return match ? { keyId: match[1]!, secret: match[2]! } : undefined;
}

/** Whether `secret` hashes to `secretHash`, compared in constant time. */
export function secretMatches(secret: string, secretHash: string): boolean {
  const expected = Buffer.from(secretHash, "hex");
  const actual = createHash("sha256").update(secret).digest();
  return expected.length === actual.length && timingSafeEqual(actual, expected);
}

export interface IssueKeyInput {
  tenantId: string | null;
  name?: string | null;
  scopes: KeyScope[];
  sandboxIds?: string[] | null;
  expiresAt?: Date | null;
}

export class KeyInputError extends Error {
  override readonly name = "KeyInputError";
}

/** Checks that the scopes fit the tenant: admin keys have no tenant, tenant keys have one. */
export function checkKeyInput(input: IssueKeyInput): void {
  const admin = input.scopes.includes("admin");
  if (input.scopes.length === 0) throw new KeyInputError("a key needs a scope");
  if (admin && (input.tenantId !== null || input.scopes.length > 1 || input.sandboxIds))
    throw new KeyInputError("an admin key has no tenant, no other scope and no sandbox list");
  if (!admin && input.tenantId === null) throw new KeyInputError("a tenant key needs a tenant");
  if (input.expiresAt && Number.isNaN(input.expiresAt.getTime()))
    throw new KeyInputError("expiresAt is not a date");
}

/**
 * Creates a key and returns it in full, the only time it is ever visible.
 * undefined when the tenant does not exist.
 * @example
 * const issued = await issueApiKey(store, { tenantId: "acme", scopes: ["tenant"] });
 * console.log(issued?.key); // cairn_key_..._...
 */
export async function issueApiKey(
  store: KeyStore,
  input: IssueKeyInput,
): Promise<{ key: string; record: ApiKeyRecord } | undefined> {
  checkKeyInput(input);
  const id = newKeyId();
  const secret = randomBytes(32).toString("base64url");
  const record = await store.createApiKey({
    id,
    tenantId: input.tenantId,
    name: input.name ?? null,
    scopes: [...input.scopes],
    sandboxIds: input.sandboxIds ? [...new Set(input.sandboxIds)] : null,
    expiresAt: input.expiresAt ?? null,
    secretHash: hashSecret(secret),
  });
  return record && { key: `cairn_${id}_${secret}`, record };
}

/** How a stored key stands at `now`: usable, or why not. */
export function keyState(key: ApiKeyRecord, now: Date): "active" | "revoked" | "expired" {
  if (key.revokedAt) return "revoked";
  if (key.expiresAt && key.expiresAt.getTime() <= now.getTime()) return "expired";
  return "active";
}
