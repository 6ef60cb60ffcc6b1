/**
 * The Cairn backend contract on Postgres (postgres.js). Each call is one short
 * transaction that runs as the `cairn_app` role with the tenant set, so row-level
 * security applies even on a superuser connection; commits are compare-and-set
 * on the sandbox version.
 */
import { randomUUID } from "node:crypto";
import {
  type Backend,
  type ChangeSet,
  InvalidArgumentError,
  type NewSandbox,
  SandboxNotFoundError,
  type SandboxPage,
  type SandboxRecord,
  StorageUnavailableError,
  type TreeData,
  VersionConflictError,
} from "@cairn/core";
import type { Sql, TransactionSql } from "postgres";
import { BLOB_BATCH, type BlobRow, COPY_MIN_BYTES, copyBlobs, insertBlobs } from "./blob-writes.js";
import { guardConnection, isConnectionError } from "./connection-errors.js";
import { COMMITS_CHANNEL, sweepExpiredSandboxes } from "./expiry.js";
import { candidateHashes, toPostgresRegex } from "./grep-pushdown.js";
import { addLayer, loadSandboxStack, WHITEOUT_INO, WHITEOUT_KIND } from "./layers.js";
import { postgresEmbeddingStore } from "./postgres-embeddings.js";
import { logCommit, postgresHistory } from "./postgres-history.js";
import { postgresIdempotencyStore } from "./postgres-idempotency.js";
import { postgresKeyStore } from "./postgres-keys.js";
import { PoolGauge, storageReadiness } from "./readiness.js";
import {
  isLive,
  jsonb,
  KIND_CODE,
  LIVE,
  SANDBOX_COLUMNS,
  type SandboxRow,
  toRecord,
} from "./rows.js";
import { APP_ROLE } from "./schema.js";
import { isIndexableText, writeBlobText } from "./text-index.js";
import { versionProbe } from "./version-probe.js";

export interface PostgresBackendOptions {
  sql: Sql;
  /** Largest blob whose text is copied into the trigram index (default 1 MiB). */
  maxIndexedTextBytes?: number;
  /** Failures of background work (text indexing after a commit); default: ignored, left pending. */
  onBackgroundError?: (error: unknown) => void;
  /** Budget of the per-process cache of semantic search's vectors (default 64 MiB). */
  embeddingCacheBytes?: number;
  /**
   * Whether large commits write their content with COPY (default: yes, unless the server is
   * PGlite or the app role may not create temporary tables).
   */
  bulkCopy?: boolean;
}

/** Text waiting to be indexed in the background, at most (bytes). */
const TEXT_QUEUE_MAX_BYTES = 64 << 20;

/** A text blob of a commit, to index after it. */
type IndexableText = { hash: string; size: number };

/** How long a transaction body that lost its connection waits for postgres.js to notice. */
const CONNECTION_LOSS_GRACE_MS = 5_000;

/**
 * Runs a transaction body for `sql.begin`, except that when the body fails because the
 * connection died, the body never settles.
 *
 * Why: when a body rejects, postgres.js (3.4.9) sends ROLLBACK on the transaction's
 * connection even if that connection has just closed. On a closed connection the write
 * throws from a setImmediate (`Cannot read properties of null (reading 'write')`), an
 * uncaught exception that kills the whole process; if the pool has already reconnected that
 * connection for another caller, the stray ROLLBACK lands in the other caller's session and
 * can wedge it (its request hangs). See porsager/postgres#1066, #1154, #1208. `sql.begin`
 * rejects by itself (CONNECTION_CLOSED) as soon as the pool reports the connection closed,
 * so holding the body back loses nothing. If the connection has not closed within
 * CONNECTION_LOSS_GRACE_MS, the error goes through and the ROLLBACK happens as usual.
 */
function holdIfConnectionLost<T>(body: () => Promise<T>, finished: () => boolean): Promise<T> {
  return body().catch((error: unknown) => {
    if (!isConnectionError(error)) throw error;
    return new Promise<T>((_, reject) => {
      setTimeout(() => {
        if (!finished()) reject(error);
      }, CONNECTION_LOSS_GRACE_MS).unref();
    });
  });
}

/**
 * @example
 * const sql = postgres(process.env.DATABASE_URL);
 * await migrate(sql);
 * const backend = createPostgresBackend({ sql });
 */
export interface PostgresBackend extends Backend {
  /** Resolves when background work (text indexing after commits) has caught up. */
  idle(): Promise<void>;
}

