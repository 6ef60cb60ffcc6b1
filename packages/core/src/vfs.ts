/**
 * POSIX filesystem semantics over a Journal: path resolution with symlinks,
 * errno errors, and every operation the API and just-bash need. Written once,
 * shared by every backend.
 */
import {
  DEFAULT_DIR_MODE,
  DEFAULT_FILE_MODE,
  type FileMeta,
  type InodeKind,
  type InodeRecord,
  ROOT_INO,
} from "./backend.js";
import type { ScriptSemantic } from "./embed/script-semantic.js";
import { FsError } from "./errors.js";
import type { Journal } from "./journal.js";
import type { ReadNarrowing, StoredTextCandidates } from "./narrowing.js";
import {
  checkName,
  compareNames,
  dirname,
  joinPath,
  MAX_PATH_DEPTH,
  resolvePath,
  splitPath,
} from "./paths.js";
import type { TermCountMemo } from "./text/term-count-memo.js";
import type { ContentLoader, DirEntry, PrefetchCandidate, Stat, VfsOptions } from "./vfs-types.js";

export type { ContentLoader, DirEntry, PrefetchCandidate, Stat, VfsOptions } from "./vfs-types.js";

const MAX_SYMLINK_HOPS = 40;
const SYMLINK_MODE = 0o777;

const EMPTY = new Uint8Array(0);

interface Resolved {
  ino: number;
  inode: InodeRecord;
  /** Canonical path (symlinks in parents resolved). */
  path: string;
  /** Inodes from the root down to the parent of `ino`. */
  ancestors: number[];
}

/** A last name missing from a directory reached without a symlink (see `walk`). */
interface MissingName {
  missing: string;
  dir: Resolved;
}

/** Where a walk stands: `ino`, reached from the root through `stack`. */
function resolvedAt(
  journal: Journal,
  ino: number,
  stack: ReadonlyArray<{ ino: number; name: string }>,
): Resolved {
  return {
    ino,
    inode: journal.inode(ino)!,
    path: `/${stack.map((s) => s.name).join("/")}`,
    ancestors: stack.length === 0 ? [] : [ROOT_INO, ...stack.slice(0, -1).map((s) => s.ino)],
  };
}

interface ParentSlot {
  parent: number;
  name: string;
  path: string;
  ancestors: number[];
  existing: number | undefined;
}

export class Vfs {
  private readonly now: () => number;
  private readonly readOnly: boolean;
  readonly deny: ((path: string) => boolean) | undefined;
  private readonly redact: ((bytes: Uint8Array) => Uint8Array) | undefined;
  readonly candidates: StoredTextCandidates | undefined;
  readonly semantic: ScriptSemantic | undefined;
  readonly termCounts: TermCountMemo | undefined;
  narrowing: ReadNarrowing | undefined;

  constructor(
    readonly journal: Journal,
    private readonly load: ContentLoader,
    options: VfsOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.readOnly = options.readOnly ?? false;
    this.deny = options.deny;
    this.redact = options.redact;
    this.candidates = options.candidates;
    this.semantic = options.semantic;
    this.termCounts = options.termCounts;
  }

  /** Whether the policy denies this path (as given, or where its symlinks lead). */
  isDenied(path: string): boolean {
    if (!this.deny) return false;
    const given = resolvePath("/", path);
    if (this.deny(given)) return true;
    const found = this.tryResolve(given, true);
    return found !== undefined && found.path !== given && this.deny(found.path);
  }

  /** Refuses a write in a read-only sandbox, or on a denied path. */
  private guard(syscall: string, ...paths: string[]): void {
    if (this.readOnly) throw new FsError("EROFS", syscall, paths[0] ?? "/");
    for (const path of paths) {
      if (this.isDenied(path))
        throw new FsError("EACCES", syscall, path, "denied by the sandbox's policy");
    }
  }

  // ---- resolution -------------------------------------------------------

  /** Resolves `path`; symlinks in parents are always followed, the last one only when `follow`. */
  resolve(path: string, follow: boolean, syscall = "stat"): Resolved {
    const found = this.walk(path, follow);
    if (typeof found === "string") throw new FsError(found, syscall, path);
    return found;
  }

