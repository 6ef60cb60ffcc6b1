/** The commit log: what each commit changed (by path), who made it and how. */
import type {
  ChangeKind,
  ChangeSet,
  CommitLogEntry,
  CommitOrigin,
  InodeRecord,
  PathChange,
  TreeUndo,
} from "./backend.js";
import type { Tree } from "./tree.js";

// The log's record types are part of the backend contract (backend.ts, at the bottom of the
// import graph); they are re-exported here beside the code that builds them.
export type {
  ChangeKind,
  CommitLogEntry,
  CommitOrigin,
  CommitPage,
  CommitRecord,
  PathChange,
} from "./backend.js";

export const UNKNOWN_ORIGIN: CommitOrigin = {
  operation: "unknown",
  keyId: null,
  subject: null,
  requestId: null,
  scriptHash: null,
};

/** How long commits stay in the log: trimmed when older than `maxAgeMs` or past the newest `maxCommits`. */
export interface CommitRetention {
  maxAgeMs: number;
  maxCommits: number;
}

export const DEFAULT_COMMIT_RETENTION: CommitRetention = {
  maxAgeMs: 30 * 24 * 3600 * 1000,
  maxCommits: 10_000,
};

/** A commit that rewrites a huge tree logs this many paths and counts the rest. */
export const MAX_LOGGED_CHANGES = 10_000;

function joinPath(dir: string | undefined, name: string): string | undefined {
  if (dir === undefined) return undefined;
  return dir === "/" ? `/${name}` : `${dir}/${name}`;
}

function describe(path: string, kind: ChangeKind, inode: InodeRecord, from?: string): PathChange {
  return {
    path,
    kind,
    type: inode.kind,
    ...(from === undefined ? {} : { from }),
    size: inode.size,
    hash: inode.blob,
  };
}

function contentChanged(before: InodeRecord, after: InodeRecord): boolean {
  return (
    before.blob !== after.blob ||
    before.size !== after.size ||
    before.target !== after.target ||
    before.kind !== after.kind ||
    JSON.stringify(before.meta ?? null) !== JSON.stringify(after.meta ?? null) ||
    (after.kind !== "directory" && before.mtimeMs !== after.mtimeMs)
  );
}

/**
 * The paths `changes` touched, going from `before` to `after` (the tree with
 * `changes` applied). A directory's own entry stands for its subtree when it
 * moves; created and deleted subtrees list every path. A directory whose only
 * change is its mtime (an entry came or went) is not listed.
 */
export function describeChanges(before: Tree, changes: ChangeSet, after: Tree): PathChange[] {
  const removed = new Map<number, string[]>();
  for (const d of changes.deleteDentries) {
    const ino = before.children(d.parent).get(d.name);
    const path = joinPath(before.pathOf(d.parent), d.name);
    if (ino === undefined || path === undefined) continue;
    const paths = removed.get(ino) ?? [];
    paths.push(path);
    removed.set(ino, paths);
  }
  const result: PathChange[] = [];
  const linked = new Set<number>();
  for (const d of changes.upsertDentries) {
    const path = joinPath(after.pathOf(d.parent), d.name);
    const inode = after.inode(d.ino);
    if (path === undefined || !inode) continue;
    linked.add(d.ino);
    const from = removed.get(d.ino)?.shift();
    const replaced = before.inode(d.parent) ? before.children(d.parent).get(d.name) : undefined;
    if (from !== undefined) result.push(describe(path, "moved", inode, from));
    else if (replaced !== undefined) result.push(describe(path, "modified", inode));
    else result.push(describe(path, "created", inode));
  }
  for (const [ino, paths] of removed) {
    const inode = before.inode(ino);
    if (!inode) continue;
    for (const path of paths) result.push(describe(path, "deleted", inode));
  }
  for (const inode of changes.upsertInodes) {
    const previous = before.inode(inode.ino);
    if (!previous || linked.has(inode.ino)) continue;
    const kind = contentChanged(previous, inode)
      ? "modified"
      : previous.mode !== inode.mode
        ? "mode"
        : undefined;
    if (kind === undefined || (kind === "modified" && inode.kind === "directory")) continue;
    const path = after.pathOf(inode.ino);
    if (path !== undefined && path !== "/") result.push(describe(path, kind, inode));
  }
  return result.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The log entry for a commit: its changes (cut at {@link MAX_LOGGED_CHANGES}) and origin. */
export function logEntry(
  before: Tree,
  changes: ChangeSet,
  after: Tree,
  origin: CommitOrigin,
): CommitLogEntry {
  const all = describeChanges(before, changes, after);
  return { origin, changes: all.slice(0, MAX_LOGGED_CHANGES), changeCount: all.length };
}

/** Rows an undo may hold; a commit replacing more keeps none (older versions are then unavailable). */
export const MAX_UNDO_ROWS = 200_000;

/** The change set that takes the tree `base` + `changes` back to `base`; null when too large. */
export function undoOf(base: Tree, changes: ChangeSet): TreeUndo | null {
  const rows =
    changes.upsertInodes.length +
    changes.deleteInodes.length +
    changes.upsertDentries.length +
    changes.deleteDentries.length;
  if (rows > MAX_UNDO_ROWS) return null;
  const undo: TreeUndo = {
    upsertInodes: [],
    deleteInodes: [],
    upsertDentries: [],
    deleteDentries: [],
  };
  const inos = new Set([...changes.deleteInodes, ...changes.upsertInodes.map((i) => i.ino)]);
  for (const ino of inos) {
    const before = base.inode(ino);
    if (before) undo.upsertInodes.push(before);
    else undo.deleteInodes.push(ino);
  }
  const seen = new Set<string>();
  for (const { parent, name } of [...changes.deleteDentries, ...changes.upsertDentries]) {
    const key = `${parent}/${name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const ino = base.inode(parent) ? base.children(parent).get(name) : undefined;
    if (ino === undefined) undo.deleteDentries.push({ parent, name });
    else undo.upsertDentries.push({ parent, name, ino });
  }
  return undo;
}
