import type { EmbeddingStore } from "./embed/embedder.js";
import type { IdempotencyStore } from "./idempotency.js";
import type { KeyStore } from "./keys.js";

/**
 * The backend contract: a small transactional store for sandboxes, their tree
 * metadata and content-addressed blobs. Filesystem semantics live in the core,
 * so every backend behaves the same by construction.
 */

export type InodeKind = "file" | "directory" | "symlink";

/** The inode number of every sandbox's root directory. */
export const ROOT_INO = 1;

/** Permission bits of a file or directory created without a mode. */
export const DEFAULT_FILE_MODE = 0o644;
export const DEFAULT_DIR_MODE = 0o755;

/** A new sandbox's root directory. */
export function rootInode(mtimeMs: number): InodeRecord {
  return {
    ino: ROOT_INO,
    kind: "directory",
    mode: DEFAULT_DIR_MODE,
    mtimeMs,
    size: 0,
    blob: null,
    target: null,
  };
}

/** One inode row. Files point at a blob by sha256; symlinks carry their target. */
export interface InodeRecord {
  ino: number;
  kind: InodeKind;
  /** Permission bits only (e.g. 0o644). */
  mode: number;
  mtimeMs: number;
  /** Content bytes for files, target length for symlinks, 0 for directories. */
  size: number;
  blob: string | null;
  target: string | null;
  /** A file's tags and summary for search; absent when it has none. Follows the inode (renames, links, copies). */
  meta?: FileMeta;
}

/** What an agent noted about a file, for search: tags and a one-line summary. */
export interface FileMeta {
  /** Distinct, in the order given. */
  tags: string[];
  summary: string | null;
}

/** One directory entry: `name` in directory `parent` is inode `ino`. */
export interface DentryRecord {
  parent: number;
  name: string;
  ino: number;
}

export interface BlobRecord {
  hash: string;
  bytes: Uint8Array;
}

/** A sandbox's whole tree at one version. */
export interface TreeData {
  version: number;
  inodes: InodeRecord[];
  dentries: DentryRecord[];
}

/**
 * The difference between two versions of a tree, applied atomically by
 * {@link Backend.commit} only while the sandbox is still at `baseVersion`.
 * `blobs` holds new content referenced by `upsertInodes`; the backend stores
 * them in the same transaction (a blob that already exists is kept).
 */
export interface ChangeSet {
  baseVersion: number;
  upsertInodes: InodeRecord[];
  deleteInodes: number[];
  upsertDentries: DentryRecord[];
  deleteDentries: Array<{ parent: number; name: string }>;
  blobs: BlobRecord[];
  /**
   * Fields of the sandbox record to change in the same commit (absent: kept).
   * A commit may carry only this, and still bumps the version: settings and
   * saved shell state are fenced like files.
   */
  sandbox?: SandboxUpdate;
  /** What the commit changed and who made it, stored in the sandbox's commit log with it. */
  log?: CommitLogEntry;
  /**
   * The tree rows this commit replaces, stored with its log entry: applied to the tree it makes,
   * they give back the tree before it. Null when too large to keep (that version and older ones
   * cannot be rebuilt).
   */
  undo?: TreeUndo | null;
}

/** A change set that turns a commit's tree back into its base's (tree rows only, no content). */
export interface TreeUndo {
  upsertInodes: InodeRecord[];
  deleteInodes: number[];
  upsertDentries: DentryRecord[];
  deleteDentries: Array<{ parent: number; name: string }>;
}

/** A logged commit's undo, as {@link Backend.loadUndo} returns it (null: not kept). */
export interface VersionUndo {
  version: number;
  undo: TreeUndo | null;
}

/** Commands just-bash can add on request; off unless a sandbox opts in. */
export type Runtime = "python3" | "js-exec";