export function createPostgresBackend(options: PostgresBackendOptions): PostgresBackend {
  const { sql } = options;
  /** Watchers by `tenantId/sandboxId`; one LISTEN connection serves them all, opened on first use. */
  const watchers = new Map<string, Set<() => void>>();
  let listening: Promise<{ unlisten(): Promise<void> }> | undefined;
  const wakeAll = () => {
    for (const set of watchers.values()) for (const wake of set) wake();
  };
  const maxIndexedTextBytes = options.maxIndexedTextBytes ?? 1 << 20;
  let copyAllowed: Promise<boolean> | undefined =
    options.bulkCopy === undefined ? undefined : Promise.resolve(options.bulkCopy);
  /** Whether COPY can serve a commit: asked of the server once, in the first large commit. */
  const bulkCopy = (tx: TransactionSql) => {
    copyAllowed ??= tx<Array<{ ok: boolean }>>`
      SELECT position('PGlite' in version()) = 0
         AND has_database_privilege(${APP_ROLE}, current_database(), 'TEMPORARY') AS ok`.then(
      ([row]) => row?.ok === true,
      (error: unknown) => {
        copyAllowed = undefined; // ask again next time
        throw error;
      },
    );
    return copyAllowed;
  };
  const pool = new PoolGauge(Number(sql.options.max) || 0);

  /**
   * One transaction as `cairn_app` for `tenantId`; connection failures become
   * StorageUnavailableError. `progress.bodyDone` turns true once `fn` has finished, that is
   * when postgres.js may send COMMIT: before that, a failed transaction cannot have applied.
   */
  async function inTenant<T>(
    tenantId: string,
    fn: (tx: TransactionSql) => Promise<T>,
    mode = "",
    progress?: { bodyDone: boolean },
  ): Promise<T> {
    let finished = false;
    try {
      return await guardConnection(async () => {
        const result = (await pool.track((acquired) =>
          sql.begin(mode, (tx) => {
            acquired();
            return holdIfConnectionLost(
              async () => {
                // Pipelined: the role and tenant go out with the body's first query, one round trip.
                const setup =
                  tx`SELECT set_config('role', ${APP_ROLE}, true), set_config('cairn.tenant_id', ${tenantId}, true)`.execute();
                setup.catch(() => {}); // its failure also fails the body's queries; reported there
                const value = await fn(tx);
                await setup;
                if (progress) progress.bodyDone = true;
                return value;
              },
              () => finished,
            );
          }),
        )) as T;
        // postgres.js fetches the array types again on every new connection, and a connection
        // killed during that fetch rejects a promise nobody handles, which kills the process
        // (porsager/postgres#1192, #1205, #1223). A query succeeded, so a fetch did: the types
        // are kept for the whole pool, and new connections need not fetch them again.
        sql.options.fetch_types = false;
        return result;
      });
    } finally {
      finished = true;
    }
  }

  /** A live sandbox's version, as `cairn_app`, in one round trip (shared with the probes beside it). */
  const probe = versionProbe((text) =>
    pool.track((acquired) => {
      acquired();
      return sql.unsafe(text) as unknown as Promise<ReadonlyArray<ReadonlyArray<unknown>>>;
    }),
  );
  const currentVersion = (tenantId: string, id: string) =>
    guardConnection(() => probe(tenantId, id));

  /**
   * Writes a commit's rows into the sandbox's top layer. Over lower layers (`shared`), a
   * deletion is a whiteout row, since the row it deletes may live in a layer other trees share.
   */
  async function applyChanges(
    tx: TransactionSql,
    tenantId: string,
    layer: string,
    shared: boolean,
    changes: ChangeSet,
  ): Promise<IndexableText[]> {
    const texts: IndexableText[] = [];
    const pending: Promise<unknown>[] = [];
    const blobs = changes.blobs.map((b): BlobRow => {
      const text = isIndexableText(b.bytes, maxIndexedTextBytes);
      if (text) texts.push({ hash: b.hash, size: b.bytes.length });
      // 'p': text, indexed after the commit; 'n': not text.
      return { hash: b.hash, bytes: b.bytes, state: text ? "p" : "n" };
    });
    const blobBytes = blobs.reduce((n, b) => n + b.bytes.length, 0);
    if (blobs.length > 0) {
      const copy = blobBytes >= COPY_MIN_BYTES && (await bulkCopy(tx));
      pending.push(copy ? copyBlobs(tx, tenantId, blobs) : insertBlobs(tx, tenantId, blobs));
    }
    if (changes.deleteDentries.length > 0 && shared) {
      pending.push(tx`
        INSERT INTO dentries (tenant_id, sandbox_id, parent, name, ino)
        SELECT ${tenantId}, ${layer}, x.*, ${WHITEOUT_INO}::bigint FROM unnest(
          ${tx.array(changes.deleteDentries.map((d) => d.parent))}::bigint[],
          ${tx.array(changes.deleteDentries.map((d) => d.name))}::text[]) AS x
        ON CONFLICT (tenant_id, sandbox_id, parent, name) DO UPDATE SET ino = excluded.ino`);
    } else if (changes.deleteDentries.length > 0) {
      pending.push(tx`
        DELETE FROM dentries d USING unnest(${tx.array(changes.deleteDentries.map((d) => d.parent))}::bigint[],
                                           ${tx.array(changes.deleteDentries.map((d) => d.name))}::text[]) AS x(parent, name)
        WHERE d.tenant_id = ${tenantId} AND d.sandbox_id = ${layer} AND d.parent = x.parent AND d.name = x.name`);
    }
    if (changes.deleteInodes.length > 0 && shared) {
      pending.push(tx`
        INSERT INTO inodes (tenant_id, sandbox_id, ino, kind, mode, mtime_ms, size)
        SELECT ${tenantId}, ${layer}, x.ino, ${WHITEOUT_KIND}, 0, 0, 0
        FROM unnest(${tx.array(changes.deleteInodes)}::bigint[]) AS x(ino)
        ON CONFLICT (tenant_id, sandbox_id, ino) DO UPDATE SET
          kind = excluded.kind, mode = 0, mtime_ms = 0, size = 0, blob = NULL, target = NULL, meta = NULL`);
    } else if (changes.deleteInodes.length > 0) {
      pending.push(tx`
        DELETE FROM inodes WHERE tenant_id = ${tenantId} AND sandbox_id = ${layer}
          AND ino = ANY(${tx.array(changes.deleteInodes)}::bigint[])`);
    }
    // Deletes first, then upserts: one statement each, all sent before any answer is awaited
    // (a transaction's statements run in the order sent), so the database works on one while
    // the next is encoded. Nothing here reads blobs, so the COPY path may finish later.
    const inodes = changes.upsertInodes;
    if (inodes.length > 0) {
      pending.push(tx`
        INSERT INTO inodes (tenant_id, sandbox_id, ino, kind, mode, mtime_ms, size, blob, target, meta)
        SELECT ${tenantId}, ${layer}, x.ino, x.kind, x.mode, x.mtime_ms, x.size, x.blob, x.target, x.meta::jsonb
        FROM unnest(
          ${tx.array(inodes.map((i) => i.ino))}::bigint[],
          ${tx.array(inodes.map((i) => KIND_CODE[i.kind]))}::"char"[],
          ${tx.array(inodes.map((i) => i.mode))}::int[],
          ${tx.array(inodes.map((i) => Math.round(i.mtimeMs)))}::bigint[],
          ${tx.array(inodes.map((i) => i.size))}::bigint[],
          ${tx.array(inodes.map((i) => i.blob))}::text[],
          ${tx.array(inodes.map((i) => i.target))}::text[],
          ${tx.array(inodes.map((i) => (i.meta ? JSON.stringify(i.meta) : null)))}::text[])
          AS x(ino, kind, mode, mtime_ms, size, blob, target, meta)
        ON CONFLICT (tenant_id, sandbox_id, ino) DO UPDATE SET
          kind = excluded.kind, mode = excluded.mode, mtime_ms = excluded.mtime_ms,
          size = excluded.size, blob = excluded.blob, target = excluded.target, meta = excluded.meta`);
    }
    const dentries = changes.upsertDentries;
    if (dentries.length > 0) {
      pending.push(tx`
        INSERT INTO dentries (tenant_id, sandbox_id, parent, name, ino)
        SELECT ${tenantId}, ${layer}, x.* FROM unnest(
          ${tx.array(dentries.map((d) => d.parent))}::bigint[],
          ${tx.array(dentries.map((d) => d.name))}::text[],
          ${tx.array(dentries.map((d) => d.ino))}::bigint[]) AS x
        ON CONFLICT (tenant_id, sandbox_id, parent, name) DO UPDATE SET ino = excluded.ino`);
    }
    await Promise.all(pending);
    return texts;
  }

  /**
   * Fills the trigram index for a commit's text blobs after the commit, one batch
   * at a time. Bounded: past the budget, blobs stay pending for `indexPendingText`.
   */
  let indexing: Promise<void> = Promise.resolve();
  let queuedTextBytes = 0;
  function indexAfterCommit(tenantId: string, texts: IndexableText[]): void {
    const bytes = texts.reduce((n, t) => n + t.size, 0);
    if (texts.length === 0 || queuedTextBytes + bytes > TEXT_QUEUE_MAX_BYTES) return;
    queuedTextBytes += bytes;
    indexing = indexing
      .then(async () => {
        for (let i = 0; i < texts.length; i += BLOB_BATCH) {
          const batch = texts.slice(i, i + BLOB_BATCH).map((t) => t.hash);
          await inTenant(tenantId, (tx) => writeBlobText(tx, tenantId, batch));
        }
      })
      .catch((error: unknown) => options.onBackgroundError?.(error))
      .finally(() => {
        queuedTextBytes -= bytes;
      });
  }

  return {
    ...postgresIdempotencyStore(inTenant),
    ...postgresHistory(inTenant),
    embeddings: postgresEmbeddingStore(sql, inTenant, options.embeddingCacheBytes),
    async createSandbox(sandbox: NewSandbox, initial: ChangeSet): Promise<SandboxRecord> {
      const progress = { bodyDone: false };
      try {
        const { record, texts } = await inTenant(
          sandbox.tenantId,
          async (tx) => {
            // `initial.sandbox` applies as part of version 1, like the tree changes.
            const update = initial.sandbox ?? {};
            const idleTimeout = sandbox.expiry?.idleTimeout ?? null;
            const [row] = await tx<SandboxRow[]>`
              INSERT INTO sandboxes (tenant_id, id, name, env, options, shell, version,
                expires_at, idle_timeout, idle_expires_at, layers)
              VALUES (${sandbox.tenantId}, ${sandbox.id},
                ${update.name === undefined ? sandbox.name : update.name},
                ${jsonb(tx, update.env ?? sandbox.env)},
                ${jsonb(tx, update.options ?? sandbox.options)},
                ${jsonb(tx, update.shell ?? null)}, 1,
                ${sandbox.expiry?.expiresAt ?? null}::timestamptz, ${idleTimeout}::integer,
                now() + make_interval(secs => ${idleTimeout}::integer), ARRAY[${sandbox.id}::text])
              RETURNING ${tx.unsafe(SANDBOX_COLUMNS)}`;
            // Its first layer has its own id.
            const [texts] = await Promise.all([
              applyChanges(tx, sandbox.tenantId, sandbox.id, false, initial),
              addLayer(tx, sandbox.tenantId, sandbox.id),
              logCommit(tx, sandbox.tenantId, sandbox.id, 1, initial.log),
            ]);
            return { record: toRecord(row!), texts };
          },
          "",
          progress,
        );
        indexAfterCommit(sandbox.tenantId, texts);
        return record;
      } catch (error) {
        if (!(error instanceof StorageUnavailableError) || !progress.bodyDone) throw error;
        return confirmCreate(sandbox, error);
      }
    },

    async getSandbox(tenantId, id) {
      return inTenant(tenantId, async (tx) => {
        const [row] = await tx<SandboxRow[]>`
          SELECT ${tx.unsafe(SANDBOX_COLUMNS)} FROM sandboxes
          WHERE tenant_id = ${tenantId} AND id = ${id} AND ${tx.unsafe(LIVE)}`;
        return row && toRecord(row);
      });
    },

    async listSandboxes(tenantId, page): Promise<SandboxPage> {
      if (page.after !== undefined && !/^\d{1,19}$/.test(page.after)) {
        throw new InvalidArgumentError("malformed cursor");
      }
      return inTenant(tenantId, async (tx) => {
        // Ordered by the bigint column: `seq` alone would name the text alias ("9" > "10").
        const rows = await tx<Array<SandboxRow & { seq: string }>>`
          SELECT ${tx.unsafe(SANDBOX_COLUMNS)}, seq::text AS seq FROM sandboxes
          WHERE tenant_id = ${tenantId} AND ${tx.unsafe(LIVE)}
            ${page.after === undefined ? tx`` : tx`AND seq < ${page.after}::bigint`}
          ORDER BY sandboxes.seq DESC LIMIT ${page.limit + 1}`;
        const items = rows.slice(0, page.limit);
        return {
          items: items.map(toRecord),
          next: rows.length > page.limit ? (items.at(-1)?.seq ?? null) : null,
        };
      });
    },

    async deleteSandbox(tenantId, id) {
      return inTenant(tenantId, async (tx) => {
        const rows =
          await tx`DELETE FROM sandboxes WHERE tenant_id = ${tenantId} AND id = ${id} AND ${tx.unsafe(LIVE)} RETURNING 1`;
        if (rows.length > 0) await tx`SELECT pg_notify(${COMMITS_CHANNEL}, ${`${tenantId}/${id}`})`;
        return rows.length > 0;
      });
    },

    async loadTree(tenantId, id, knownVersion): Promise<TreeData | "unchanged" | undefined> {
      if (knownVersion !== undefined) {
        // Most reads find the tree they cached: one round trip says so.
        const version = await currentVersion(tenantId, id);
        if (version === undefined) return undefined;
        if (version === knownVersion) return "unchanged";
      }
      return inTenant(tenantId, async (tx) => {
        const tree = await loadSandboxStack(tx, tenantId, id);
        return tree && tree.version === knownVersion ? "unchanged" : tree;
      });
    },

    async readBlobs(tenantId, hashes) {
      if (hashes.length === 0) return new Map();
      return inTenant(tenantId, async (tx) => {
        const rows = await tx<Array<{ hash: string; content: Buffer }>>`
          SELECT hash, content FROM blobs WHERE tenant_id = ${tenantId} AND hash = ANY(${tx.array([...hashes])}::text[])`;
        return new Map(
          rows.map((r) => [
            r.hash,
            new Uint8Array(r.content.buffer, r.content.byteOffset, r.content.byteLength),
          ]),
        );
      });
    },

    async commit(tenantId, id, changes) {
      const token = randomUUID();
      const progress = { bodyDone: false };
      try {
        const { version, texts } = await inTenant(
          tenantId,
          async (tx) => {
            // Sandbox fields change in the same compare-and-set statement, one shape whichever
            // fields are set (so one prepared statement): absent fields keep their value.
            const update = changes.sandbox ?? {};
            const [row] = await tx<Array<{ version: number; layers: string[] }>>`
              UPDATE sandboxes SET version = version + 1, updated_at = now(), last_commit = ${token},
                name = CASE WHEN ${update.name !== undefined} THEN ${update.name ?? null}::text ELSE name END,
                env = COALESCE(${jsonb(tx, update.env ?? null)}::jsonb, env),
                options = COALESCE(${jsonb(tx, update.options ?? null)}::jsonb, options),
                shell = CASE WHEN ${update.shell !== undefined} THEN ${jsonb(tx, update.shell ?? null)}::jsonb ELSE shell END,
                expires_at = CASE WHEN ${update.expiresAt !== undefined} THEN ${update.expiresAt ?? null}::timestamptz ELSE expires_at END,
                idle_timeout = CASE WHEN ${update.idleTimeout !== undefined} THEN ${update.idleTimeout ?? null}::integer ELSE idle_timeout END,
                -- Every commit is activity (the timeout as set by this commit, if it sets one).
                idle_expires_at = now() + make_interval(secs => CASE WHEN ${update.idleTimeout !== undefined} THEN ${update.idleTimeout ?? null}::integer ELSE idle_timeout END)
              WHERE tenant_id = ${tenantId} AND id = ${id} AND version = ${changes.baseVersion} AND ${tx.unsafe(LIVE)}
              RETURNING version::float8 AS version, layers`;
            if (!row) {
              if (!(await isLive(tx, tenantId, id))) throw new SandboxNotFoundError(id);
              throw new VersionConflictError(id, changes.baseVersion);
            }
            const [texts] = await Promise.all([
              applyChanges(tx, tenantId, row.layers[0]!, row.layers.length > 1, changes),
              logCommit(tx, tenantId, id, row.version, changes.log, changes.undo),
              // Delivered to listeners (every replica's watchers) when the commit lands.
              tx`SELECT pg_notify(${COMMITS_CHANNEL}, ${`${tenantId}/${id}`})`.execute(),
            ]);
            return { version: row.version, texts };
          },
          "",
          progress,
        );
        indexAfterCommit(tenantId, texts);
        return { version };
      } catch (error) {
        // Before the body finished, COMMIT was never sent: nothing was applied, say so.
        if (!(error instanceof StorageUnavailableError) || !progress.bodyDone) throw error;
        return confirmCommit(tenantId, id, token, changes.baseVersion, error);
      }
    },

    async grepCandidates(tenantId, hashes, query) {
      const regex = toPostgresRegex(query);
      if (regex === undefined || hashes.length === 0) return undefined;
      try {
        return await inTenant(tenantId, (tx) => candidateHashes(tx, tenantId, hashes, regex));
      } catch (error) {
        // A regex Postgres rejects (its dialect is not JavaScript's): read every file instead.
        if ((error as { code?: string }).code === "2201B") return undefined;
        throw error;
      }
    },

    async touchSandbox(tenantId, id) {
      await inTenant(tenantId, async (tx) => {
        // A row a commit holds is skipped, not waited for: that commit records activity itself.
        await tx`
          UPDATE sandboxes SET idle_expires_at = now() + make_interval(secs => idle_timeout)
          WHERE tenant_id = ${tenantId} AND id = (
            SELECT id FROM sandboxes
            WHERE tenant_id = ${tenantId} AND id = ${id} AND idle_timeout IS NOT NULL AND ${tx.unsafe(LIVE)}
            FOR UPDATE SKIP LOCKED)`;
      });
    },

    sweepExpired: (sweep) => sweepExpiredSandboxes(sql, sweep),

    watch(tenantId, sandboxId, onChange) {
      const key = `${tenantId}/${sandboxId}`;
      const set = watchers.get(key) ?? new Set();
      set.add(onChange);
      watchers.set(key, set);
      listening ??= sql.listen(
        COMMITS_CHANNEL,
        (payload) => {
          for (const wake of watchers.get(payload) ?? []) wake();
        },
        // (Re)connected: notifications sent meanwhile were lost, so every watcher looks again.
        wakeAll,
      );
      listening.catch((error: unknown) => {
        listening = undefined;
        options.onBackgroundError?.(error);
      });
      return () => {
        set.delete(onChange);
        if (set.size === 0) watchers.delete(key);
      };
    },

    keys: postgresKeyStore(sql),
    readiness: () => storageReadiness(sql),
    poolStats: () => pool.stats(),
    async idle() {
      await indexing;
    },

    async close() {
      await indexing;
      const listener = listening;
      listening = undefined;
      await listener?.then((l) => l.unlisten()).catch(() => {});
      await sql.end({ timeout: 5 });
    },
  };

  /**
   * The connection failed while COMMIT may have been in flight. The sandbox id is new and
   * random, so if a sandbox with it exists, this create was applied: answer with it.
   */
  async function confirmCreate(
    sandbox: NewSandbox,
    failure: StorageUnavailableError,
  ): Promise<SandboxRecord> {
    let row: SandboxRow | undefined;
    try {
      row = await inTenant(sandbox.tenantId, async (tx) => {
        const [r] = await tx<SandboxRow[]>`
          SELECT ${tx.unsafe(SANDBOX_COLUMNS)} FROM sandboxes
          WHERE tenant_id = ${sandbox.tenantId} AND id = ${sandbox.id}`;
        return r;
      });
    } catch {
      throw new StorageUnavailableError("database failed while creating the sandbox", "unknown", {
        cause: failure,
      });
    }
    if (row) return toRecord(row);
    throw failure;
  }

  /**
   * The connection failed mid-commit: the COMMIT may have been applied. Ask the
   * database whether our token is the sandbox's last commit before answering.
   */
  async function confirmCommit(
    tenantId: string,
    id: string,
    token: string,
    baseVersion: number,
    failure: StorageUnavailableError,
  ): Promise<{ version: number }> {
    let row: { last_commit: string | null; version: number } | undefined;
    try {
      row = await inTenant(tenantId, async (tx) => {
        const [r] = await tx<Array<{ last_commit: string | null; version: number }>>`
          SELECT last_commit, version::float8 AS version FROM sandboxes WHERE tenant_id = ${tenantId} AND id = ${id}`;
        return r;
      });
    } catch {
      throw new StorageUnavailableError("database failed during commit", "unknown", {
        cause: failure,
      });
    }
    if (row === undefined) throw new SandboxNotFoundError(id);
    if (row.last_commit === token) return { version: row.version };
    // Still at the base version: ours was not applied. Past it with another token:
    // ours may have been applied and then superseded, so say we do not know.
    if (row.version === baseVersion) {
      throw new StorageUnavailableError("database failed during commit", "no", { cause: failure });
    }
    throw new StorageUnavailableError("database failed during commit", "unknown", {
      cause: failure,
    });
  }
}
