/** The commit log, snapshots and forks in Postgres: tree rows copied in SQL, never content. */
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
import {
  INODE_COLUMNS,
  type InodeRow,
  jsonb,
  LIVE,
  SANDBOX_COLUMNS,
  type SandboxRow,
  toInode,
  toRecord,
} from "./rows.js";

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

/** Logs a commit in the transaction that applies it (pipelined with the tree writes). */
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
  return tx`
    INSERT INTO commits (tenant_id, sandbox_id, version, operation, key_id, subject, request_id, script_hash, changes, change_count, undo)
    VALUES (${tenantId}, ${sandboxId}, ${version}, ${o.operation}, ${o.keyId}, ${o.subject}, ${o.requestId},
      ${o.scriptHash}, ${jsonb(tx, log.changes)}, ${log.changeCount}, ${jsonb(tx, undo)})`.execute();
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
        // A share lock on the sandbox: no commit gets in while its rows are copied, so the copy
        // is exactly one version and every blob it references stays referenced (see gc).
        const [sb] = await tx<Array<{ version: number }>>`
          SELECT version::float8 AS version FROM sandboxes
          WHERE tenant_id = ${tenantId} AND id = ${sandboxId} AND ${tx.unsafe(LIVE)} FOR SHARE`;
        if (!sb) throw new SandboxNotFoundError(sandboxId);
        if (input.atVersion !== undefined && sb.version !== input.atVersion) {
          throw new VersionConflictError(sandboxId, input.atVersion);
        }
        const [row] = await tx<SnapshotRow[]>`
          INSERT INTO snapshots (tenant_id, id, sandbox_id, name, version, files, bytes)
          SELECT ${tenantId}, ${input.id}, ${sandboxId}, ${input.name}, ${sb.version},
            count(*) FILTER (WHERE ino <> 1), coalesce(sum(size) FILTER (WHERE kind = 'f'), 0)
          FROM inodes WHERE tenant_id = ${tenantId} AND sandbox_id = ${sandboxId}
          RETURNING ${tx.unsafe(SNAPSHOT_COLUMNS)}`;
        await Promise.all([
          tx`
            INSERT INTO snapshot_inodes (tenant_id, snapshot_id, ino, kind, mode, mtime_ms, size, blob, target, meta)
            SELECT ${tenantId}, ${input.id}, ino, kind, mode, mtime_ms, size, blob, target, meta
            FROM inodes WHERE tenant_id = ${tenantId} AND sandbox_id = ${sandboxId}`.execute(),
          tx`
            INSERT INTO snapshot_dentries (tenant_id, snapshot_id, parent, name, ino)
            SELECT ${tenantId}, ${input.id}, parent, name, ino
            FROM dentries WHERE tenant_id = ${tenantId} AND sandbox_id = ${sandboxId}`.execute(),
        ]);
        return toSnapshot(row!);
      });
    },

    async listSnapshots(tenantId, sandboxId, page) {
      if (page.after !== undefined && !/^\d{1,19}$/.test(page.after)) {
        throw new InvalidArgumentError("malformed cursor");
      }
      return inTenant(tenantId, async (tx) => {
        const [exists] =
          await tx`SELECT 1 FROM sandboxes WHERE tenant_id = ${tenantId} AND id = ${sandboxId} AND ${tx.unsafe(LIVE)}`;
        if (!exists) return undefined;
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
          const [snapshot] = await tx<Array<{ version: number }>>`
            SELECT version::float8 AS version FROM snapshots WHERE tenant_id = ${tenantId} AND id = ${snapshotId}`;
          if (!snapshot) return undefined;
          const [inodes, dentries] = await Promise.all([
            tx<InodeRow[]>`
              SELECT ${tx.unsafe(INODE_COLUMNS)} FROM snapshot_inodes
              WHERE tenant_id = ${tenantId} AND snapshot_id = ${snapshotId}`,
            tx<Array<{ parent: number; name: string; ino: number }>>`
              SELECT parent::float8 AS parent, name, ino::float8 AS ino FROM snapshot_dentries
              WHERE tenant_id = ${tenantId} AND snapshot_id = ${snapshotId}`,
          ]);
          return {
            version: snapshot.version,
            inodes: inodes.map(toInode),
            dentries: dentries.map((d) => ({ parent: d.parent, name: d.name, ino: d.ino })),
          };
        },
        "isolation level repeatable read read only",
      );
    },

    async forkSandbox(sandbox, from, log) {
      const { tenantId } = sandbox;
      return inTenant(tenantId, async (tx) => {
        // A share lock on the source, as for a snapshot: its rows hold still while copied.
        const [source] =
          "snapshotId" in from
            ? await tx`
                SELECT 1 FROM snapshots s JOIN sandboxes b ON b.tenant_id = s.tenant_id AND b.id = s.sandbox_id
                WHERE s.tenant_id = ${tenantId} AND s.id = ${from.snapshotId} AND ${tx.unsafe(LIVE)}
                FOR SHARE OF s`
            : await tx`SELECT 1 FROM sandboxes WHERE tenant_id = ${tenantId} AND id = ${from.sandboxId} AND ${tx.unsafe(LIVE)} FOR SHARE`;
        if (!source) {
          throw "snapshotId" in from
            ? new SnapshotNotFoundError(from.snapshotId)
            : new SandboxNotFoundError(from.sandboxId);
        }
        const [row] = await tx<SandboxRow[]>`
          INSERT INTO sandboxes (tenant_id, id, name, env, options, shell, version,
            expires_at, idle_timeout, idle_expires_at)
          VALUES (${tenantId}, ${sandbox.id}, ${sandbox.name}, ${jsonb(tx, sandbox.env)},
            ${jsonb(tx, sandbox.options)}, NULL, 1,
            ${sandbox.expiry?.expiresAt ?? null}::timestamptz, ${sandbox.expiry?.idleTimeout ?? null}::integer,
            now() + make_interval(secs => ${sandbox.expiry?.idleTimeout ?? null}::integer))
          RETURNING ${tx.unsafe(SANDBOX_COLUMNS)}`;
        const copies =
          "snapshotId" in from
            ? [
                tx`
                  INSERT INTO inodes (tenant_id, sandbox_id, ino, kind, mode, mtime_ms, size, blob, target, meta)
                  SELECT ${tenantId}, ${sandbox.id}, ino, kind, mode, mtime_ms, size, blob, target, meta
                  FROM snapshot_inodes WHERE tenant_id = ${tenantId} AND snapshot_id = ${from.snapshotId}`.execute(),
                tx`
                  INSERT INTO dentries (tenant_id, sandbox_id, parent, name, ino)
                  SELECT ${tenantId}, ${sandbox.id}, parent, name, ino
                  FROM snapshot_dentries WHERE tenant_id = ${tenantId} AND snapshot_id = ${from.snapshotId}`.execute(),
              ]
            : [
                tx`
                  INSERT INTO inodes (tenant_id, sandbox_id, ino, kind, mode, mtime_ms, size, blob, target, meta)
                  SELECT ${tenantId}, ${sandbox.id}, ino, kind, mode, mtime_ms, size, blob, target, meta
                  FROM inodes WHERE tenant_id = ${tenantId} AND sandbox_id = ${from.sandboxId}`.execute(),
                tx`
                  INSERT INTO dentries (tenant_id, sandbox_id, parent, name, ino)
                  SELECT ${tenantId}, ${sandbox.id}, parent, name, ino
                  FROM dentries WHERE tenant_id = ${tenantId} AND sandbox_id = ${from.sandboxId}`.execute(),
              ];
        await Promise.all([...copies, logCommit(tx, tenantId, sandbox.id, 1, log)]);
        return toRecord(row!);
      });
    },

    async listCommits(tenantId, id, page) {
      return inTenant(
        tenantId,
        async (tx) => {
          const [exists] =
            await tx`SELECT 1 FROM sandboxes WHERE tenant_id = ${tenantId} AND id = ${id} AND ${tx.unsafe(LIVE)}`;
          if (!exists) return undefined;
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
          const [exists] =
            await tx`SELECT 1 FROM sandboxes WHERE tenant_id = ${tenantId} AND id = ${id} AND ${tx.unsafe(LIVE)}`;
          if (!exists) return undefined;
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
