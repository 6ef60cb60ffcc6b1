/**
 * Tenants and API keys in Postgres (migration 8). Runs as the connection's own role (the schema
 * owner), never as `cairn_app`: a key is read before its tenant is known. Every call is one
 * statement, so no transaction is left to roll back on a dead connection.
 */
import type {
  ApiKeyRecord,
  KeyScope,
  KeyStore,
  StoredApiKey,
  TenantLimits,
  TenantRecord,
} from "@cairn/core";
import type { Sql } from "postgres";
import { guardConnection as guard } from "./connection-errors.js";

interface TenantRow {
  id: string;
  name: string | null;
  created_at: Date;
  limits: TenantLimits;
}

interface KeyRow {
  id: string;
  tenant_id: string | null;
  name: string | null;
  scopes: string[];
  sandbox_ids: string[] | null;
  secret_hash: string;
  created_at: Date;
  last_used_at: Date | null;
  expires_at: Date | null;
  revoked_at: Date | null;
}

const KEY_COLUMNS =
  "id, tenant_id, name, scopes, sandbox_ids, secret_hash, created_at, last_used_at, expires_at, revoked_at";

const toTenant = (row: TenantRow): TenantRecord => ({
  id: row.id,
  name: row.name,
  createdAt: row.created_at,
  limits: row.limits,
});

function toStoredKey(row: KeyRow): StoredApiKey {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    scopes: row.scopes as KeyScope[],
    sandboxIds: row.sandbox_ids,
    secretHash: row.secret_hash,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
  };
}

function toKey(row: KeyRow): ApiKeyRecord {
  const { secretHash: _, ...rest } = toStoredKey(row);
  return rest;
}

/** The limits as stored: only those set. */
function limitsJson(limits: TenantLimits | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, value] of Object.entries(limits ?? {})) {
    if (typeof value === "number") out[name] = value;
  }
  return out;
}

export function postgresKeyStore(sql: Sql): KeyStore {
  return {
    createTenant: ({ id, name, limits }) =>
      guard(async () => {
        const [row] = await sql<TenantRow[]>`
          INSERT INTO tenants (id, name, limits) VALUES (${id}, ${name}, ${sql.json(limitsJson(limits))})
          ON CONFLICT (id) DO NOTHING
          RETURNING id, name, created_at, limits`;
        return row && toTenant(row);
      }),
    getTenant: (id) =>
      guard(async () => {
        const [row] = await sql<
          TenantRow[]
        >`SELECT id, name, created_at, limits FROM tenants WHERE id = ${id}`;
        return row && toTenant(row);
      }),
    setTenantLimits: (id, limits) =>
      guard(async () => {
        const [row] = await sql<TenantRow[]>`
          UPDATE tenants SET limits = ${sql.json(limitsJson(limits))} WHERE id = ${id}
          RETURNING id, name, created_at, limits`;
        return row && toTenant(row);
      }),
    listTenants: ({ limit, after }) =>
      guard(async () => {
        const rows = await sql<TenantRow[]>`
          SELECT id, name, created_at, limits FROM tenants
          WHERE ${after === undefined} OR id > ${after ?? ""}
          ORDER BY id LIMIT ${limit}`;
        return rows.map(toTenant);
      }),
    deleteTenant: (id) =>
      guard(async () => {
        // One statement: lock the tenant, check it owns no sandbox, delete it (its keys cascade).
        const [row] = await sql<Array<{ found: boolean; busy: boolean; deleted: boolean }>>`
          WITH t AS (SELECT id FROM tenants WHERE id = ${id} FOR UPDATE),
          busy AS (SELECT EXISTS (SELECT 1 FROM sandboxes WHERE tenant_id = ${id}) AS b),
          del AS (
            DELETE FROM tenants WHERE id IN (SELECT id FROM t) AND NOT (SELECT b FROM busy)
            RETURNING 1
          )
          SELECT EXISTS (SELECT 1 FROM t) AS found, (SELECT b FROM busy) AS busy,
                 EXISTS (SELECT 1 FROM del) AS deleted`;
        if (!row?.found) return "not_found";
        return row.deleted ? "deleted" : "not_empty";
      }),
    createApiKey: (key) =>
      guard(async () => {
        // A missing tenant (also one deleted meanwhile) fails the foreign key: no key.
        try {
          const [row] = await sql<KeyRow[]>`
            INSERT INTO api_keys (id, tenant_id, name, scopes, sandbox_ids, secret_hash, expires_at)
            VALUES (${key.id}, ${key.tenantId}, ${key.name}, ${key.scopes}::text[],
                    ${key.sandboxIds}::text[], ${key.secretHash}, ${key.expiresAt})
            RETURNING ${sql.unsafe(KEY_COLUMNS)}`;
          return row && toKey(row);
        } catch (error) {
          if ((error as { code?: string }).code === "23503") return undefined;
          throw error;
        }
      }),
    findApiKey: (id) =>
      guard(async () => {
        const [row] = await sql<KeyRow[]>`
          SELECT ${sql.unsafe(KEY_COLUMNS)} FROM api_keys WHERE id = ${id}`;
        return row && toStoredKey(row);
      }),
    listApiKeys: (filter, { limit, after }) =>
      guard(async () => {
        const anyTenant = filter.tenantId === undefined;
        const rows = await sql<KeyRow[]>`
          SELECT ${sql.unsafe(KEY_COLUMNS)} FROM api_keys
          WHERE (${anyTenant} OR tenant_id IS NOT DISTINCT FROM ${filter.tenantId ?? null}::text)
            AND (${after === undefined} OR id > ${after ?? ""})
          ORDER BY id LIMIT ${limit}`;
        return rows.map(toKey);
      }),
    revokeApiKey: (id) =>
      guard(async () => {
        const [row] = await sql<KeyRow[]>`
          UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = ${id}
          RETURNING ${sql.unsafe(KEY_COLUMNS)}`;
        return row && toKey(row);
      }),
    touchApiKey: (id, at) =>
      guard(async () => {
        await sql`UPDATE api_keys SET last_used_at = ${at} WHERE id = ${id}`;
      }),
  };
}
