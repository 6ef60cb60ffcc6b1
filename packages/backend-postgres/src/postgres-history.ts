/** The commit log, snapshots and forks in Postgres: forks and snapshots share layers (layers.ts). */
import {
  type Backend,
  type CommitLogEntry,
  type CommitRecord,
  InvalidArgumentError,
  SandboxNotFoundError,
  SnapshotNotFoundError,
  type SnapshotRecord,
  type TreeUndo,
  VersionConflictError,
} from "@cairn/core";
import type { TransactionSql } from "postgres";
import { addLayer, freezeSandbox, holdStack, loadStack, newLayerId, stackUsage } from "./layers.js";
import { markIdempotencyKeyApplied } from "./postgres-idempotency.js";
import { isLive, jsonb, LIVE, SANDBOX_COLUMNS, type SandboxRow, toRecord } from "./rows.js";

type InTenant = <T>(
  tenantId: string,
  fn: (tx: TransactionSql) => Promise<T>,
  mode?: string,
) => Promise<T>;

type HistoryMethods = Pick<
  Backend,
  | "createSnapshot"
  | "listSnapshots"
  | "getSnapshot"
  | "deleteSnapshot"
  | "loadSnapshotTree"
  | "forkSandbox"
  | "listCommits"
  | "getCommit"
  | "loadUndo"
>;

interface CommitRow {
  version: number;
  at: Date;
  operation: string;
  key_id: string | null;
  subject: string | null;
  request_id: string | null;
  script_hash: string | null;
  changes: CommitLogEntry["changes"];
  change_count: number;
}

const COMMIT_COLUMNS =
  "version::float8 AS version, at, operation, key_id, subject, request_id, script_hash, changes, change_count";

function toCommit(row: CommitRow): CommitRecord {
  return {
    version: row.version,
    at: row.at,
    origin: {
      operation: row.operation,
      keyId: row.key_id,
      subject: row.subject,
      requestId: row.request_id,
      scriptHash: row.script_hash,
    },
    changes: row.changes,
    changeCount: row.change_count,
  };
}

/**
 * Logs a commit in the transaction that applies it (pipelined with the tree writes), and
 * marks the keyed request making it applied there too.
 */
export function logCommit(
  tx: TransactionSql,
  tenantId: string,
  sandboxId: string,
  version: number,
  log: CommitLogEntry | undefined,
  undo: TreeUndo | null = null,
): Promise<unknown> {
  if (!log) return Promise.resolve();
  const o = log.origin;
  return Promise.all([
    tx`
      INSERT INTO commits (tenant_id, sandbox_id, version, operation, key_id, subject, request_id, script_hash, changes, change_count, undo)
      VALUES (${tenantId}, ${sandboxId}, ${version}, ${o.operation}, ${o.keyId}, ${o.subject}, ${o.requestId},
        ${o.scriptHash}, ${jsonb(tx, log.changes)}, ${log.changeCount}, ${jsonb(tx, undo)})`.execute(),
    markIdempotencyKeyApplied(tx, tenantId, sandboxId, version, log),
  ]);
}

interface SnapshotRow {
  id: string;
  tenant_id: string;
  sandbox_id: string;
  name: string | null;
  version: number;
  files: number;
  bytes: number;
  created_at: Date;
}

const SNAPSHOT_COLUMNS =
  "id, tenant_id, sandbox_id, name, version::float8 AS version, files::float8 AS files, bytes::float8 AS bytes, created_at";

function toSnapshot(row: SnapshotRow): SnapshotRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    sandboxId: row.sandbox_id,
    name: row.name,
    version: row.version,
    files: row.files,
    bytes: row.bytes,
    createdAt: row.created_at,
  };
}

