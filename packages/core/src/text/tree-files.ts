/** Every file of an (immutable) tree in path order, listed once per tree, so grep and search need not walk it. */
import { ROOT_INO } from "../backend.js";
import { joinPath } from "../paths.js";
import type { Tree } from "../tree.js";
import type { Stat, Vfs } from "../vfs.js";

/** What content search may read: the file's path and stat. */
export interface SearchableFile {
  path: string;
  stat: Stat;
}

/** The files of one tree, sorted by path in code-unit order (the order a walk visits them in). */
class TreeFiles {
  private constructor(readonly files: readonly SearchableFile[]) {}

  /** Lists the regular files under the root, not following symlinks, as a walk would. */
  static build(tree: Tree): TreeFiles {
    const files: SearchableFile[] = [];
    const visit = (dirIno: number, dir: string) => {
      for (const [name, ino] of tree.children(dirIno)) {
        const inode = tree.inode(ino);
        if (!inode) continue;
        const path = joinPath(dir, name);
        if (inode.kind === "directory") visit(ino, path);
        else if (inode.kind === "file") {
          const stat: Stat = {
            ino,
            kind: inode.kind,
            mode: inode.mode,
            size: inode.size,
            mtimeMs: inode.mtimeMs,
            nlink: tree.nlink(ino),
            blob: inode.blob,
            target: inode.target,
            path,
            meta: inode.meta ?? null,
          };
          files.push({ path, stat });
        }
      }
    };
    visit(ROOT_INO, "/");
    files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return new TreeFiles(files);
  }

  /** The files strictly below the directory `dir` (a canonical path): one run of the sorted list. */
  below(dir: string): SearchableFile[] {
    if (dir === "/") return this.files.slice();
    const prefix = `${dir}/`;
    const from = this.firstAtLeast(prefix);
    // "0" follows "/" in code-unit order: every path starting with `prefix` sorts before it.
    const to = this.firstAtLeast(`${dir}0`);
    return this.files.slice(from, to);
  }

  private firstAtLeast(key: string): number {
    let lo = 0;
    let hi = this.files.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.files[mid]!.path < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

const built = new WeakMap<Tree, TreeFiles>();

/**
 * The files a walk of the directory `root` would find, from a list kept with
 * the tree, or undefined when the Vfs may see something else than its stored
 * tree: it has written anything, it narrows reads (a grep in a script), its
 * policy denies paths, or `root` is reached through a symlink (a walk spells
 * paths under `root` as given). `root` must be a normalized path.
 */
export function storedTreeFiles(
  vfs: Vfs,
  root: string,
  rootStat: Stat,
): SearchableFile[] | undefined {
  if (vfs.journal.changed || vfs.deny || vfs.narrowing || rootStat.path !== root) return undefined;
  const tree = vfs.journal.base;
  let files = built.get(tree);
  if (!files) {
    files = TreeFiles.build(tree);
    built.set(tree, files);
  }
  return files.below(root);
}
