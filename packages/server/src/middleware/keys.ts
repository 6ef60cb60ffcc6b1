/**
 * Bearer authentication with stored API keys (`cairn_key_<id>_<secret>`), JWTs (HS256 or
 * JWKS) and the server's static key, whichever the token is. Sets `scope` and `principal`.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import {
  type KeyScope,
  type KeyStore,
  keyState,
  parseApiKey,
  type StoredApiKey,
  secretMatches,
  TENANT_ID_PATTERN,
} from "@cairn/core";
import type { MiddlewareHandler } from "hono";
import {
  createRemoteJWKSet,
  type JWTPayload,
  type JWTVerifyGetKey,
  errors as joseErrors,
  jwtVerify,
} from "jose";
import type { AppEnv, Principal } from "../env.js";
import { ProblemError } from "../problem.js";
import { ANONYMOUS_PRINCIPAL, DEFAULT_TENANT, STATIC_PRINCIPAL } from "./auth.js";

/** Verifies tokens that a platform mints itself. */
export interface JwtOptions {
  /** Shared secret for HS256 tokens (at least 32 bytes). */
  hs256Secret?: string;
  /** A JWKS URL for asymmetric tokens (RS256, ES256, PS256, EdDSA...). */
  jwksUrl?: string;
  /** Required `iss`. */
  issuer?: string;
  /** Required `aud` (one of them). */
  audience?: string;
  /** The claim naming the tenant (default `tenant_id`). */
  tenantClaim?: string;
  /**
   * The claim holding the scopes, a space-separated string or an array (default `scope`).
   * `admin`, `tenant` and `read` are understood, others ignored; without the claim, `tenant`.
   */
  scopesClaim?: string;
  /** Seconds of clock skew allowed on `exp` and `nbf` (default 30). */
  clockToleranceSec?: number;
}

export interface AuthOptions {
  /** Accept stored keys: `true` uses `backend.keys`. */
  keys?: boolean | KeyStore;
  jwt?: JwtOptions;
  /**
   * How long a replica trusts a stored key it has read, in ms (default 1000; 0 reads it on
   * every request). A revocation through this process takes effect at once; through another
   * replica or `cairn token revoke`, within this time.
   */
  keyCacheTtlMs?: number;
}

export const DEFAULT_KEY_CACHE_TTL_MS = 1000;
/** `lastUsedAt` is written at most this often per key. */
const TOUCH_INTERVAL_MS = 60_000;
const ASYMMETRIC = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "EdDSA",
];
/** Hashed against when the key id is unknown, so that case costs what a wrong secret does. */
const DUMMY_HASH = createHash("sha256").update("cairn").digest("hex");

const unauthorized = (detail: string) =>
  new ProblemError(401, "unauthorized", detail, {
    headers: { "WWW-Authenticate": 'Bearer realm="cairn"' },
  });

const digest = (value: string) => createHash("sha256").update(value).digest();

export interface Authenticator {
  middleware: MiddlewareHandler<AppEnv>;
  /** Forgets cached keys (after a revocation or a tenant deletion in this process). */
  forget(keyId?: string): void;
}

export interface AuthenticatorOptions {
  /** The static key for tenant `default`, or null. */
  apiKey: string | null;
  store?: KeyStore;
  jwt?: JwtOptions;
  keyCacheTtlMs?: number;
  now?: () => number;
}

/**
 * @example
 * const auth = createAuthenticator({ apiKey: null, store: backend.keys });
 * app.use("/v1/sandboxes/*", auth.middleware);
 */
