/** Row shapes of the tree tables and their mapping to the core's records. */
import {
  DEFAULT_SANDBOX_OPTIONS,
  type InodeKind,
  type SandboxOptions,
  type SandboxRecord,
  type ShellState,
} from "@cairn/core";
import type { JSONValue, TransactionSql } from "postgres";

export const KIND_CODE: Record<InodeKind, string> = { file: "f", directory: "d", symlink: "l" };
export const CODE_KIND: Record<string, InodeKind> = { f: "file", d: "directory", l: "symlink" };

export interface SandboxRow {
  id: string;
  tenant_id: string;
  name: string | null;
  env: Record<string, string>;
  /** As stored: rows from before migration 4 hold '{}'. */
  options: Partial<SandboxOptions> | null;
  shell: ShellState | null;
  version: number;
  created_at: Date;
  updated_at: Date;
  expires_at: Date | null;
  idle_timeout: number | null;
  idle_expires_at: Date | null;
}

export function toRecord(row: SandboxRow): SandboxRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    env: row.env,
    options: {
      ...DEFAULT_SANDBOX_OPTIONS,
      ...row.options,
      runtimes: [...(row.options?.runtimes ?? DEFAULT_SANDBOX_OPTIONS.runtimes)],
    },
    shell: row.shell ?? null,
    version: Number(row.version),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    expiresAt: row.expires_at,
    idleTimeout: row.idle_timeout,
    idleExpiresAt: row.idle_expires_at,
  };
}

/** A jsonb parameter (NULL for null); interfaces lack the index signature JSONValue asks for. */
export function jsonb(tx: TransactionSql, value: object | null) {
  return tx.json(value as JSONValue);
}

export const SANDBOX_COLUMNS =
  "id, tenant_id, name, env, options, shell, version::float8 AS version, created_at, updated_at, expires_at, idle_timeout, idle_expires_at";

/**
 * The condition every lookup of a sandbox row adds: an expired sandbox (by time or idleness)
 * is gone at once, before the sweeper deletes its rows. Nothing makes it live again: every
 * statement that changes a sandbox row carries this condition too.
 */
export const LIVE =
  "(expires_at IS NULL OR expires_at > now()) AND (idle_expires_at IS NULL OR idle_expires_at > now())";

/** Whether the tenant has sandbox `id` and it has not expired. */
export async function isLive(tx: TransactionSql, tenantId: string, id: string): Promise<boolean> {
  const [row] =
    await tx`SELECT 1 FROM sandboxes WHERE tenant_id = ${tenantId} AND id = ${id} AND ${tx.unsafe(LIVE)}`;
  return row !== undefined;
}

/**
 * `text` as a SQL string literal, for the simple protocol (which takes no parameters): an
 * escape string, so backslashes mean the same whatever `standard_conforming_strings` says.
 */
export function literal(text: string): string {
  if (text.includes("\0")) throw new Error("a SQL literal cannot hold NUL");
  return `E'${text.replaceAll("\\", "\\\\").replaceAll("'", "''")}'`;
}
