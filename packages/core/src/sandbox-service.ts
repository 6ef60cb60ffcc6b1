/**
 * The sandbox service: sandbox lifecycle, snapshot reads and compare-and-set
 * mutations over any Backend, with per-process caches keyed by version.
 */
import { randomBytes } from "node:crypto";
import { ActivityRecorder } from "./activity.js";
import { applyArchive } from "./archive/apply.js";
import type { ArchiveEntry } from "./archive/stage.js";
import {
  type Backend,
  type ChangeSet,
  DEFAULT_SANDBOX_OPTIONS,
  rootInode,
  type SandboxExpiry,
  type SandboxOptions,
  type SandboxPage,
  type SandboxRecord,
  type SandboxUpdate,
} from "./backend.js";
import type { ScriptSemantic } from "./embed/script-semantic.js";
import { InvalidArgumentError, SandboxNotFoundError, VersionConflictError } from "./errors.js";
import {
  type CommitOrigin,
  type CommitPage,
  type CommitRecord,
  logEntry,
  type PathChange,
  UNKNOWN_ORIGIN,
  undoOf,
} from "./history.js";
import { Journal } from "./journal.js";
import { KeyedMutex } from "./keyed-mutex.js";
import { ByteBudgetLru, type CacheStats } from "./lru.js";
import { MACHINE_DIRECTORIES, MACHINE_HOME } from "./machine.js";
import type { StoredTextCandidates } from "./narrowing.js";
import { normalizePath } from "./paths.js";
import { denyMatcher, normalizePolicy, redactBytes } from "./policy.js";
import { withPrefetch } from "./prefetch.js";
import { checkQuota, checkUsage, type Quota } from "./quota.js";
import { TermCountMemos } from "./text/term-count-memo.js";
import { Tree } from "./tree.js";
import { type ContentLoader, Vfs } from "./vfs.js";

export interface SandboxServiceOptions {
  backend: Backend;
  /** Budget for cached trees (default 256 MiB). */
  treeCacheBytes?: number;
  /** Budget for cached file contents (default 256 MiB). */
  contentCacheBytes?: number;
  /** Commits retried after losing a race, before giving up with a retryable conflict (default 8). */
  maxCommitAttempts?: number;
  /**
   * Reads and execs record activity on a sandbox with an idle timeout at most this often per
   * sandbox (default one minute), and at most every half timeout: commits record their own.
   */
  activityIntervalMs?: number;
  now?: () => number;
}

export interface SeedFile {
  path: string;
  bytes: Uint8Array;
  mode?: number;
}

export interface CreateSandboxInput {
  name?: string | null;
  env?: Record<string, string>;
  options?: SandboxOptions;
  files?: SeedFile[];
  /**
   * Archive entries (checked by an `ArchiveStager`) unpacked into `destination` (default `/`)
   * after `files`, in the same first commit: the sandbox is created with all of them or not at all.
   */
  archive?: { entries: readonly ArchiveEntry[]; destination?: string };
  /** Absent: never expires. */
  expiry?: SandboxExpiry;
}

export interface MutationOutcome<T> {
  value: T;
  /** Sandbox version after the mutation (the same as before when nothing changed). */
  version: number;
  changed: boolean;
}

/**
 * What became of one compare-and-set commit attempt: `conflict` lost a race (nothing applied),
 * `retry` is a lost race about to be run again, `exhausted` the last loss, given to the caller.
 */
export type CommitEvent = "committed" | "conflict" | "retry" | "exhausted";

/** The per-process caches: bytes held, and how often a lookup found what it needed. */
export interface ServiceCacheStats {
  /** A hit is a cached tree the backend confirmed current. */
  trees: CacheStats;
  contents: CacheStats;
}

/** A sandbox's record and tree at one version. */
export interface Snapshot {
  record: SandboxRecord;
  tree: Tree;
}

