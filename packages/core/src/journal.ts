/**
 * A copy-on-write journal over a Tree: reads fall through to the snapshot,
 * writes stay here until they are turned into one ChangeSet and committed.
 */
import * as crypto from "node:crypto";
import type { ChangeSet, DentryRecord, InodeRecord } from "./backend.js";
import { type Tree, type Usage, usageOf } from "./tree.js";

/** One-shot hashing (Node ≥ 20.12): a third of a Hash object's cost for the small files scripts write. */
const oneShot = typeof crypto.hash === "function" ? crypto.hash : undefined;
const EMPTY_SHA256 = crypto.createHash("sha256").digest("hex");

export function sha256(bytes: Uint8Array): string {
  // `> f` truncates before it writes: the empty file is hashed as often as anything.
  if (bytes.length === 0) return EMPTY_SHA256;
  if (oneShot) return oneShot("sha256", bytes, "hex");
  return crypto.createHash("sha256").update(bytes).digest("hex");
}

function sameInode(a: InodeRecord | undefined, b: InodeRecord): boolean {
  return (
    a !== undefined &&
    a.kind === b.kind &&
    a.mode === b.mode &&
    a.mtimeMs === b.mtimeMs &&
    a.size === b.size &&
    a.blob === b.blob &&
    a.target === b.target &&
    JSON.stringify(a.meta ?? null) === JSON.stringify(b.meta ?? null)
  );
}

export class Journal {
  private readonly inodes = new Map<number, InodeRecord | null>();
  private readonly dirs = new Map<number, Map<string, number>>();
  private readonly links = new Map<number, number>();
  private readonly blobs = new Map<string, Uint8Array>();
  /** How many of this journal's inodes point at each of its own blobs. */
  private readonly blobRefs = new Map<string, number>();
  private blobBytesHeld = 0;
  /** What this journal adds to (or takes from) the base tree's usage. */
  private readonly usageDelta: Usage = { bytes: 0, files: 0 };
  private nextIno: number;

  constructor(readonly base: Tree) {
    this.nextIno = base.maxIno + 1;
  }

  /** True once anything was written. */
  get changed(): boolean {
    return this.inodes.size > 0 || this.dirs.size > 0;
  }

  inode(ino: number): InodeRecord | undefined {
    const own = this.inodes.get(ino);
    if (own === null) return undefined;
    return own ?? this.base.inode(ino);
  }

  children(ino: number): ReadonlyMap<string, number> {
    return this.dirs.get(ino) ?? this.base.children(ino);
  }

  nlink(ino: number): number {
    return this.links.get(ino) ?? this.base.nlink(ino);
  }

  /** Inodes created, changed or deleted so far. */
  get changedInodes(): number {
    return this.inodes.size;
  }

  /**
   * Bytes of new content the journal holds. Content that was overwritten
   * before the commit is dropped, so a loop appending to one file holds one
   * copy, not one per append.
   */
  get contentBytes(): number {
    return this.blobBytesHeld;
  }

  /** The tree's usage once this journal is committed. */
  get usage(): Usage {
    return {
      bytes: this.base.usage.bytes + this.usageDelta.bytes,
      files: this.base.usage.files + this.usageDelta.files,
    };
  }

  /** Content written in this journal, if any (before falling back to storage). */
  pendingBlob(hash: string): Uint8Array | undefined {
    return this.blobs.get(hash);
  }

  allocateIno(): number {
    return this.nextIno++;
  }

  putInode(inode: InodeRecord): void {
    this.setInode(inode.ino, inode);
  }

  /** Stores new content; it is kept while an inode of this journal points at it. */
  putBlob(bytes: Uint8Array): string {
    const hash = sha256(bytes);
    if (!this.blobs.has(hash)) {
      this.blobs.set(hash, bytes);
      this.blobBytesHeld += bytes.length;
    }
    return hash;
  }

  private setInode(ino: number, inode: InodeRecord | null): void {
    const [before, after] = [usageOf(this.inode(ino)), usageOf(inode)];
    this.usageDelta.bytes += after.bytes - before.bytes;
    this.usageDelta.files += after.files - before.files;
    const previous = this.inodes.get(ino)?.blob;
    if (inode?.blob) this.blobRefs.set(inode.blob, (this.blobRefs.get(inode.blob) ?? 0) + 1);
    this.inodes.set(ino, inode);
    if (previous) this.release(previous);
  }