  /**
   * The resolution itself. Misses are return values, not exceptions: scripts
   * probe for missing paths all the time (`exists`, PATH lookups before every
   * command), and building an Error with a stack trace per probe dominates them.
   */
  private walk(path: string, follow: boolean): Resolved | "ENOENT" | "ENOTDIR" | "ELOOP";
  /**
   * With `slot`, a path whose last name alone is missing, in a directory reached without
   * following a symlink, is a MissingName: where a file of that name would be created.
   */
  private walk(
    path: string,
    follow: boolean,
    slot: true,
  ): Resolved | MissingName | "ENOENT" | "ENOTDIR" | "ELOOP";
  private walk(
    path: string,
    follow: boolean,
    slot = false,
  ): Resolved | MissingName | "ENOENT" | "ENOTDIR" | "ELOOP" {
    const j = this.journal;
    const pending = splitPath(path).reverse();
    const stack: Array<{ ino: number; name: string }> = [];
    let ino = ROOT_INO;
    let hops = 0;
    while (pending.length > 0) {
      const name = pending.pop()!;
      if (name === "." || name === "") continue;
      if (name === "..") {
        stack.pop();
        ino = stack.at(-1)?.ino ?? ROOT_INO;
        continue;
      }
      if (j.inode(ino)!.kind !== "directory") return "ENOTDIR";
      const child = j.children(ino).get(name);
      if (child === undefined) {
        if (!slot || pending.length > 0 || hops > 0) return "ENOENT";
        return { missing: name, dir: resolvedAt(j, ino, stack) };
      }
      const inode = j.inode(child)!;
      if (inode.kind === "symlink" && (pending.length > 0 || follow)) {
        if (++hops > MAX_SYMLINK_HOPS) return "ELOOP";
        const target = inode.target ?? "";
        if (target.startsWith("/")) {
          stack.length = 0;
          ino = ROOT_INO;
        }
        for (const part of target.split("/").reverse()) pending.push(part);
        continue;
      }
      stack.push({ ino: child, name });
      ino = child;
    }
    return resolvedAt(j, ino, stack);
  }

  /** Finds the directory that holds `path`'s last name; the name itself need not exist. */
  private slot(path: string, syscall: string): ParentSlot {
    const names = splitPath(path);
    const name = names.pop();
    if (name === undefined) throw new FsError("EINVAL", syscall, path, "not allowed on the root");
    checkName(name, syscall, path);
    const dir = this.resolve(`/${names.join("/")}`, true, syscall);
    if (dir.inode.kind !== "directory") throw new FsError("ENOTDIR", syscall, path);
    return this.slotIn(dir, name, syscall, path);
  }

  /** The entry `name` of directory `dir`, refused past the depth limit. */
  private slotIn(dir: Resolved, name: string, syscall: string, path: string): ParentSlot {
    // A directory at depth d has d ancestors (the root among them): its entry is at d + 1.
    if (dir.ancestors.length + 1 > MAX_PATH_DEPTH) {
      throw new FsError("ENAMETOOLONG", syscall, path.slice(0, 64), "path nested too deep");
    }
    return {
      parent: dir.ino,
      name,
      path: joinPath(dir.path, name),
      ancestors: [...dir.ancestors, dir.ino],
      existing: this.journal.children(dir.ino).get(name),
    };
  }

  /** Like resolve, but a missing path (or a file in the way) is undefined; ELOOP still throws. */
  private tryResolve(path: string, follow: boolean): Resolved | undefined {
    const found = this.walk(path, follow);
    if (found === "ELOOP") throw new FsError("ELOOP", "stat", path);
    return typeof found === "string" ? undefined : found;
  }

  private statOf(r: Resolved): Stat {
    const i = r.inode;
    return {
      ino: r.ino,
      kind: i.kind,
      mode: i.mode,
      size: i.size,
      mtimeMs: i.mtimeMs,
      nlink: this.journal.nlink(r.ino),
      blob: i.blob,
      target: i.target,
      path: r.path,
      meta: i.meta ?? null,
    };
  }

  // ---- reads ------------------------------------------------------------

  exists(path: string, follow = true): boolean {
    return this.tryResolve(path, follow) !== undefined;
  }

  stat(path: string, follow = true): Stat {
    return this.statOf(this.resolve(path, follow, follow ? "stat" : "lstat"));
  }