/** Where a request runs: every call is scoped to one tenant. */
export interface Scope {
  tenantId: string;
  /** Bounds on each sandbox's content; none when absent. */
  quota?: Quota;
  /** Who is asking and through which operation, recorded in the commit log (unknown when absent). */
  origin?: Partial<CommitOrigin>;
  /** The request's `Idempotency-Key`: its commits mark the key applied in their own transaction. */
  idempotencyKey?: string;
}

function originOf(scope: Scope): CommitOrigin {
  return { ...UNKNOWN_ORIGIN, ...scope.origin };
}

/**
 * Whether `id` can name a sandbox at all (ids are `sbx_` and base62; others
 * may have made their own, so any short id of letters, digits, `_` and `-`).
 * Anything else is not found without asking storage, which may choke on it
 * (Postgres refuses NUL in text).
 */
function isSandboxId(id: string): boolean {
  return /^[A-Za-z0-9_-]{1,128}$/.test(id);
}

/** Text that goes into a sandbox's record: Postgres stores no NUL, so no backend accepts one. */
function checkRecordText(fields: {
  name?: string | null;
  env?: Record<string, string>;
  shellEnv?: Record<string, string>;
}): void {
  const check = (value: string, what: string) => {
    if (value.includes("\0")) throw new InvalidArgumentError(`${what} must not contain NUL`);
  };
  if (fields.name) check(fields.name, "name");
  for (const [what, env] of [
    ["env", fields.env],
    ["shell env", fields.shellEnv],
  ] as const) {
    for (const [key, value] of Object.entries(env ?? {})) {
      check(key, `${what} names`);
      check(value, `${what} values`);
    }
  }
}

/** The fields an update sets (absent ones are kept; `shell: null` clears). */
function definedFields(update: SandboxUpdate | undefined): Partial<SandboxRecord> {
  const fields: Partial<SandboxRecord> = {};
  if (!update) return fields;
  if (update.name !== undefined) fields.name = update.name;
  if (update.env !== undefined) fields.env = update.env;
  if (update.options !== undefined) fields.options = update.options;
  if (update.shell !== undefined) fields.shell = update.shell;
  if (update.expiresAt !== undefined) fields.expiresAt = update.expiresAt;
  if (update.idleTimeout !== undefined) fields.idleTimeout = update.idleTimeout;
  return fields;
}

const ID_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** `sbx_` + 24 base62 chars (~143 bits): unguessable. */
export function newSandboxId(): string {
  const bytes = randomBytes(24);
  let id = "sbx_";
  for (const b of bytes) id += ID_ALPHABET[b % 62];
  return id;
}

export class SandboxService {
  readonly backend: Backend;
  private readonly trees: ByteBudgetLru<string, Tree>;
  /** Each sandbox's record as of a version: a snapshot at that version need not read it again. */
  private readonly records = new ByteBudgetLru<string, SandboxRecord>(8 << 20, () => 2048);
  private readonly contents: ByteBudgetLru<string, Uint8Array>;
  private readonly termCounts = new TermCountMemos();
  /** What this process's recent commits changed, so an answer can say so without a read. */
  private readonly logged = new ByteBudgetLru<string, PathChange[]>(
    16 << 20,
    (changes) => 64 + changes.length * 200,
  );
  private readonly writers = new KeyedMutex();
  /** Blob reads under way, so concurrent readers of one file share a round trip. */
  private readonly inflight = new Map<string, Promise<Map<string, Uint8Array>>>();
  private readonly maxCommitAttempts: number;
  private readonly commitListeners = new Set<(event: CommitEvent) => void>();
  private readonly activity: ActivityRecorder;
  private treeHits = 0;
  private treeMisses = 0;
  readonly now: () => number;

  constructor(options: SandboxServiceOptions) {
    this.backend = options.backend;
    this.trees = new ByteBudgetLru(options.treeCacheBytes ?? 256 << 20, (t) => t.approxBytes());
    this.contents = new ByteBudgetLru(options.contentCacheBytes ?? 256 << 20, (b) => b.length + 64);
    this.maxCommitAttempts = options.maxCommitAttempts ?? 8;
    this.now = options.now ?? Date.now;
    this.activity = new ActivityRecorder(
      this.backend,
      options.activityIntervalMs ?? 60_000,
      this.now,
    );
  }