export interface SandboxOptions {
  /** Keep the shell's cwd and exported env between exec calls. */
  persistShell: boolean;
  runtimes: Runtime[];
  /** Rules on top of the filesystem (read-only, denied paths, redaction); none when absent. */
  policy?: SandboxPolicy;
  /**
   * The home directory, made with the sandbox: scripts start there and HOME
   * points at it. Absent on sandboxes made before homes existed, which start
   * in `/` with HOME=/.
   */
  home?: string;
}

export const DEFAULT_SANDBOX_OPTIONS: SandboxOptions = { persistShell: false, runtimes: [] };

/** What a persistent shell carries from one exec to the next. */
export interface ShellState {
  cwd: string;
  env: Record<string, string>;
}

export interface SandboxUpdate {
  name?: string | null;
  env?: Record<string, string>;
  options?: SandboxOptions;
  /** null forgets the saved state. */
  shell?: ShellState | null;
  /** null: never expires. */
  expiresAt?: Date | null;
  /** Seconds; null: no idle timeout. Setting it counts as activity. */
  idleTimeout?: number | null;
}

/**
 * When a sandbox expires. An expired sandbox is gone for every call at once (as if deleted),
 * and its rows are deleted by {@link Backend.sweepExpired}. Never live again once expired.
 */
export interface SandboxExpiry {
  /** null: never (by time). */
  expiresAt: Date | null;
  /** Seconds without activity (a commit, or {@link Backend.touchSandbox}) until it expires. */
  idleTimeout: number | null;
}

export interface SandboxRecord {
  id: string;
  tenantId: string;
  name: string | null;
  env: Record<string, string>;
  options: SandboxOptions;
  /** Saved shell state (only with `options.persistShell`), as of `version`. */
  shell: ShellState | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  expiresAt: Date | null;
  idleTimeout: number | null;
  /** With an idle timeout: the last recorded activity plus the timeout. */
  idleExpiresAt: Date | null;
}

export interface NewSandbox {
  id: string;
  tenantId: string;
  name: string | null;
  env: Record<string, string>;
  options: SandboxOptions;
  /** Absent: never expires. */
  expiry?: SandboxExpiry;
}

/** A sandbox the expiry sweeper deleted. */
export interface SweptSandbox {
  tenantId: string;
  id: string;
}

export interface SandboxPage {
  items: SandboxRecord[];
  /** Pass as `after` to get the next page; null on the last page. */
  next: string | null;
}

/**
 * A sandbox's tree frozen at one version. Immutable; it shares content with
 * its sandbox (never copied; a backend may share the tree rows too) and is deleted with it.
 */
export interface SnapshotRecord {
  id: string;
  tenantId: string;
  sandboxId: string;
  name: string | null;
  version: number;
  /** Files, directories and symlinks (not the root), and their content bytes, as in quotas. */
  files: number;
  bytes: number;
  createdAt: Date;
}

export interface SnapshotPage {
  items: SnapshotRecord[];
  /** Pass as `after` to get the next page; null on the last page. */
  next: string | null;
}

/** Where a new sandbox's tree comes from: a snapshot, or another sandbox's current tree. */
export type ForkSource = { snapshotId: string } | { sandboxId: string };

/**
 * What a storage engine implements. Every call is scoped to a tenant: a
 * sandbox of another tenant does not exist for it.
 */
