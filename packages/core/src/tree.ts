/** An immutable snapshot of a sandbox's tree at one version, as loaded from a backend. */
import {
  type ChangeSet,
  type DentryRecord,
  type InodeRecord,
  ROOT_INO,
  type TreeData,
} from "./backend.js";
import { type PackedTree, packTree } from "./tree-wire.js";

/** What a tree holds, for quotas: content bytes (a hard-linked file once) and inodes. */
export interface Usage {
  bytes: number;
  /** Files, directories and symlinks, not counting the root. */
  files: number;
}

/** An inode's share of a tree's usage. */
export function usageOf(inode: InodeRecord | undefined | null): Usage {
  if (!inode || inode.ino === ROOT_INO) return { bytes: 0, files: 0 };
  return { bytes: inode.kind === "file" ? inode.size : 0, files: 1 };
}

type Children = ReadonlyMap<string, number>;
const NO_CHILDREN: Children = new Map();

export class Tree {
  private constructor(
    readonly version: number,
    private readonly inodes: Map<number, InodeRecord>,
    private readonly dirs: Map<number, Map<string, number>>,
    private readonly links: Map<number, number>,
    /** Highest inode number in use, so new inodes get fresh numbers. */
    readonly maxIno: number,
    readonly usage: Usage,
  ) {}

  static fromData(data: TreeData): Tree {
    const inodes = new Map<number, InodeRecord>();
    let maxIno = ROOT_INO;
    const usage: Usage = { bytes: 0, files: 0 };
    for (const inode of data.inodes) {
      inodes.set(inode.ino, inode);
      if (inode.ino > maxIno) maxIno = inode.ino;
      const share = usageOf(inode);
      usage.bytes += share.bytes;
      usage.files += share.files;
    }
    const dirs = new Map<number, Map<string, number>>();
    const links = new Map<number, number>();
    for (const d of data.dentries) {
      let children = dirs.get(d.parent);
      if (!children) {
        children = new Map();
        dirs.set(d.parent, children);
      }
      children.set(d.name, d.ino);
      links.set(d.ino, (links.get(d.ino) ?? 0) + 1);
    }
    return new Tree(data.version, inodes, dirs, links, maxIno, usage);
  }

  inode(ino: number): InodeRecord | undefined {
    return this.inodes.get(ino);
  }

  children(ino: number): Children {
    return this.dirs.get(ino) ?? NO_CHILDREN;
  }

  /** Number of directory entries that point at `ino` (hard links). */
  nlink(ino: number): number {
    return ino === ROOT_INO ? 1 : (this.links.get(ino) ?? 0);
  }

  /** The tree as a few flat values, to hand it to another thread (see tree-wire.ts). */
  pack(): PackedTree {
    let entries = 0;
    for (const children of this.dirs.values()) entries += children.size;
    return packTree(this.version, this.inodes.values(), this.dentries(), {
      inodes: this.inodes.size,
      dentries: entries,
    });
  }

  private *dentries(): Generator<DentryRecord> {
    for (const [parent, children] of this.dirs) {
      for (const [name, ino] of children) yield { parent, name, ino };
    }
  }

  /** Every inode number in the tree. */
  inodeNumbers(): IterableIterator<number> {
    return this.inodes.keys();
  }

  /** Every directory that has entries. */
  directories(): IterableIterator<number> {
    return this.dirs.keys();
  }

  /** Where each inode is linked (its first entry for hard links), built on first use. */
  private parents?: Map<number, { parent: number; name: string }>;

  /** The absolute path of `ino` (its first link), or undefined when it is not linked. */
  pathOf(ino: number): string | undefined {
    if (ino === ROOT_INO) return "/";
    if (!this.parents) {
      this.parents = new Map();
      for (const [parent, children] of this.dirs) {
        for (const [name, child] of children) {
          if (!this.parents.has(child)) this.parents.set(child, { parent, name });
        }
      }
    }
    const names: string[] = [];
    let at = ino;
    while (at !== ROOT_INO) {
      const link = this.parents.get(at);
      if (!link || names.length > 4096) return undefined;
      names.push(link.name);
      at = link.parent;
    }
    return `/${names.reverse().join("/")}`;
  }

  /** Rough heap footprint, for cache budgets (~330 B per inode measured by apps/bench). */
  approxBytes(): number {
    return this.inodes.size * 330;
  }

  /** The tree after `changes` were committed as `version`; shares untouched directories. */
  apply(changes: ChangeSet, version: number): Tree {
    const inodes = new Map(this.inodes);
    const links = new Map(this.links);
    const dirs = new Map(this.dirs);
    let maxIno = this.maxIno;
    const usage = { ...this.usage };
    const account = (before: InodeRecord | undefined, after: InodeRecord | undefined) => {
      const [b, a] = [usageOf(before), usageOf(after)];
      usage.bytes += a.bytes - b.bytes;
      usage.files += a.files - b.files;
    };
    const touched = new Set<number>();
    const mutableDir = (ino: number) => {
      let children = dirs.get(ino);
      if (!touched.has(ino)) {
        children = new Map(children ?? []);
        dirs.set(ino, children);
        touched.add(ino);
      }
      return children!;
    };
    for (const ino of changes.deleteInodes) {
      account(inodes.get(ino), undefined);
      inodes.delete(ino);
      links.delete(ino);
    }
    for (const inode of changes.upsertInodes) {
      account(inodes.get(inode.ino), inode);
      inodes.set(inode.ino, inode);
      if (inode.ino > maxIno) maxIno = inode.ino;
    }
    for (const d of changes.deleteDentries) {
      const children = mutableDir(d.parent);
      const ino = children.get(d.name);
      children.delete(d.name);
      if (ino !== undefined && links.has(ino)) links.set(ino, links.get(ino)! - 1);
    }
    for (const d of changes.upsertDentries) {
      const children = mutableDir(d.parent);
      const previous = children.get(d.name);
      if (previous !== undefined && links.has(previous))
        links.set(previous, links.get(previous)! - 1);
      children.set(d.name, d.ino);
      links.set(d.ino, (links.get(d.ino) ?? 0) + 1);
    }
    // After the dentry loops, which may have touched a deleted directory's entries.
    for (const ino of changes.deleteInodes) dirs.delete(ino);
    return new Tree(version, inodes, dirs, links, maxIno, usage);
  }
}