  // ---- lifecycle --------------------------------------------------------

  async create(scope: Scope, input: CreateSandboxInput = {}): Promise<SandboxRecord> {
    checkRecordText({ name: input.name, env: input.env });
    const root = rootInode(this.now());
    const empty = Tree.fromData({ version: 0, inodes: [root], dentries: [] });
    const journal = new Journal(empty);
    journal.putInode(root);
    const vfs = new Vfs(journal, async () => new Map(), { now: this.now });
    for (const dir of MACHINE_DIRECTORIES) vfs.mkdir(dir.path, { recursive: true, mode: dir.mode });
    for (const file of input.files ?? []) {
      vfs.writeFile(normalizePath(file.path, "open"), file.bytes, { mode: file.mode });
    }
    if (input.archive) applyArchive(vfs, input.archive.destination ?? "/", input.archive.entries);
    checkQuota(journal, scope.quota);
    const changes = journal.toChangeSet();
    const created = empty.apply(changes, 1);
    changes.log = logEntry(empty, changes, created, originOf(scope), scope.idempotencyKey);
    const record = await this.backend.createSandbox(
      {
        id: newSandboxId(),
        tenantId: scope.tenantId,
        name: input.name ?? null,
        env: input.env ?? {},
        options: { ...(input.options ?? DEFAULT_SANDBOX_OPTIONS), home: MACHINE_HOME },
        ...(input.expiry ? { expiry: input.expiry } : {}),
      },
      changes,
    );
    this.trees.set(
      cacheKey(scope, record.id),
      record.version === 1 ? created : empty.apply(changes, record.version),
    );
    return record;
  }

  async get(scope: Scope, id: string): Promise<SandboxRecord> {
    if (!isSandboxId(id)) throw new SandboxNotFoundError(id);
    const record = await this.backend.getSandbox(scope.tenantId, id);
    if (!record) throw new SandboxNotFoundError(id);
    return record;
  }

  list(scope: Scope, page: { limit: number; after?: string }): Promise<SandboxPage> {
    return this.backend.listSandboxes(scope.tenantId, page);
  }

  async delete(scope: Scope, id: string): Promise<void> {
    if (!isSandboxId(id)) throw new SandboxNotFoundError(id);
    const deleted = await this.backend.deleteSandbox(scope.tenantId, id);
    this.trees.delete(cacheKey(scope, id));
    this.records.delete(cacheKey(scope, id));
    if (!deleted) throw new SandboxNotFoundError(id);
  }

  // ---- trees and content ------------------------------------------------

  /** The current tree: the cached one if the backend says it is still current. */
  async tree(scope: Scope, id: string): Promise<Tree> {
    if (!isSandboxId(id)) throw new SandboxNotFoundError(id);
    const key = cacheKey(scope, id);
    const cached = this.trees.get(key);
    const loaded = await this.backend.loadTree(scope.tenantId, id, cached?.version);
    if (loaded === undefined) {
      this.trees.delete(key);
      throw new SandboxNotFoundError(id);
    }
    if (loaded === "unchanged" && cached) {
      this.treeHits++;
      return cached;
    }
    if (loaded === "unchanged") throw new Error("backend said unchanged without a known version");
    this.treeMisses++;
    const tree = Tree.fromData(loaded);
    this.trees.set(key, tree);
    return tree;
  }

  /**
   * Content by hash, from the cache or one batched backend read; on a miss,
   * uncached prefetch candidates come along (bounded in count, size and bytes).
   */
  loadContent(scope: Scope): ContentLoader {
    return async (hashes, prefetch) => {
      const found = new Map<string, Uint8Array>();
      const waiting: Array<Promise<Map<string, Uint8Array>>> = [];
      let missing: string[] = [];
      for (const hash of hashes) {
        const bytes = this.contents.get(blobKey(scope, hash));
        const pending = this.inflight.get(blobKey(scope, hash));
        if (bytes) found.set(hash, bytes);
        else if (pending) waiting.push(pending);
        else missing.push(hash);
      }
      if (missing.length > 0 && prefetch)
        missing = withPrefetch(
          missing,
          prefetch(),
          (hash) =>
            this.contents.peek(blobKey(scope, hash)) || this.inflight.has(blobKey(scope, hash)),
        );
      if (missing.length > 0) waiting.push(this.fetchBlobs(scope, missing));
      for (const batch of await Promise.all(waiting)) {
        for (const hash of hashes) {
          const bytes = batch.get(hash);
          if (bytes) found.set(hash, bytes);
        }
      }
      return found;
    };
  }

