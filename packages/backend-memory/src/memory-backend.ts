/**
 * An in-memory Backend. It keeps the same rules as a database would (tenant
 * scoping, compare-and-set commits, tenant-scoped blobs) so the core behaves
 * identically on it and on Postgres.
 */
import {
  type Backend,
  type ChangeSet,
  type CommitRecord,
  type CommitRetention,
  DEFAULT_COMMIT_RETENTION,
  type DentryRecord,
  type InodeRecord,
  InvalidArgumentError,
  type NewSandbox,
  SandboxNotFoundError,
  type SandboxOptions,
  type SandboxPage,
  type SandboxRecord,
  type SandboxUpdate,
  type ShellState,
  SnapshotNotFoundError,
  type SnapshotRecord,
  type TreeData,
  type TreeUndo,
  VersionConflictError,
} from "@cairn/core";
import { createMemoryIdempotencyStore } from "./memory-idempotency.js";
import { createMemoryKeyStore } from "./memory-keys.js";

export interface MemoryBackendOptions {
  now?: () => number;
  /** How long commits stay in each sandbox's log (default 30 days or 10,000 commits). */
  commitRetention?: Partial<CommitRetention>;
}

const copyOptions = (o: SandboxOptions): SandboxOptions => ({ ...o, runtimes: [...o.runtimes] });
const copyShell = (s: ShellState | null): ShellState | null =>
  s && { cwd: s.cwd, env: { ...s.env } };

/** Applies a commit's sandbox fields to a stored record (absent fields are kept). */
function updateRecord(record: SandboxRecord, update: SandboxUpdate): void {
  if (update.name !== undefined) record.name = update.name;
  if (update.env !== undefined) record.env = { ...update.env };
  if (update.options !== undefined) record.options = copyOptions(update.options);
  if (update.shell !== undefined) record.shell = copyShell(update.shell);
  if (update.expiresAt !== undefined) record.expiresAt = update.expiresAt;
  if (update.idleTimeout !== undefined) record.idleTimeout = update.idleTimeout;
}

/** Activity: a sandbox with an idle timeout expires that long after now. */
function touch(record: SandboxRecord, at: number): void {
  record.idleExpiresAt =
    record.idleTimeout === null ? null : new Date(at + record.idleTimeout * 1000);
}

/** Whether a sandbox has expired (by time or idleness) as of `at`. */
function expired(record: SandboxRecord, at: number): boolean {
  return (
    (record.expiresAt !== null && record.expiresAt.getTime() <= at) ||
    (record.idleExpiresAt !== null && record.idleExpiresAt.getTime() <= at)
  );
}

interface StoredSandbox {
  record: SandboxRecord;
  /** Creation order, for stable newest-first listing. */
  seq: number;
  inodes: Map<number, InodeRecord>;
  /** `${parent}/${name}` → entry. */
  dentries: Map<string, DentryRecord>;
  /** The commit log, oldest first, trimmed to the retention on every commit. */
  commits: CommitRecord[];
  /** Each logged commit's undo (the rows it replaced), trimmed with the log. */
  undo: Map<number, TreeUndo | null>;
}

const copyCommit = (c: CommitRecord): CommitRecord => structuredClone(c);

interface StoredSnapshot {
  record: SnapshotRecord;
  seq: number;
  /** Frozen copies of the tree rows; content stays in the tenant's blobs. */
  inodes: InodeRecord[];
  dentries: DentryRecord[];
}

/**
 * @example
 * const service = new SandboxService({ backend: createMemoryBackend() });
 */