  realpath(path: string): string {
    return this.resolve(path, true, "realpath").path;
  }

  readlink(path: string): string {
    const r = this.resolve(path, false, "readlink");
    if (r.inode.kind !== "symlink") throw new FsError("EINVAL", "readlink", path, "not a symlink");
    return r.inode.target ?? "";
  }

  /** Entries sorted by name in code point order. */
  readdir(path: string): DirEntry[] {
    const { dir, entries } = this.listing(path);
    return entries.map(({ name, ino, inode }) => ({
      name,
      stat: this.statOf({ ino, inode, path: joinPath(dir.path, name), ancestors: [] }),
    }));
  }

  /** Names and kinds only: what a directory walk needs, without a whole stat per entry. */
  readdirKinds(path: string): Array<{ name: string; kind: InodeKind }> {
    return this.listing(path).entries.map(({ name, inode }) => ({ name, kind: inode.kind }));
  }

  /** A directory's entries in name order (less what a narrowed grep hides). */
  private listing(path: string) {
    const dir = this.resolve(path, true, "scandir");
    if (dir.inode.kind !== "directory") throw new FsError("ENOTDIR", "scandir", path);
    const entries: Array<{ name: string; ino: number; inode: InodeRecord }> = [];
    const hidden = this.narrowing?.hidden;
    for (const [name, ino] of this.journal.children(dir.ino)) {
      if (hidden?.has(ino)) continue;
      entries.push({ name, ino, inode: this.journal.inode(ino)! });
    }
    entries.sort((a, b) => compareNames(a.name, b.name));
    return { dir, entries };
  }

  /** Resolves a path to read: EISDIR for a directory, EACCES where the policy denies it. */
  private readable(path: string): Resolved {
    const r = this.resolve(path, true, "open");
    if (r.inode.kind === "directory") throw new FsError("EISDIR", "read", path);
    if (this.deny && (this.deny(resolvePath("/", path)) || this.deny(r.path))) {
      throw new FsError("EACCES", "open", path, "denied by the sandbox's policy");
    }
    return r;
  }

  async readFile(path: string): Promise<Uint8Array> {
    const r = this.readable(path);
    const parent = r.ancestors.at(-1);
    const bytes = await this.content(
      r.inode,
      parent === undefined ? undefined : () => this.siblingBlobs(parent),
    );
    return this.redact ? this.redact(bytes) : bytes;
  }

  /**
   * Several files as readFile gives each (same errors, redaction), with what
   * storage must supply fetched in one round trip and no siblings along: grep
   * and search read the files they chose, and only those.
   */
  async readFiles(paths: readonly string[]): Promise<Uint8Array[]> {
    const inodes = paths.map((path) => this.readable(path).inode);
    const stored = (inode: InodeRecord) =>
      inode.blob !== null &&
      inode.size > 0 &&
      this.journal.pendingBlob(inode.blob) === undefined &&
      !this.narrowing?.skipped.has(inode.blob);
    const hashes = [...new Set(inodes.filter(stored).map((inode) => inode.blob!))];
    const loaded = hashes.length > 0 ? await this.load(hashes) : new Map<string, Uint8Array>();
    return Promise.all(
      inodes.map(async (inode) => {
        const bytes = stored(inode) ? loaded.get(inode.blob!) : await this.content(inode);
        if (!bytes) throw new Error(`blob ${inode.blob} is missing from storage`);
        return this.redact ? this.redact(bytes) : bytes;
      }),
    );
  }

  /** Blobs of the files in a directory, to fetch in the same round trip as one of them. */
  private siblingBlobs(dirIno: number): PrefetchCandidate[] {
    const found: PrefetchCandidate[] = [];
    for (const ino of this.journal.children(dirIno).values()) {
      const inode = this.journal.inode(ino);
      if (inode?.kind === "file" && inode.blob !== null && inode.size > 0) {
        if (this.narrowing?.skipped.has(inode.blob)) continue;
        found.push({ hash: inode.blob, size: inode.size });
      }
    }
    return found;
  }

