/**
 * The tree walk behind glob and grep: directory listings only (no content
 * reads), entries visited in code-unit order of their full paths, symlinked
 * directories not followed.
 */
import { joinPath } from "../paths.js";
import type { Stat, Vfs } from "../vfs.js";
import { type SearchableFile, storedTreeFiles } from "./tree-files.js";

export type { SearchableFile };

export interface WalkEntry {
  /** Absolute path, under the root exactly as the caller spelled it. */
  path: string;
  /** Path relative to the root (no leading slash). */
  rel: string;
  /** The entry itself (a symlink is described, not followed). */
  stat: Stat;
}

export interface WalkOptions {
  /** Most entries to visit; the walk stops (`stoppedBy: "entries"`) before visiting one more. */
  maxEntries?: number;
  /** Whether to list a directory's children; default: every directory. */
  descend?: (dir: WalkEntry) => boolean;
}

export interface WalkOutcome {
  /** Entries visited. */
  visited: number;
  /** Why the walk ended early, or null when every entry was visited. */
  stoppedBy: null | "visitor" | "entries";
}

interface Item {
  /** Sort key: the name, plus "/" for the listing of a directory's children. */
  key: string;
  entry: WalkEntry;
  expand: boolean;
}

/**
 * Visits every entry under the directory `root` (not the root itself). `visit`
 * returns false to stop. Errors from listing the root (ENOENT, ENOTDIR, ELOOP)
 * propagate.
 *
 * Order: a directory's own entry comes where its name sorts and its children
 * where `name + "/"` sorts, so the visited paths are in plain code-unit order
 * (`a`, `a.txt`, `a/b`), and a walk cut short has seen a prefix of the sorted
 * result.
 */
export function walkTree(
  vfs: Vfs,
  root: string,
  visit: (entry: WalkEntry) => boolean,
  options: WalkOptions = {},
): WalkOutcome {
  const maxEntries = options.maxEntries ?? Number.POSITIVE_INFINITY;
  const descend = options.descend;
  const prefix = root === "/" ? 1 : root.length + 1;

  const list = (dir: string): Item[] => {
    const items: Item[] = [];
    for (const { name, stat } of vfs.readdir(dir)) {
      const path = joinPath(dir, name);
      const entry: WalkEntry = { path, rel: path.slice(prefix), stat };
      items.push({ key: name, entry, expand: false });
      if (stat.kind === "directory" && (descend === undefined || descend(entry))) {
        items.push({ key: `${name}/`, entry, expand: true });
      }
    }
    return items.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  };

  const stack: Array<{ items: Item[]; next: number }> = [{ items: list(root), next: 0 }];
  let visited = 0;
  while (stack.length > 0) {
    const top = stack.at(-1)!;
    const item = top.items[top.next++];
    if (item === undefined) {
      stack.pop();
      continue;
    }
    if (item.expand) {
      stack.push({ items: list(item.entry.path), next: 0 });
      continue;
    }
    if (visited >= maxEntries) return { visited, stoppedBy: "entries" };
    visited++;
    if (!visit(item.entry)) return { visited, stoppedBy: "visitor" };
  }
  return { visited, stoppedBy: null };
}

/** What a walk asks of a glob (a GlobMatcher is one), by relative and absolute path. */
export interface EntryFilter {
  matchesEntry(rel: string, abs: string): boolean;
  mayMatchBelow(rel: string, abs: string): boolean;
}

/**
 * The files grep and search read: `root` itself when it is a file, else every
 * file under it in path order that `filter` admits (a glob relative to
 * `root`), skipping what the sandbox's policy denies.
 */
export function searchableFiles(
  vfs: Vfs,
  root: string,
  filter: EntryFilter | undefined,
): SearchableFile[] {
  const rootStat = vfs.stat(root);
  if (rootStat.kind !== "directory") return [{ path: root, stat: rootStat }];
  // A glob's pruning of directories only saves work: a file it admits is below directories it may match.
  const stored = storedTreeFiles(vfs, root, rootStat);
  if (stored) {
    if (!filter) return stored;
    const prefix = root === "/" ? 1 : root.length + 1;
    return stored.filter((f) => filter.matchesEntry(f.path.slice(prefix), f.path));
  }
  const files: SearchableFile[] = [];
  walkTree(
    vfs,
    root,
    (entry) => {
      if (
        entry.stat.kind === "file" &&
        (!filter || filter.matchesEntry(entry.rel, entry.path)) &&
        !vfs.isDenied(entry.path)
      ) {
        files.push({ path: entry.path, stat: entry.stat });
      }
      return true;
    },
    filter ? { descend: (dir) => filter.mayMatchBelow(dir.rel, dir.path) } : {},
  );
  return files;
}