export function createMemoryBackend(options: MemoryBackendOptions = {}): Backend {
  const now = options.now ?? Date.now;
  const retention = { ...DEFAULT_COMMIT_RETENTION, ...options.commitRetention };
  const sandboxes = new Map<string, StoredSandbox>();
  /** Blobs are shared within a tenant only: `${tenantId}/${hash}`. */
  const blobs = new Map<string, Uint8Array>();
  const snapshots = new Map<string, StoredSnapshot>();
  /** Watchers by `${tenantId}/${sandboxId}`. */
  const watchers = new Map<string, Set<() => void>>();
  const notify = (tenantId: string, id: string) => {
    for (const wake of watchers.get(`${tenantId}/${id}`) ?? []) queueMicrotask(wake);
  };
  let seq = 0;
  // A snapshot lives as long as its sandbox: an expired sandbox's are gone with it.
  const findSnapshot = (tenantId: string, id: string) => {
    const s = snapshots.get(id);
    return s && s.record.tenantId === tenantId && find(tenantId, s.record.sandboxId)
      ? s
      : undefined;
  };
  const treeOf = (
    version: number,
    inodes: Iterable<InodeRecord>,
    dentries: Iterable<DentryRecord>,
  ): TreeData => ({
    version,
    inodes: [...inodes].map((i) => ({
      ...i,
      ...(i.meta ? { meta: structuredClone(i.meta) } : {}),
    })),
    dentries: [...dentries].map((d) => ({ ...d })),
  });

  /** A live sandbox of the tenant: an expired one is gone before the sweeper deletes it. */
  function find(tenantId: string, id: string): StoredSandbox | undefined {
    const s = sandboxes.get(id);
    return s && s.record.tenantId === tenantId && !expired(s.record, now()) ? s : undefined;
  }
  const remove = (tenantId: string, id: string) => {
    sandboxes.delete(id);
    notify(tenantId, id);
    // Snapshots go with their sandbox; forks made from them do not.
    for (const [snapshotId, snapshot] of snapshots) {
      if (snapshot.record.sandboxId === id) snapshots.delete(snapshotId);
    }
  };
  const snapshot = (s: StoredSandbox): SandboxRecord => ({
    ...s.record,
    env: { ...s.record.env },
    options: copyOptions(s.record.options),
    shell: copyShell(s.record.shell),
  });

  const apply = (s: StoredSandbox, changes: ChangeSet) => {
    const tenantId = s.record.tenantId;
    for (const blob of changes.blobs) {
      const key = `${tenantId}/${blob.hash}`;
      if (!blobs.has(key)) blobs.set(key, blob.bytes.slice());
    }
    for (const ino of changes.deleteInodes) s.inodes.delete(ino);
    for (const inode of changes.upsertInodes) s.inodes.set(inode.ino, { ...inode });
    for (const d of changes.deleteDentries) s.dentries.delete(`${d.parent}/${d.name}`);
    for (const d of changes.upsertDentries) s.dentries.set(`${d.parent}/${d.name}`, { ...d });
    if (changes.sandbox) updateRecord(s.record, changes.sandbox);
    s.record.version += 1;
    s.record.updatedAt = new Date(now());
    touch(s.record, now());
    if (changes.log) {
      s.commits.push(
        copyCommit({ ...changes.log, version: s.record.version, at: new Date(now()) }),
      );
      if (changes.undo !== undefined) {
        s.undo.set(s.record.version, changes.undo && structuredClone(changes.undo));
      }
    }
    const oldest = now() - retention.maxAgeMs;
    let drop = Math.max(0, s.commits.length - retention.maxCommits);
    while (drop < s.commits.length && s.commits[drop]!.at.getTime() < oldest) drop++;
    if (drop > 0) {
      for (const gone of s.commits.splice(0, drop)) s.undo.delete(gone.version);
    }
  };

  const backend: Backend = {
    ...createMemoryIdempotencyStore(now),
    keys: createMemoryKeyStore(now, (tenantId) =>
      [...sandboxes.values()].some((s) => s.record.tenantId === tenantId),
    ),
    async createSandbox(sandbox: NewSandbox, initial: ChangeSet): Promise<SandboxRecord> {
      const at = new Date(now());
      const { expiry: _expiry, ...fields } = sandbox;
      const stored: StoredSandbox = {
        record: {
          ...fields,
          env: { ...sandbox.env },
          options: copyOptions(sandbox.options),
          shell: null,
          version: 0,
          createdAt: at,
          updatedAt: at,
          expiresAt: sandbox.expiry?.expiresAt ?? null,
          idleTimeout: sandbox.expiry?.idleTimeout ?? null,
          idleExpiresAt: null,
        },
        seq: ++seq,
        inodes: new Map(),
        dentries: new Map(),
        commits: [],
        undo: new Map(),
      };
      apply(stored, initial);
      sandboxes.set(sandbox.id, stored);
      return snapshot(stored);
    },

    async getSandbox(tenantId, id) {
      const s = find(tenantId, id);
      return s && snapshot(s);
    },

    async listSandboxes(tenantId, page): Promise<SandboxPage> {
      const after = page.after === undefined ? Number.POSITIVE_INFINITY : Number(page.after);
      if (Number.isNaN(after)) throw new InvalidArgumentError("malformed cursor");
      const mine = [...sandboxes.values()]
        .filter((s) => s.record.tenantId === tenantId && s.seq < after)
        .filter((s) => !expired(s.record, now()))
        .sort((a, b) => b.seq - a.seq);
      const items = mine.slice(0, page.limit);
      const last = items.at(-1);
      return {
        items: items.map(snapshot),
        next: mine.length > page.limit && last ? String(last.seq) : null,
      };
    },

    async deleteSandbox(tenantId, id) {
      if (!find(tenantId, id)) return false;
      remove(tenantId, id);
      return true;
    },

    async touchSandbox(tenantId, id) {
      const s = find(tenantId, id);
      if (s) touch(s.record, now());
    },

    async sweepExpired(sweep = {}) {
      const at = now();
      const swept = [];
      for (const s of sandboxes.values()) {
        if (swept.length >= (sweep.limit ?? 100)) break;
        if (expired(s.record, at)) swept.push({ tenantId: s.record.tenantId, id: s.record.id });
      }
      for (const { tenantId, id } of swept) remove(tenantId, id);
      return swept;
    },

    async createSnapshot(tenantId, sandboxId, input) {
      const s = find(tenantId, sandboxId);
      if (!s) throw new SandboxNotFoundError(sandboxId);
      if (input.atVersion !== undefined && input.atVersion !== s.record.version) {
        throw new VersionConflictError(sandboxId, input.atVersion);
      }
      const tree = treeOf(s.record.version, s.inodes.values(), s.dentries.values());
      let files = 0;
      let bytes = 0;
      for (const inode of tree.inodes) {
        if (inode.ino === 1) continue;
        files += 1;
        if (inode.kind === "file") bytes += inode.size;
      }
      const record: SnapshotRecord = {
        id: input.id,
        tenantId,
        sandboxId,
        name: input.name,
        version: s.record.version,
        files,
        bytes,
        createdAt: new Date(now()),
      };
      snapshots.set(input.id, { record, seq: ++seq, inodes: tree.inodes, dentries: tree.dentries });
      return { ...record };
    },

    async listSnapshots(tenantId, sandboxId, page) {
      if (!find(tenantId, sandboxId)) return undefined;
      const after = page.after === undefined ? Number.POSITIVE_INFINITY : Number(page.after);
      if (Number.isNaN(after)) throw new InvalidArgumentError("malformed cursor");
      const mine = [...snapshots.values()]
        .filter((s) => s.record.tenantId === tenantId && s.record.sandboxId === sandboxId)
        .filter((s) => s.seq < after)
        .sort((a, b) => b.seq - a.seq);
      const items = mine.slice(0, page.limit);
      const last = items.at(-1);
      return {
        items: items.map((s) => ({ ...s.record })),
        next: mine.length > page.limit && last ? String(last.seq) : null,
      };
    },

    async getSnapshot(tenantId, snapshotId) {
      const s = findSnapshot(tenantId, snapshotId);
      return s && { ...s.record };
    },

    async deleteSnapshot(tenantId, snapshotId) {
      if (!findSnapshot(tenantId, snapshotId)) return false;
      snapshots.delete(snapshotId);
      return true;
    },

    async loadSnapshotTree(tenantId, snapshotId) {
      const s = findSnapshot(tenantId, snapshotId);
      return s && treeOf(s.record.version, s.inodes, s.dentries);
    },

    async forkSandbox(sandbox, from, log) {
      let tree: TreeData;
      if ("snapshotId" in from) {
        const source = findSnapshot(sandbox.tenantId, from.snapshotId);
        if (!source) throw new SnapshotNotFoundError(from.snapshotId);
        tree = treeOf(1, source.inodes, source.dentries);
      } else {
        const source = find(sandbox.tenantId, from.sandboxId);
        if (!source) throw new SandboxNotFoundError(from.sandboxId);
        tree = treeOf(1, source.inodes.values(), source.dentries.values());
      }
      return backend.createSandbox(sandbox, {
        baseVersion: 0,
        upsertInodes: tree.inodes,
        deleteInodes: [],
        upsertDentries: tree.dentries,
        deleteDentries: [],
        blobs: [],
        log,
      });
    },

    async loadTree(tenantId, id, knownVersion): Promise<TreeData | "unchanged" | undefined> {
      const s = find(tenantId, id);
      if (!s) return undefined;
      if (knownVersion === s.record.version) return "unchanged";
      return {
        version: s.record.version,
        inodes: [...s.inodes.values()].map((i) => ({ ...i })),
        dentries: [...s.dentries.values()].map((d) => ({ ...d })),
      };
    },

    async readBlobs(tenantId, hashes) {
      const found = new Map<string, Uint8Array>();
      for (const hash of hashes) {
        const bytes = blobs.get(`${tenantId}/${hash}`);
        if (bytes) found.set(hash, bytes);
      }
      return found;
    },

    async listCommits(tenantId, id, page) {
      const s = find(tenantId, id);
      if (!s) return undefined;
      const before = page.before ?? Number.POSITIVE_INFINITY;
      const older = s.commits.filter((c) => c.version < before).reverse();
      const items = older.slice(0, page.limit).map(copyCommit);
      return { items, next: older.length > page.limit ? (items.at(-1)?.version ?? null) : null };
    },

    async loadUndo(tenantId, id, afterVersion) {
      const s = find(tenantId, id);
      if (!s) return undefined;
      return [...s.undo]
        .filter(([version]) => version > afterVersion)
        .sort(([a], [b]) => b - a)
        .map(([version, undo]) => ({ version, undo: undo && structuredClone(undo) }));
    },

    async getCommit(tenantId, id, version) {
      const found = find(tenantId, id)?.commits.find((c) => c.version === version);
      return found && copyCommit(found);
    },

    async commit(tenantId, id, changes) {
      const s = find(tenantId, id);
      if (!s) throw new SandboxNotFoundError(id);
      if (s.record.version !== changes.baseVersion) {
        throw new VersionConflictError(id, changes.baseVersion);
      }
      apply(s, changes);
      notify(tenantId, id);
      return { version: s.record.version };
    },

    watch(tenantId, sandboxId, onChange) {
      const key = `${tenantId}/${sandboxId}`;
      const set = watchers.get(key) ?? new Set();
      set.add(onChange);
      watchers.set(key, set);
      return () => {
        set.delete(onChange);
        if (set.size === 0) watchers.delete(key);
      };
    },
  };
  return backend;
}
