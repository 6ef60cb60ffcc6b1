/**
 * A tree as a few flat values, for handing it to another thread. Structured
 * cloning `TreeData` copies one object per inode and per entry (~17 ms for a
 * 10,000-file tree); this form clones as two typed arrays and three strings.
 */
import type { DentryRecord, FileMeta, InodeKind, InodeRecord, TreeData } from "./backend.js";

export interface PackedTree {
  version: number;
  /** Per inode: ino, kind (index into KINDS), mode, mtimeMs, size. */
  inodes: Float64Array;
  /** Each inode's blob hash ("" for none), joined by ",". */
  blobs: string;
  /** Symlink targets and file metadata, by inode index: the few inodes that have them. */
  extras: Array<[index: number, target: string | null, meta: FileMeta | undefined]>;
  /** Per entry: parent, ino. */
  dentries: Float64Array;
  /** Each entry's name, joined by "/" (the one character a name cannot hold). */
  names: string;
}

const KINDS: readonly InodeKind[] = ["file", "directory", "symlink"];
const KIND_INDEX: Record<InodeKind, number> = { file: 0, directory: 1, symlink: 2 };
const INODE_FIELDS = 5;

export function packTree(
  version: number,
  inodes: Iterable<InodeRecord>,
  dentries: Iterable<DentryRecord>,
  counts: { inodes: number; dentries: number },
): PackedTree {
  const numbers = new Float64Array(counts.inodes * INODE_FIELDS);
  const blobs: string[] = [];
  const extras: PackedTree["extras"] = [];
  let i = 0;
  for (const inode of inodes) {
    const at = i * INODE_FIELDS;
    numbers[at] = inode.ino;
    numbers[at + 1] = KIND_INDEX[inode.kind];
    numbers[at + 2] = inode.mode;
    numbers[at + 3] = inode.mtimeMs;
    numbers[at + 4] = inode.size;
    blobs.push(inode.blob ?? "");
    if (inode.target !== null || inode.meta) extras.push([i, inode.target, inode.meta]);
    i++;
  }
  const links = new Float64Array(counts.dentries * 2);
  const names: string[] = [];
  let d = 0;
  for (const dentry of dentries) {
    links[d * 2] = dentry.parent;
    links[d * 2 + 1] = dentry.ino;
    names.push(dentry.name);
    d++;
  }
  return {
    version,
    inodes: numbers,
    blobs: blobs.join(","),
    extras,
    dentries: links,
    names: names.join("/"),
  };
}

export function unpackTree(packed: PackedTree): TreeData {
  const numbers = packed.inodes;
  const count = numbers.length / INODE_FIELDS;
  const blobs = count > 0 ? packed.blobs.split(",") : [];
  const inodes: InodeRecord[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const at = i * INODE_FIELDS;
    inodes[i] = {
      ino: numbers[at]!,
      kind: KINDS[numbers[at + 1]!]!,
      mode: numbers[at + 2]!,
      mtimeMs: numbers[at + 3]!,
      size: numbers[at + 4]!,
      blob: blobs[i] || null,
      target: null,
    };
  }
  for (const [i, target, meta] of packed.extras) {
    const inode = inodes[i]!;
    inode.target = target;
    if (meta) inode.meta = meta;
  }
  const links = packed.dentries;
  const entries = links.length / 2;
  const names = entries > 0 ? packed.names.split("/") : [];
  const dentries: DentryRecord[] = new Array(entries);
  for (let d = 0; d < entries; d++) {
    dentries[d] = { parent: links[d * 2]!, name: names[d]!, ino: links[d * 2 + 1]! };
  }
  return { version: packed.version, inodes, dentries };
}
