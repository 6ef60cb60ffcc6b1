/**
 * The sandbox service: sandbox lifecycle, snapshot reads and compare-and-set
 * mutations over any Backend, with per-process caches keyed by version.
 */
import { randomBytes } from "node:crypto";
import {
  type Backend,
  type ChangeSet,
  DEFAULT_SANDBOX_OPTIONS,
  type InodeRecord,
  ROOT_INO,
  type SandboxOptions,
  type SandboxPage,
  type SandboxRecord,
  type SandboxUpdate,
} from "./backend.js";
import { SandboxNotFoundError, VersionConflictError } from "./errors.js";
import { Journal } from "./journal.js";
import { KeyedMutex } from "./keyed-mutex.js";
import { ByteBudgetLru } from "./lru.js";
import { normalizePath } from "./paths.js";
import { Tree } from "./tree.js";
import { type ContentLoader, DEFAULT_DIR_MODE, type PrefetchCandidate, Vfs } from "./vfs.js";

export interface SandboxServiceOptions {
  backend: Backend;
  /** Budget for cached trees (default 256 MiB). */
  treeCacheBytes?: number;
  /** Budget for cached file contents (default 256 MiB). */
  contentCacheBytes?: number;
  /** Commits retried after losing a race, before giving up with a retryable conflict (default 8). */
  maxCommitAttempts?: number;
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
}

export interface MutationOutcome<T> {
  value: T;
  /** Sandbox version after the mutation (the same as before when nothing changed). */
  version: number;
  changed: boolean;
}

/** A sandbox's record and tree at one version. */
export interface Snapshot {
  record: SandboxRecord;
  tree: Tree;
}

/** Where a request runs: every call is scoped to one tenant. */
export interface Scope {
  tenantId: string;
}