  /** A file inode's content: from the journal if written here, else from the loader. */
  async content(
    inode: InodeRecord,
    prefetch?: () => readonly PrefetchCandidate[],
  ): Promise<Uint8Array> {
    const hash = inode.blob;
    if (hash === null || inode.size === 0) return new Uint8Array(0);
    const own = this.journal.pendingBlob(hash);
    if (own) return own;
    if (this.narrowing?.skipped.has(hash)) return EMPTY;
    const loaded = await this.load([hash], prefetch);
    const bytes = loaded.get(hash);
    if (!bytes) throw new Error(`blob ${hash} is missing from storage`);
    return bytes;
  }

  // ---- writes -----------------------------------------------------------

  /** Creates or replaces a file, creating missing parents; follows a symlink at `path`. */
  writeFile(path: string, bytes: Uint8Array, options: { mode?: number } = {}): Stat {
    this.guard("open", path);
    const found = this.walk(path, true, true);
    if (found === "ELOOP") throw new FsError("ELOOP", "stat", path);
    // A new file in a directory that exists, the common case: no second walk.
    if (typeof found === "object" && "missing" in found) {
      checkName(found.missing, "open", path);
      const slot = this.slotIn(found.dir, found.missing, "open", path);
      return this.createFile(slot, bytes, options.mode);
    }
    const existing = typeof found === "object" ? found : undefined;
    if (existing) {
      if (existing.inode.kind === "directory") throw new FsError("EISDIR", "open", path);
      const inode: InodeRecord = {
        ...existing.inode,
        mode: options.mode ?? existing.inode.mode,
        size: bytes.length,
        blob: this.journal.putBlob(bytes),
        mtimeMs: this.now(),
      };
      this.journal.putInode(inode);
      return this.statOf({ ...existing, inode });
    }
    const dangling = this.danglingSymlinkTarget(path);
    if (dangling !== undefined) return this.writeFile(dangling, bytes, options);
    this.ensureDirectory(dirname(path), "open", path);
    return this.createFile(this.slot(path, "open"), bytes, options.mode);
  }

  /** A new file at an empty slot. */
  private createFile(slot: ParentSlot, bytes: Uint8Array, mode: number | undefined): Stat {
    const inode: InodeRecord = {
      ino: this.journal.allocateIno(),
      kind: "file",
      mode: mode ?? DEFAULT_FILE_MODE,
      mtimeMs: this.now(),
      size: bytes.length,
      blob: this.journal.putBlob(bytes),
      target: null,
    };
    this.journal.putInode(inode);
    this.journal.link(slot.parent, slot.name, inode.ino);
    this.touch(slot.parent);
    return this.statOf({ ino: inode.ino, inode, path: slot.path, ancestors: slot.ancestors });
  }

  async appendFile(path: string, bytes: Uint8Array): Promise<Stat> {
    this.guard("open", path);
    const existing = this.tryResolve(path, true);
    if (!existing) return this.writeFile(path, bytes);
    if (existing.inode.kind === "directory") throw new FsError("EISDIR", "open", path);
    const before = await this.content(existing.inode);
    const joined = new Uint8Array(before.length + bytes.length);
    joined.set(before, 0);
    joined.set(bytes, before.length);
    return this.writeFile(existing.path, joined);
  }

  /** Path a write through a dangling symlink at `path` should create, if there is one. */
  private danglingSymlinkTarget(path: string): string | undefined {
    const link = this.tryResolve(path, false);
    if (link?.inode.kind !== "symlink") return undefined;
    const target = resolvePath(dirname(link.path), link.inode.target ?? "");
    return target === path ? undefined : target;
  }

  /** Creates a directory; with `recursive`, creates parents and accepts an existing directory. */
  mkdir(path: string, options: { recursive?: boolean; mode?: number } = {}): void {
    this.guard("mkdir", path);
    if (options.recursive) {
      const existing = this.tryResolve(path, true);
      if (existing && existing.inode.kind !== "directory")
        throw new FsError("EEXIST", "mkdir", path);
      if (!existing) this.ensureDirectory(path, "mkdir", path, options.mode);
      return;
    }
    if (path === "/") throw new FsError("EEXIST", "mkdir", path);
    const slot = this.slot(path, "mkdir");
    if (slot.existing !== undefined) throw new FsError("EEXIST", "mkdir", path);
    const inode: InodeRecord = {
      ino: this.journal.allocateIno(),
      kind: "directory",
      mode: options.mode ?? DEFAULT_DIR_MODE,
      mtimeMs: this.now(),
      size: 0,
      blob: null,
      target: null,
    };
    this.journal.putInode(inode);
    this.journal.link(slot.parent, slot.name, inode.ino);
    this.touch(slot.parent);
  }