export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const now = options.now ?? Date.now;
  const ttl = options.keyCacheTtlMs ?? DEFAULT_KEY_CACHE_TTL_MS;
  const staticDigest = options.apiKey === null ? undefined : digest(options.apiKey);
  const verifyJwt = options.jwt ? jwtVerifier(options.jwt) : undefined;
  const store = options.store;
  const cache = new Map<string, { key: StoredApiKey; until: number }>();
  const touched = new Map<string, number>();
  const open = !staticDigest && !store && !verifyJwt;

  async function lookup(keyId: string): Promise<StoredApiKey | undefined> {
    const at = now();
    const hit = cache.get(keyId);
    if (hit && hit.until > at) return hit.key;
    const key = await store?.findApiKey(keyId);
    if (key && ttl > 0) {
      if (cache.size >= 10_000) cache.clear();
      cache.set(keyId, { key, until: at + ttl });
    } else cache.delete(keyId);
    return key;
  }

  function touch(key: StoredApiKey): void {
    const at = now();
    const last = Math.max(touched.get(key.id) ?? 0, key.lastUsedAt?.getTime() ?? 0);
    if (at - last < TOUCH_INTERVAL_MS) return;
    touched.set(key.id, at);
    store?.touchApiKey(key.id, new Date(at)).catch(() => touched.delete(key.id));
  }

  async function fromStoredKey(keyId: string, secret: string): Promise<Principal> {
    const key = await lookup(keyId);
    if (!secretMatches(secret, key?.secretHash ?? DUMMY_HASH) || !key)
      throw unauthorized("invalid API key");
    const state = keyState(key, new Date(now()));
    if (state !== "active") {
      cache.delete(keyId);
      throw unauthorized(`API key ${state}`);
    }
    touch(key);
    return {
      keyId: key.id,
      tenantId: key.tenantId,
      scopes: key.scopes,
      sandboxIds: key.sandboxIds,
      kind: "key",
    };
  }

  async function principalFor(token: string): Promise<Principal> {
    const parsed = store ? parseApiKey(token) : undefined;
    if (parsed) return fromStoredKey(parsed.keyId, parsed.secret);
    if (verifyJwt && token.split(".").length === 3) return verifyJwt(token);
    if (staticDigest && timingSafeEqual(digest(token), staticDigest)) return STATIC_PRINCIPAL;
    throw unauthorized("invalid API key");
  }

  const middleware: MiddlewareHandler<AppEnv> = async (c, next) => {
    let principal: Principal;
    if (open) principal = ANONYMOUS_PRINCIPAL;
    else {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header("authorization") ?? "");
      if (!match) throw unauthorized("missing bearer API key");
      principal = await principalFor(match[1]!);
    }
    c.set("principal", principal);
    // An admin key has no tenant: sandbox routes refuse it before using the scope.
    c.set("scope", { tenantId: principal.tenantId ?? "" });
    await next();
  };

  return {
    middleware,
    forget(keyId) {
      if (keyId === undefined) cache.clear();
      else cache.delete(keyId);
    },
  };
}

/** Checks a JWT and maps its claims to a principal; every failure is 401 `unauthorized`. */
function jwtVerifier(options: JwtOptions): (token: string) => Promise<Principal> {
  if (!options.hs256Secret && !options.jwksUrl)
    throw new Error("jwt: set hs256Secret or jwksUrl (or both)");
  if (options.hs256Secret !== undefined && Buffer.byteLength(options.hs256Secret) < 32)
    throw new Error("jwt: hs256Secret must be at least 32 bytes");
  const secret = options.hs256Secret ? new TextEncoder().encode(options.hs256Secret) : undefined;
  const jwks = options.jwksUrl ? createRemoteJWKSet(new URL(options.jwksUrl)) : undefined;
  const algorithms = [...(secret ? ["HS256"] : []), ...(jwks ? ASYMMETRIC : [])];
  const getKey: JWTVerifyGetKey = async (header, token) => {
    if (header.alg === "HS256" && secret) return secret;
    if (jwks) return jwks(header, token);
    throw new joseErrors.JOSEAlgNotAllowed(`algorithm ${header.alg} not allowed`);
  };
  const tenantClaim = options.tenantClaim ?? "tenant_id";
  const scopesClaim = options.scopesClaim ?? "scope";

  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, getKey, {
        algorithms,
        issuer: options.issuer,
        audience: options.audience,
        clockTolerance: options.clockToleranceSec ?? 30,
      }));
    } catch (error) {
      const reason = error instanceof joseErrors.JWTExpired ? "expired" : "not valid";
      throw unauthorized(`token ${reason}`);
    }
    const scopes = claimScopes(payload[scopesClaim]);
    if (scopes.length === 0) throw unauthorized(`token grants no Cairn scope in "${scopesClaim}"`);
    const admin = scopes.includes("admin");
    const tenant = payload[tenantClaim];
    if (!admin && (typeof tenant !== "string" || !TENANT_ID_PATTERN.test(tenant)))
      throw unauthorized(`token has no valid "${tenantClaim}" claim`);
    return {
      keyId: null,
      tenantId: admin ? null : (tenant as string),
      scopes: admin ? ["admin"] : scopes,
      sandboxIds: null,
      kind: "jwt",
      subject: typeof payload.sub === "string" ? payload.sub : null,
    };
  };
}

function claimScopes(value: unknown): KeyScope[] {
  if (value === undefined) return ["tenant"];
  const items = typeof value === "string" ? value.split(/\s+/) : Array.isArray(value) ? value : [];
  const known = new Set<KeyScope>(["admin", "tenant", "read"]);
  return [...new Set(items.filter((s): s is KeyScope => known.has(s as KeyScope)))];
}

export { DEFAULT_TENANT };