export interface Backend extends IdempotencyStore {
  /** Creates the sandbox and applies `initial` (which must create the root inode) as version 1. */
  createSandbox(sandbox: NewSandbox, initial: ChangeSet): Promise<SandboxRecord>;
  getSandbox(tenantId: string, id: string): Promise<SandboxRecord | undefined>;
  /** Newest first; `after` is an opaque cursor from a previous page. */
  listSandboxes(tenantId: string, page: { limit: number; after?: string }): Promise<SandboxPage>;
  /** Returns false when there was no such sandbox. */
  deleteSandbox(tenantId: string, id: string): Promise<boolean>;
  /**
   * Loads the tree. When `knownVersion` is still current, returns
   * `"unchanged"` so the caller can keep its cached copy.
   */
  loadTree(
    tenantId: string,
    id: string,
    knownVersion?: number,
  ): Promise<TreeData | "unchanged" | undefined>;
  /** Fetches blobs by hash; missing hashes are absent from the map. */
  readBlobs(tenantId: string, hashes: readonly string[]): Promise<Map<string, Uint8Array>>;
  /**
   * Applies `changes` iff the sandbox is at `changes.baseVersion`, and returns
   * the new version. Throws VersionConflictError (nothing applied) otherwise,
   * SandboxNotFoundError if the sandbox is gone.
   */
  commit(tenantId: string, id: string, changes: ChangeSet): Promise<{ version: number }>;
  /**
   * Freezes the sandbox's current tree as a snapshot, copying at most tree rows (never content),
   * in one step: it is exactly one version even under concurrent commits. With `atVersion`,
   * only if the sandbox is still at it (VersionConflictError otherwise).
   */
  createSnapshot(
    tenantId: string,
    sandboxId: string,
    snapshot: { id: string; name: string | null; atVersion?: number },
  ): Promise<SnapshotRecord>;
  /** A sandbox's snapshots, newest first; undefined when the sandbox does not exist. */
  listSnapshots(
    tenantId: string,
    sandboxId: string,
    page: { limit: number; after?: string },
  ): Promise<SnapshotPage | undefined>;
  getSnapshot(tenantId: string, snapshotId: string): Promise<SnapshotRecord | undefined>;
  /** Returns false when there was no such snapshot. */
  deleteSnapshot(tenantId: string, snapshotId: string): Promise<boolean>;
  /** A snapshot's tree (its `version` is the snapshot's). */
  loadSnapshotTree(tenantId: string, snapshotId: string): Promise<TreeData | undefined>;
  /**
   * Creates a sandbox whose version 1 is a copy of `from`'s tree (at most tree rows, never
   * content; it must stay whole when the source is deleted), logged with `log`. Throws SandboxNotFoundError / SnapshotNotFoundError when the
   * source is gone.
   */
  forkSandbox(sandbox: NewSandbox, from: ForkSource, log: CommitLogEntry): Promise<SandboxRecord>;
  /** The sandbox's commit log, newest first; `before` is a version (the previous page's last). */
  listCommits(
    tenantId: string,
    id: string,
    page: { limit: number; before?: number },
  ): Promise<CommitPage | undefined>;
  /**
   * Optional: the undo of every logged commit after `afterVersion`, newest first; undefined when
   * the sandbox does not exist. A version missing from the list left the log (or predates it).
   */
  loadUndo?(tenantId: string, id: string, afterVersion: number): Promise<VersionUndo[] | undefined>;
  /** One logged commit; undefined when the sandbox or the version is not (or no longer) in the log. */
  getCommit(tenantId: string, id: string, version: number): Promise<CommitRecord | undefined>;
  /**
   * Optional: records activity on a live sandbox with an idle timeout (its idle expiry moves to
   * now plus the timeout); does nothing otherwise. Commits record activity by themselves.
   */
  touchSandbox?(tenantId: string, id: string): Promise<void>;
  /**
   * Optional: deletes up to `limit` expired sandboxes of every tenant (with their snapshots and
   * commit logs), and says which. Safe to run in many processes at once: each expired sandbox
   * is deleted by exactly one of them. Not tenant-scoped.
   */
  sweepExpired?(options?: { limit?: number }): Promise<SweptSandbox[]>;
  /**
   * Optional: calls `onChange` soon after each commit to the sandbox, or its deletion, made
   * through any process sharing this storage (it may also call it spuriously). Returns the
   * function that stops it. Without it, watchers poll.
   */
  watch?(tenantId: string, sandboxId: string, onChange: () => void): () => void;
  /**
   * Optional: of the given content hashes, those whose text may contain a
   * line matching `query` — a superset of the real matches, never missing one
   * (e.g. picked with a trigram index). Undefined when it cannot narrow them.
   */
  grepCandidates?(
    tenantId: string,
    hashes: readonly string[],
    query: GrepQuery,
  ): Promise<ReadonlySet<string> | undefined>;
  /**
   * Optional: tenants and API keys (`createApp({ auth: { keys: true } })`, `cairn token`).
   * Not tenant-scoped: keys are looked up before the tenant is known.
   */
  readonly keys?: KeyStore;
  /** Optional: vectors of content blobs, for semantic search (`GET .../fs/search?mode=semantic`). */
  readonly embeddings?: EmbeddingStore;
  /**
   * Optional: whether storage can serve now (`GET /v1/ready`). Resolves with what is wrong, if
   * anything (e.g. migrations not applied); rejects when storage cannot be reached.
   */
  readiness?(): Promise<StorageReadiness>;
  /** Optional: the connection pool as it is now (metrics). */
  poolStats?(): PoolStats;
  /** Releases connections and other resources. */
  close?(): Promise<void>;
}