  /** Creates `dir` and its missing parents; a non-directory on the way is ENOTDIR. */
  private ensureDirectory(dir: string, syscall: string, reported: string, mode?: number): void {
    // Almost always there already: one walk, not one per name on the way.
    if (this.tryResolve(dir, true)?.inode.kind === "directory") return;
    let current = "/";
    for (const name of splitPath(dir)) {
      current = joinPath(current, name);
      const r = this.tryResolve(current, true);
      if (r) {
        if (r.inode.kind !== "directory") throw new FsError("ENOTDIR", syscall, reported);
        continue;
      }
      if (this.tryResolve(current, false))
        throw new FsError("ENOENT", syscall, reported, "dangling symlink in path");
      this.mkdir(current, { mode });
    }
  }

  /** Removes a file, symlink or directory (a non-empty one only when `recursive`). */
  rm(path: string, options: { recursive?: boolean; force?: boolean } = {}): void {
    this.guard("rm", path);
    if (splitPath(path).length === 0)
      throw new FsError("EINVAL", "rm", path, "cannot remove the root");
    let slot: ParentSlot;
    try {
      slot = this.slot(path, "rm");
    } catch (error) {
      if (options.force && error instanceof FsError && error.code === "ENOENT") return;
      throw error;
    }
    if (slot.existing === undefined) {
      if (options.force) return;
      throw new FsError("ENOENT", "rm", path);
    }
    const inode = this.journal.inode(slot.existing)!;
    if (inode.kind === "directory" && !options.recursive) {
      if (this.journal.children(slot.existing).size > 0) throw new FsError("ENOTEMPTY", "rm", path);
    }
    this.journal.unlink(slot.parent, slot.name);
    this.touch(slot.parent);
  }

  /**
   * Renames `from` to `to` (the entry itself; a symlink is moved, not followed).
   * Without `overwrite` an existing destination is EEXIST; with it, POSIX rename rules apply.
   */
  rename(from: string, to: string, options: { overwrite?: boolean } = {}): void {
    this.guard("rename", from, to);
    const src = this.slot(from, "rename");
    if (src.existing === undefined) throw new FsError("ENOENT", "rename", from);
    const dst = this.slot(to, "rename");
    const ino = src.existing;
    const inode = this.journal.inode(ino)!;
    if (inode.kind === "directory" && (dst.ancestors.includes(ino) || dst.parent === ino)) {
      throw new FsError("EINVAL", "rename", to, "cannot move a directory into itself");
    }
    if (dst.existing === ino) return;
    if (dst.existing !== undefined) {
      if (!options.overwrite) throw new FsError("EEXIST", "rename", to);
      this.checkReplace(inode, dst.existing, "rename", to);
      this.journal.unlink(dst.parent, dst.name);
    }
    this.journal.link(dst.parent, dst.name, ino);
    this.journal.unlink(src.parent, src.name);
    this.touch(src.parent);
    this.touch(dst.parent);
  }

  private checkReplace(src: InodeRecord, existingIno: number, syscall: string, path: string) {
    const existing = this.journal.inode(existingIno)!;
    if (src.kind === "directory") {
      if (existing.kind !== "directory") throw new FsError("ENOTDIR", syscall, path);
      if (this.journal.children(existingIno).size > 0)
        throw new FsError("ENOTEMPTY", syscall, path);
    } else if (existing.kind === "directory") {
      throw new FsError("EISDIR", syscall, path);
    }
  }