/** Sibling prefetch bounds: enough for a directory of sources, never a flood. */
const PREFETCH_MAX_BLOBS = 1000;
const PREFETCH_MAX_BYTES = 8 << 20;
const PREFETCH_MAX_FILE_BYTES = 256 << 10;

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
  private readonly contents: ByteBudgetLru<string, Uint8Array>;
  private readonly writers = new KeyedMutex();
  /** Blob reads under way, so concurrent readers of one file share a round trip. */
  private readonly inflight = new Map<string, Promise<Map<string, Uint8Array>>>();
  private readonly maxCommitAttempts: number;
  readonly now: () => number;

  constructor(options: SandboxServiceOptions) {
    this.backend = options.backend;
    this.trees = new ByteBudgetLru(options.treeCacheBytes ?? 256 << 20, (t) => t.approxBytes());
    this.contents = new ByteBudgetLru(options.contentCacheBytes ?? 256 << 20, (b) => b.length + 64);
    this.maxCommitAttempts = options.maxCommitAttempts ?? 8;
    this.now = options.now ?? Date.now;
  }

  // ---- lifecycle --------------------------------------------------------

  async create(scope: Scope, input: CreateSandboxInput = {}): Promise<SandboxRecord> {
    const root: InodeRecord = {
      ino: ROOT_INO,
      kind: "directory",
      mode: DEFAULT_DIR_MODE,
      mtimeMs: this.now(),
      size: 0,
      blob: null,
      target: null,
    };
    const empty = Tree.fromData({ version: 0, inodes: [root], dentries: [] });
    const journal = new Journal(empty);
    journal.putInode(root);
    const vfs = new Vfs(journal, async () => new Map(), { now: this.now });
    for (const file of input.files ?? []) {
      vfs.writeFile(normalizePath(file.path, "open"), file.bytes, { mode: file.mode });
    }
    const changes = journal.toChangeSet();
    const record = await this.backend.createSandbox(
      {
        id: newSandboxId(),
        tenantId: scope.tenantId,
        name: input.name ?? null,
        env: input.env ?? {},
        options: input.options ?? DEFAULT_SANDBOX_OPTIONS,
      },
      changes,
    );
    this.trees.set(cacheKey(scope, record.id), empty.apply(changes, record.version));
    return record;
  }

  async get(scope: Scope, id: string): Promise<SandboxRecord> {
    const record = await this.backend.getSandbox(scope.tenantId, id);
    if (!record) throw new SandboxNotFoundError(id);
    return record;
  }

  list(scope: Scope, page: { limit: number; after?: string }): Promise<SandboxPage> {
    return this.backend.listSandboxes(scope.tenantId, page);
  }

  async delete(scope: Scope, id: string): Promise<void> {
    const deleted = await this.backend.deleteSandbox(scope.tenantId, id);
    this.trees.delete(cacheKey(scope, id));
    if (!deleted) throw new SandboxNotFoundError(id);
  }

  // ---- trees and content ------------------------------------------------

  /** The current tree: the cached one if the backend says it is still current. */
  async tree(scope: Scope, id: string): Promise<Tree> {
    const key = cacheKey(scope, id);
    const cached = this.trees.get(key);
    const loaded = await this.backend.loadTree(scope.tenantId, id, cached?.version);
    if (loaded === undefined) {
      this.trees.delete(key);
      throw new SandboxNotFoundError(id);
    }
    if (loaded === "unchanged" && cached) return cached;
    if (loaded === "unchanged") throw new Error("backend said unchanged without a known version");
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
      if (missing.length > 0 && prefetch) missing = this.withPrefetch(scope, missing, prefetch());
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

  /** Adds uncached, not-in-flight siblings to a fetch, within the prefetch bounds. */
  private withPrefetch(
    scope: Scope,
    missing: string[],
    candidates: readonly PrefetchCandidate[],
  ): string[] {
    const wanted = new Set(missing);
    let budget = PREFETCH_MAX_BYTES;
    for (const candidate of candidates) {
      if (wanted.size >= PREFETCH_MAX_BLOBS) break;
      if (candidate.size > PREFETCH_MAX_FILE_BYTES || candidate.size > budget) continue;
      if (wanted.has(candidate.hash) || this.contents.peek(blobKey(scope, candidate.hash)))
        continue;
      if (this.inflight.has(blobKey(scope, candidate.hash))) continue;
      wanted.add(candidate.hash);
      budget -= candidate.size;
    }
    return [...wanted];
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

  /** A Vfs over a fresh journal on `tree`. */
  open(scope: Scope, tree: Tree): Vfs {
    return new Vfs(new Journal(tree), this.loadContent(scope), { now: this.now });
  }

  /** Runs `fn` against the current snapshot; nothing it does is stored. */
  async read<T>(
    scope: Scope,
    id: string,
    fn: (vfs: Vfs) => T | Promise<T>,
  ): Promise<{ value: T; version: number }> {
    const tree = await this.tree(scope, id);
    return { value: await fn(this.open(scope, tree)), version: tree.version };
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
      const vfs = this.open(scope, await this.tree(scope, id));
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
    let [record, tree] = await Promise.all([this.get(scope, id), this.tree(scope, id)]);
    for (let i = 0; record.version !== tree.version; i++) {
      if (i >= this.maxCommitAttempts) throw new VersionConflictError(id, tree.version);
      if (record.version < tree.version) record = await this.get(scope, id);
      else tree = await this.tree(scope, id);
    }
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
    const changes: ChangeSet = { ...journal.toChangeSet(), sandbox };
    const key = cacheKey(scope, id);
    try {
      const { version } = await this.backend.commit(scope.tenantId, id, changes);
      this.trees.set(key, journal.base.apply(changes, version));
      for (const blob of changes.blobs) this.contents.set(blobKey(scope, blob.hash), blob.bytes);
      return version;
    } catch (error) {
      if (error instanceof VersionConflictError) this.trees.delete(key);
      throw error;
    }
  }

  get maxAttempts(): number {
    return this.maxCommitAttempts;
  }
}

/** Content is cached per tenant too: a tenant never gets bytes through another's cache. */
function blobKey(scope: Scope, hash: string): string {
  return `${scope.tenantId}/${hash}`;
}

function cacheKey(scope: Scope, id: string): string {
  return `${scope.tenantId}/${id}`;
}