export interface StorageReadiness {
  /** Schema version the storage is at, and the newest this code knows (absent: no schema). */
  migrations?: { applied: number; expected: number };
  /** Why it cannot serve; empty when it can. */
  problems: string[];
}

/** Connections: how many exist at most, how many a transaction holds, how many are awaited. */
export interface PoolStats {
  max: number;
  inUse: number;
  waiting: number;
}

/** What grep looks for, as a backend sees it (JavaScript regex syntax unless `fixedString`). */
export interface GrepQuery {
  pattern: string;
  fixedString: boolean;
  ignoreCase: boolean;
}

// ---- the commit log and the policy: records a backend stores ----

/** How a path changed in one commit. */
export type ChangeKind = "created" | "modified" | "deleted" | "moved" | "mode";

export interface PathChange {
  path: string;
  kind: ChangeKind;
  type: InodeKind;
  /** For `moved`: where it was. */
  from?: string;
  /** Content bytes (symlinks: target length) after the change; before it for `deleted`. */
  size: number;
  /** The content's sha256 (files only), after the change; before it for `deleted`. */
  hash: string | null;
}

/** Who made a commit and through which operation. */
export interface CommitOrigin {
  /** The API operation (e.g. `execScript`, `writeFile`), or `unknown` outside the server. */
  operation: string;
  /** The stored API key's id, when one was used. */
  keyId: string | null;
  /** The JWT's subject, when a token was used. */
  subject: string | null;
  requestId: string | null;
  /** For exec: sha256 of the script (batches: of the scripts, in order, NUL-separated). */
  scriptHash: string | null;
}

/** What a commit adds to the log beside its version and time. */
export interface CommitLogEntry {
  origin: CommitOrigin;
  /** Sorted by path; at most {@link MAX_LOGGED_CHANGES} of them. */
  changes: PathChange[];
  /** How many paths changed (more than `changes.length` when the list was cut). */
  changeCount: number;
  /**
   * The `Idempotency-Key` of the request making this commit. The backend marks that key
   * applied (with this sandbox and version) in the commit's own transaction, so a retry
   * after a crash between the commit and the stored response is never run a second time.
   * Not part of the log's records.
   */
  idempotencyKey?: string;
}

export interface CommitRecord extends CommitLogEntry {
  version: number;
  at: Date;
}

export interface CommitPage {
  items: CommitRecord[];
  /** Pass as `before` for the next (older) page; null on the last page. */
  next: number | null;
}

/** A sandbox's policy (see policy.ts for its rules and defaults). */
export interface SandboxPolicy {
  readOnly: boolean;
  /** Deny the the secret globs of policy.ts. */
  denySecrets: boolean;
  /** More globs to deny, matched against the absolute path without its leading `/`. */
  denyGlobs: string[];
  /** Replace the secret patterns of policy.ts with `[REDACTED]` in API reads, grep and search. */
  redactSecrets: boolean;
}