  /**
   * Copies `from` to `to`. Content is shared by hash, never duplicated.
   * Directories need `recursive`; symlinks inside are copied as symlinks.
   */
  copy(from: string, to: string, options: { recursive?: boolean; overwrite?: boolean } = {}): void {
    this.guard("copy", from, to);
    const src = this.resolve(from, true, "copyfile");
    if (src.inode.kind === "directory" && !options.recursive) {
      throw new FsError("EISDIR", "copyfile", from);
    }
    const dst = this.slot(to, "copyfile");
    if (
      src.inode.kind === "directory" &&
      (dst.ancestors.includes(src.ino) || dst.parent === src.ino)
    ) {
      throw new FsError("EINVAL", "copyfile", to, "cannot copy a directory into itself");
    }
    if (dst.existing === src.ino)
      throw new FsError("EINVAL", "copyfile", to, "source and destination are the same file");
    if (dst.existing !== undefined) {
      if (!options.overwrite) throw new FsError("EEXIST", "copyfile", to);
      const existing = this.journal.inode(dst.existing)!;
      if (src.inode.kind === "directory" && existing.kind === "directory") {
        for (const [name, child] of this.journal.children(src.ino)) {
          this.copyInto(child, dst.existing, name, true);
        }
        this.touch(dst.existing);
        return;
      }
      this.checkReplace(src.inode, dst.existing, "copyfile", to);
    }
    this.copyInto(src.ino, dst.parent, dst.name, options.overwrite ?? false);
  }

  private copyInto(ino: number, parent: number, name: string, overwrite: boolean): void {
    const inode = this.journal.inode(ino)!;
    const existing = this.journal.children(parent).get(name);
    if (existing !== undefined) {
      const current = this.journal.inode(existing)!;
      if (inode.kind === "directory" && current.kind === "directory") {
        for (const [childName, child] of this.journal.children(ino)) {
          this.copyInto(child, existing, childName, overwrite);
        }
        return;
      }
      if (!overwrite) return;
      this.journal.unlink(parent, name);
    }
    const copy: InodeRecord = { ...inode, ino: this.journal.allocateIno(), mtimeMs: this.now() };
    this.journal.putInode(copy);
    this.journal.link(parent, name, copy.ino);
    if (inode.kind === "directory") {
      for (const [childName, child] of [...this.journal.children(ino)]) {
        this.copyInto(child, copy.ino, childName, overwrite);
      }
    }
    this.touch(parent);
  }

  symlink(target: string, linkPath: string): void {
    this.guard("symlink", linkPath);
    const slot = this.slot(linkPath, "symlink");
    if (slot.existing !== undefined) throw new FsError("EEXIST", "symlink", linkPath);
    const inode: InodeRecord = {
      ino: this.journal.allocateIno(),
      kind: "symlink",
      mode: SYMLINK_MODE,
      mtimeMs: this.now(),
      size: new TextEncoder().encode(target).length,
      blob: null,
      target,
    };
    this.journal.putInode(inode);
    this.journal.link(slot.parent, slot.name, inode.ino);
    this.touch(slot.parent);
  }

  /** A hard link: a second name for the same inode (no bytes are copied). */
  link(existingPath: string, newPath: string): void {
    this.guard("link", existingPath, newPath);
    const src = this.resolve(existingPath, false, "link");
    if (src.inode.kind === "directory") throw new FsError("EISDIR", "link", existingPath);
    const slot = this.slot(newPath, "link");
    if (slot.existing !== undefined) throw new FsError("EEXIST", "link", newPath);
    this.journal.link(slot.parent, slot.name, src.ino);
    this.touch(slot.parent);
  }

  chmod(path: string, mode: number): void {
    this.guard("chmod", path);
    const r = this.resolve(path, true, "chmod");
    this.journal.putInode({ ...r.inode, mode: mode & 0o7777 });
  }

  /**
   * Sets (replaces) a file's tags and summary, following symlinks; null or
   * an empty meta removes them. Metadata only: mtime and content stay.
   */
  setMeta(path: string, meta: FileMeta | null): Stat {
    this.guard("setmeta", path);
    const r = this.resolve(path, true, "setmeta");
    if (r.inode.kind === "directory") throw new FsError("EISDIR", "setmeta", path);
    const { meta: _old, ...rest } = r.inode;
    const empty = meta === null || (meta.tags.length === 0 && meta.summary === null);
    const inode: InodeRecord = empty ? rest : { ...rest, meta };
    this.journal.putInode(inode);
    return this.statOf({ ...r, inode });
  }

  utimes(path: string, mtimeMs: number): void {
    this.guard("utime", path);
    const r = this.resolve(path, true, "utime");
    this.journal.putInode({ ...r.inode, mtimeMs });
  }

  private touch(dirIno: number): void {
    const inode = this.journal.inode(dirIno);
    if (inode) this.journal.putInode({ ...inode, mtimeMs: this.now() });
  }
}