  /** The backend's text index for this scope's blobs, when it has one (a grep in a script asks it). */
  textCandidates(scope: Scope): StoredTextCandidates | undefined {
    const backend = this.backend;
    if (!backend.grepCandidates) return undefined;
    return (hashes, query) => backend.grepCandidates!(scope.tenantId, hashes, query);
  }

  /** One backend read; concurrent requests for the same blobs wait for it instead of repeating it. */
  private fetchBlobs(scope: Scope, hashes: string[]): Promise<Map<string, Uint8Array>> {
    const request = this.backend.readBlobs(scope.tenantId, hashes).then((loaded) => {
      for (const [hash, bytes] of loaded) this.contents.set(blobKey(scope, hash), bytes);
      return loaded;
    });
    const settled = request.finally(() => {
      for (const hash of hashes) this.inflight.delete(blobKey(scope, hash));
    });
    for (const hash of hashes) this.inflight.set(blobKey(scope, hash), settled);
    return settled;
  }

  /**
   * A Vfs over a fresh journal on `tree`, under the sandbox's policy when its
   * record is given (read-only, denied paths; with `redact`, secrets redacted
   * in what it reads, which only API reads ask for).
   */
  open(
    scope: Scope,
    tree: Tree,
    record?: SandboxRecord,
    view: { redact?: boolean; semantic?: ScriptSemantic } = {},
  ): Vfs {
    const policy = normalizePolicy(record?.options.policy);
    const redact = view.redact && policy.redactSecrets;
    return new Vfs(new Journal(tree), this.loadContent(scope), {
      now: this.now,
      readOnly: policy.readOnly,
      deny: denyMatcher(policy),
      redact: redact ? redactBytes : undefined,
      candidates: this.textCandidates(scope),
      semantic: view.semantic,
      // Counts are of the content as read: redacted reads count what the redaction left.
      termCounts: redact ? undefined : this.termCounts.forTenant(scope.tenantId),
    });
  }

  /** Runs `fn` against the current snapshot; nothing it does is stored. */
  async read<T>(
    scope: Scope,
    id: string,
    fn: (vfs: Vfs) => T | Promise<T>,
  ): Promise<{ value: T; version: number }> {
    const { record, tree } = await this.governed(scope, id);
    return {
      value: await fn(this.open(scope, tree, record, { redact: true })),
      version: tree.version,
    };
  }

  /**
   * Applies `fn` to the current tree and commits what it changed, iff nobody
   * committed in between. Writers in this process take turns; a race with
   * another process is retried on a fresh tree (`fn` must be safe to re-run),
   * and after `maxCommitAttempts` losses gives a VersionConflictError with
   * nothing applied.
   */
  mutate<T>(
    scope: Scope,
    id: string,
    fn: (vfs: Vfs) => T | Promise<T>,
  ): Promise<MutationOutcome<T>> {
    return this.untilCommitted(scope, id, async () => {
      const { record, tree } = await this.governed(scope, id);
      const vfs = this.open(scope, tree, record);
      const value = await fn(vfs);
      const version = await this.commit(scope, id, vfs.journal);
      return { value, version, changed: vfs.journal.changed };
    });
  }

  /**
   * Changes the sandbox record in one fenced commit. `change` sees the record
   * it is based on (it may throw to refuse) and is re-run if another writer
   * got in first.
   */
  update(
    scope: Scope,
    id: string,
    change: (current: SandboxRecord) => SandboxUpdate,
  ): Promise<SandboxRecord> {
    return this.untilCommitted(scope, id, async () => {
      const { record, tree } = await this.snapshot(scope, id);
      await this.commit(scope, id, new Journal(tree), change(record));
      return this.get(scope, id);
    });
  }