  private release(hash: string): void {
    const refs = (this.blobRefs.get(hash) ?? 0) - 1;
    if (refs > 0) {
      this.blobRefs.set(hash, refs);
      return;
    }
    this.blobRefs.delete(hash);
    const bytes = this.blobs.get(hash);
    if (bytes) {
      this.blobs.delete(hash);
      this.blobBytesHeld -= bytes.length;
    }
  }

  /** Adds or replaces the entry `name` in directory `parent`. */
  link(parent: number, name: string, ino: number): void {
    const children = this.mutableChildren(parent);
    const previous = children.get(name);
    if (previous !== undefined) this.adjustLinks(previous, -1);
    children.set(name, ino);
    this.adjustLinks(ino, +1);
  }

  /** Removes the entry; the inode goes (with a directory's whole subtree) when no entry is left. */
  unlink(parent: number, name: string): void {
    const children = this.mutableChildren(parent);
    const ino = children.get(name);
    if (ino === undefined) return;
    children.delete(name);
    this.adjustLinks(ino, -1);
  }

  private adjustLinks(ino: number, delta: number): void {
    const n = this.nlink(ino) + delta;
    this.links.set(ino, n);
    if (n > 0) return;
    const inode = this.inode(ino);
    if (inode?.kind === "directory") {
      for (const name of [...this.children(ino).keys()]) this.unlink(ino, name);
    }
    this.setInode(ino, null);
  }

  private mutableChildren(ino: number): Map<string, number> {
    let children = this.dirs.get(ino);
    if (!children) {
      children = new Map(this.base.children(ino));
      this.dirs.set(ino, children);
    }
    return children;
  }

  /**
   * Makes this journal's tree equal to `target` (a past tree of the same sandbox, so inode
   * numbers mean the same files): its commit then restores that state.
   */
  replaceWith(target: Tree): void {
    for (const ino of this.base.inodeNumbers()) {
      if (!target.inode(ino)) this.setInode(ino, null);
    }
    for (const ino of target.inodeNumbers()) {
      const inode = target.inode(ino)!;
      if (!sameInode(this.inode(ino), inode)) this.setInode(ino, inode);
      if (target.nlink(ino) !== this.base.nlink(ino)) this.links.set(ino, target.nlink(ino));
      if (ino >= this.nextIno) this.nextIno = ino + 1;
    }
    for (const ino of new Set([...this.base.directories(), ...target.directories()])) {
      const wanted: ReadonlyMap<string, number> =
        target.inode(ino)?.kind === "directory" ? target.children(ino) : new Map();
      const current = this.base.children(ino);
      const same =
        wanted.size === current.size && [...wanted].every(([n, i]) => current.get(n) === i);
      if (!same) this.dirs.set(ino, new Map(wanted));
    }
  }

  /** The journal as one change set against the snapshot it started from. */
  toChangeSet(): ChangeSet {
    const upsertInodes: InodeRecord[] = [];
    const deleteInodes: number[] = [];
    for (const [ino, inode] of this.inodes) {
      if (inode) upsertInodes.push(inode);
      else if (this.base.inode(ino)) deleteInodes.push(ino);
    }
    const upsertDentries: DentryRecord[] = [];
    const deleteDentries: Array<{ parent: number; name: string }> = [];
    for (const [parent, children] of this.dirs) {
      const before = this.base.children(parent);
      const parentGone = this.inodes.get(parent) === null;
      for (const name of before.keys()) {
        if (parentGone || !children.has(name)) deleteDentries.push({ parent, name });
      }
      if (parentGone) continue;
      for (const [name, ino] of children) {
        if (before.get(name) !== ino) upsertDentries.push({ parent, name, ino });
      }
    }
    const referenced = new Set(upsertInodes.map((i) => i.blob));
    const blobs = [...this.blobs]
      .filter(([hash]) => referenced.has(hash))
      .map(([hash, bytes]) => ({ hash, bytes }));
    return {
      baseVersion: this.base.version,
      upsertInodes,
      deleteInodes,
      upsertDentries,
      deleteDentries,
      blobs,
    };
  }
}