export function postgresHistory(inTenant: InTenant): HistoryMethods {
  return {
    async createSnapshot(tenantId, sandboxId, input) {
      return inTenant(tenantId, async (tx) => {
        // The sandbox's row lock: no commit gets in while its layers are frozen, so the
        // snapshot is exactly one version.
        const [sb] = await tx<Array<{ version: number; layers: string[] }>>`
          SELECT version::float8 AS version, layers FROM sandboxes
          WHERE tenant_id = ${tenantId} AND id = ${sandboxId} AND ${tx.unsafe(LIVE)} FOR UPDATE`;
        if (!sb) throw new SandboxNotFoundError(sandboxId);
        if (input.atVersion !== undefined && sb.version !== input.atVersion) {
          throw new VersionConflictError(sandboxId, input.atVersion);
        }
        const stack = await freezeSandbox(tx, tenantId, sandboxId, sb.layers);
        const [usage] = await Promise.all([
          stackUsage(tx, tenantId, stack),
          holdStack(tx, tenantId, stack),
        ]);
        const [row] = await tx<SnapshotRow[]>`
          INSERT INTO snapshots (tenant_id, id, sandbox_id, name, version, files, bytes, layers)
          VALUES (${tenantId}, ${input.id}, ${sandboxId}, ${input.name}, ${sb.version},
            ${usage.files}, ${usage.bytes}, ${tx.array(stack)}::text[])
          RETURNING ${tx.unsafe(SNAPSHOT_COLUMNS)}`;
        return toSnapshot(row!);
      });
    },

    async listSnapshots(tenantId, sandboxId, page) {
      if (page.after !== undefined && !/^\d{1,19}$/.test(page.after)) {
        throw new InvalidArgumentError("malformed cursor");
      }
      return inTenant(tenantId, async (tx) => {
        if (!(await isLive(tx, tenantId, sandboxId))) return undefined;
        const rows = await tx<Array<SnapshotRow & { seq: string }>>`
          SELECT ${tx.unsafe(SNAPSHOT_COLUMNS)}, seq::text AS seq FROM snapshots
          WHERE tenant_id = ${tenantId} AND sandbox_id = ${sandboxId}
            ${page.after === undefined ? tx`` : tx`AND seq < ${page.after}::bigint`}
          ORDER BY snapshots.seq DESC LIMIT ${page.limit + 1}`;
        const items = rows.slice(0, page.limit);
        return {
          items: items.map(toSnapshot),
          next: rows.length > page.limit ? (items.at(-1)?.seq ?? null) : null,
        };
      });
    },

    async getSnapshot(tenantId, snapshotId) {
      return inTenant(tenantId, async (tx) => {
        const [row] = await tx<SnapshotRow[]>`
          SELECT ${tx.unsafe(SNAPSHOT_COLUMNS)} FROM snapshots WHERE tenant_id = ${tenantId} AND id = ${snapshotId}`;
        return row && toSnapshot(row);
      });
    },

    async deleteSnapshot(tenantId, snapshotId) {
      return inTenant(tenantId, async (tx) => {
        const rows =
          await tx`DELETE FROM snapshots WHERE tenant_id = ${tenantId} AND id = ${snapshotId} RETURNING 1`;
        return rows.length > 0;
      });
    },

    async loadSnapshotTree(tenantId, snapshotId) {
      return inTenant(
        tenantId,
        async (tx) => {
          const [snapshot] = await tx<Array<{ version: number; layers: string[] }>>`
            SELECT version::float8 AS version, layers FROM snapshots WHERE tenant_id = ${tenantId} AND id = ${snapshotId}`;
          if (!snapshot) return undefined;
          return { version: snapshot.version, ...(await loadStack(tx, tenantId, snapshot.layers)) };
        },
        "isolation level repeatable read read only",
      );
    },

    async forkSandbox(sandbox, from, log) {
      const { tenantId } = sandbox;
      return inTenant(tenantId, async (tx) => {
        // The source's row lock (shared for a snapshot, which never changes; exclusive for a
        // sandbox, whose layers are frozen): the stack shared is exactly one version.
        let stack: string[];
        if ("snapshotId" in from) {
          const [source] = await tx<Array<{ layers: string[] }>>`
            SELECT s.layers FROM snapshots s JOIN sandboxes b ON b.tenant_id = s.tenant_id AND b.id = s.sandbox_id
            WHERE s.tenant_id = ${tenantId} AND s.id = ${from.snapshotId} AND ${tx.unsafe(LIVE)}
            FOR SHARE OF s`;
          if (!source) throw new SnapshotNotFoundError(from.snapshotId);
          stack = source.layers;
        } else {
          const [source] = await tx<Array<{ layers: string[] }>>`
            SELECT layers FROM sandboxes
            WHERE tenant_id = ${tenantId} AND id = ${from.sandboxId} AND ${tx.unsafe(LIVE)} FOR UPDATE`;
          if (!source) throw new SandboxNotFoundError(from.sandboxId);
          stack = await freezeSandbox(tx, tenantId, from.sandboxId, source.layers);
        }
        // Its own, empty top layer over the shared ones.
        const top = newLayerId();
        // Sent in this order, pipelined (execute() sends at once): the sandbox row first.
        const [[row]] = await Promise.all([
          tx<SandboxRow[]>`
            INSERT INTO sandboxes (tenant_id, id, name, env, options, shell, version,
              expires_at, idle_timeout, idle_expires_at, layers)
            VALUES (${tenantId}, ${sandbox.id}, ${sandbox.name}, ${jsonb(tx, sandbox.env)},
              ${jsonb(tx, sandbox.options)}, NULL, 1,
              ${sandbox.expiry?.expiresAt ?? null}::timestamptz, ${sandbox.expiry?.idleTimeout ?? null}::integer,
              now() + make_interval(secs => ${sandbox.expiry?.idleTimeout ?? null}::integer),
              ${tx.array([top, ...stack])}::text[])
            RETURNING ${tx.unsafe(SANDBOX_COLUMNS)}`.execute(),
          addLayer(tx, tenantId, top),
          holdStack(tx, tenantId, stack),
          logCommit(tx, tenantId, sandbox.id, 1, log),
        ]);
        return toRecord(row!);
      });
    },

    async listCommits(tenantId, id, page) {
      return inTenant(
        tenantId,
        async (tx) => {
          if (!(await isLive(tx, tenantId, id))) return undefined;
          const rows = await tx<CommitRow[]>`
            SELECT ${tx.unsafe(COMMIT_COLUMNS)} FROM commits
            WHERE tenant_id = ${tenantId} AND sandbox_id = ${id}
              AND version < ${page.before ?? Number.MAX_SAFE_INTEGER}
            ORDER BY version DESC LIMIT ${page.limit + 1}`;
          const items = rows.slice(0, page.limit).map(toCommit);
          return { items, next: rows.length > page.limit ? (items.at(-1)?.version ?? null) : null };
        },
        "isolation level repeatable read read only",
      );
    },

    async loadUndo(tenantId, id, afterVersion) {
      return inTenant(
        tenantId,
        async (tx) => {
          if (!(await isLive(tx, tenantId, id))) return undefined;
          const rows = await tx<Array<{ version: number; undo: TreeUndo | null }>>`
            SELECT version::float8 AS version, undo FROM commits
            WHERE tenant_id = ${tenantId} AND sandbox_id = ${id} AND version > ${afterVersion}
            ORDER BY version DESC`;
          return rows.map((r) => ({ version: r.version, undo: r.undo }));
        },
        "isolation level repeatable read read only",
      );
    },

    async getCommit(tenantId, id, version) {
      return inTenant(tenantId, async (tx) => {
        const [row] = await tx<CommitRow[]>`
          SELECT ${tx.unsafe(COMMIT_COLUMNS)} FROM commits
          WHERE tenant_id = ${tenantId} AND sandbox_id = ${id} AND version = ${version}
            AND EXISTS (SELECT 1 FROM sandboxes WHERE tenant_id = ${tenantId} AND id = ${id} AND ${tx.unsafe(LIVE)})`;
        return row && toCommit(row);
      });
    },
  };
}