  /**
   * The record and the tree at one version. They are read in parallel, so a
   * commit in between can make them disagree; the older one is read again.
   */
  async snapshot(scope: Scope, id: string): Promise<Snapshot> {
    const key = cacheKey(scope, id);
    const known = this.records.get(key);
    let record: SandboxRecord;
    let tree: Tree;
    if (known) {
      // The tree says which version is current; the record is read only when it moved on.
      tree = await this.tree(scope, id);
      if (tree.version === known.version) return { record: known, tree };
      record = await this.get(scope, id);
    } else {
      [record, tree] = await Promise.all([this.get(scope, id), this.tree(scope, id)]);
    }
    for (let i = 0; record.version !== tree.version; i++) {
      if (i >= this.maxCommitAttempts) throw new VersionConflictError(id, tree.version);
      if (record.version < tree.version) record = await this.get(scope, id);
      else tree = await this.tree(scope, id);
    }
    this.records.set(key, record);
    this.activity.note(record);
    return { record, tree };
  }

  /**
   * The current tree and a record at least as new, whose policy governs it.
   * Unlike {@link snapshot} the two need not be at one version (only exec,
   * which saves the shell state beside the files, needs that), so a sandbox
   * that other writers keep committing to never makes a read wait or fail.
   */
  private async governed(scope: Scope, id: string): Promise<Snapshot> {
    const key = cacheKey(scope, id);
    const tree = await this.tree(scope, id);
    const known = this.records.get(key);
    if (known && known.version >= tree.version) {
      this.activity.note(known);
      return { record: known, tree };
    }
    // Read after the tree, so never older than it: a policy change is seen by the next request.
    const record = await this.get(scope, id);
    if (record.version === tree.version) this.records.set(key, record);
    this.activity.note(record);
    return { record, tree };
  }

  /**
   * Runs `attempt` as this sandbox's only in-process writer, again whenever its
   * commit loses a race with another process (`attempt` must be safe to re-run),
   * and after `maxCommitAttempts` losses gives the last VersionConflictError.
   */
  private untilCommitted<T>(scope: Scope, id: string, attempt: () => Promise<T>): Promise<T> {
    return this.writers.run(cacheKey(scope, id), async () => {
      let lastConflict = new VersionConflictError(id, -1);
      for (let i = 0; i < this.maxCommitAttempts; i++) {
        try {
          return await attempt();
        } catch (error) {
          if (!(error instanceof VersionConflictError)) throw error;
          lastConflict = error;
          this.reportCommit(i + 1 < this.maxCommitAttempts ? "retry" : "exhausted");
        }
      }
      throw lastConflict;
    });
  }

  /** Runs `fn` as this sandbox's only in-process writer. */
  exclusive<T>(scope: Scope, id: string, fn: () => Promise<T>): Promise<T> {
    return this.writers.run(cacheKey(scope, id), fn);
  }

  /**
   * Commits a journal (no-op when unchanged) and caches the resulting tree.
   * Throws VersionConflictError when the sandbox moved on; nothing is applied then.
   */
  async commit(
    scope: Scope,
    id: string,
    journal: Journal,
    sandbox?: SandboxUpdate,
  ): Promise<number> {
    if (!journal.changed && !sandbox) return journal.base.version;
    // The base is the version the commit is fenced on, so no concurrent writer can overshoot.
    checkQuota(journal, scope.quota);
    return this.store(scope, id, journal.base, { ...journal.toChangeSet(), sandbox });
  }

  /**
   * Commits a change set made against `base` elsewhere (by a journal in a
   * worker thread), with the same checks, fencing and caching as {@link commit}.
   */
  async commitChanges(scope: Scope, id: string, base: Tree, changes: ChangeSet): Promise<number> {
    const empty =
      changes.upsertInodes.length === 0 &&
      changes.deleteInodes.length === 0 &&
      changes.upsertDentries.length === 0 &&
      changes.deleteDentries.length === 0;
    if (empty && !changes.sandbox) return base.version;
    const after = base.apply(changes, base.version + 1);
    checkUsage(base.usage, after.usage, scope.quota);
    return this.store(scope, id, base, changes, after);
  }

  /**
   * Logs what the change set does (the commit log entry goes in the same commit), then commits.
   * `after`: the change set applied to `base` at the next version, when the caller has it.
   */
  private async store(
    scope: Scope,
    id: string,
    base: Tree,
    changes: ChangeSet,
    after = base.apply(changes, base.version + 1),
  ): Promise<number> {
    const sandbox = changes.sandbox;
    if (sandbox) checkRecordText({ ...sandbox, shellEnv: sandbox.shell?.env });
    const next = base.version + 1;
    const log = logEntry(base, changes, after, originOf(scope), scope.idempotencyKey);
    changes.log = log;
    changes.undo = undoOf(base, changes);
    const key = cacheKey(scope, id);
    try {
      const { version } = await this.backend.commit(scope.tenantId, id, changes);
      this.trees.set(key, version === next ? after : base.apply(changes, version));
      this.logged.set(`${key}@${version}`, log.changes);
      // The record moves with the commit: its fields are the base version's plus `sandbox`.
      const record = this.records.get(key);
      if (record?.version === base.version) {
        this.records.set(key, { ...record, ...definedFields(sandbox), version });
      } else this.records.delete(key);
      for (const blob of changes.blobs) this.contents.set(blobKey(scope, blob.hash), blob.bytes);
      this.reportCommit("committed");
      return version;
    } catch (error) {
      if (error instanceof VersionConflictError) {
        this.reportCommit("conflict");
        this.trees.delete(key);
        this.records.delete(key);
      }
      throw error;
    }
  }

  // ---- history ---------------------------------------------------------

  /** The commit log, newest first. */
  async commits(
    scope: Scope,
    id: string,
    page: { limit: number; before?: number },
  ): Promise<CommitPage> {
    if (!isSandboxId(id)) throw new SandboxNotFoundError(id);
    const found = await this.backend.listCommits(scope.tenantId, id, page);
    if (!found) throw new SandboxNotFoundError(id);
    return found;
  }

  /** The paths the commit that made `version` changed (undefined once it left the log). */
  async changesAt(scope: Scope, id: string, version: number): Promise<PathChange[] | undefined> {
    const known = this.logged.get(`${cacheKey(scope, id)}@${version}`);
    if (known) return known;
    return (await this.backend.getCommit(scope.tenantId, id, version))?.changes;
  }

  /** One commit, or undefined when it is not (or no longer) in the log; the sandbox must exist. */
  async commitAt(scope: Scope, id: string, version: number): Promise<CommitRecord | undefined> {
    if (!isSandboxId(id)) throw new SandboxNotFoundError(id);
    const found = await this.backend.getCommit(scope.tenantId, id, version);
    if (!found) await this.get(scope, id);
    return found;
  }

  get maxAttempts(): number {
    return this.maxCommitAttempts;
  }

  /** Calls `listener` with every commit attempt's result (metrics); returns a function that stops it. */
  onCommit(listener: (event: CommitEvent) => void): () => void {
    this.commitListeners.add(listener);
    return () => this.commitListeners.delete(listener);
  }

  cacheStats(): ServiceCacheStats {
    return {
      trees: { ...this.trees.stats(), hits: this.treeHits, misses: this.treeMisses },
      contents: this.contents.stats(),
    };
  }

  /** Tells the listeners; the exec engine reports its own retries through it. */
  reportCommit(event: CommitEvent): void {
    for (const listener of this.commitListeners) listener(event);
  }
}

/** Content is cached per tenant too: a tenant never gets bytes through another's cache. */
function blobKey(scope: Scope, hash: string): string {
  return `${scope.tenantId}/${hash}`;
}

function cacheKey(scope: Scope, id: string): string {
  return `${scope.tenantId}/${id}`;
}
