/** Walks a subtree into archive entries (format-independent), parents before children. */
import { FsError } from "../errors.js";
import { basename, joinPath } from "../paths.js";
import type { Stat, Vfs } from "../vfs.js";

export interface ExportEntry {
  kind: "file" | "directory" | "symlink" | "hardlink";
  /** Name inside the archive, relative; `""` is the exported directory itself. */
  name: string;
  /** Where it is in the sandbox. */
  path: string;
  stat: Stat;
  /** Hard links: the archive name of the first entry of the same inode. */
  linkTo?: string;
}

/**
 * The entries of `path` (never following a symlink, not even `path` itself): a
 * directory first as `""`, then each directory's entries in name order followed
 * by its subdirectories' (parents always before children);
 * a file or symlink as its base name. A file's second name is a `hardlink` to
 * the first one. Lazy: a huge tree is walked as it is read.
 *
 * @example
 * for (const e of exportEntries(vfs, "/src")) if (e.kind === "file") await vfs.readFile(e.path);
 */
export function* exportEntries(vfs: Vfs, path: string): Generator<ExportEntry> {
  const top = vfs.stat(path, false);
  const seen = new Map<number, string>();
  const entry = (name: string, at: string, stat: Stat): ExportEntry => {
    if (stat.kind !== "file" || stat.nlink < 2) return { kind: stat.kind, name, path: at, stat };
    const first = seen.get(stat.ino);
    if (first !== undefined) return { kind: "hardlink", name, path: at, stat, linkTo: first };
    seen.set(stat.ino, name);
    return { kind: "file", name, path: at, stat };
  };
  if (top.kind !== "directory") {
    if (top.path === "/") throw new FsError("EINVAL", "export", path);
    yield entry(basename(top.path), top.path, top);
    return;
  }
  yield { kind: "directory", name: "", path: top.path, stat: top };
  const stack: Array<{ dir: string; prefix: string }> = [{ dir: top.path, prefix: "" }];
  while (stack.length > 0) {
    const { dir, prefix } = stack.pop() as { dir: string; prefix: string };
    const subdirs: Array<{ dir: string; prefix: string }> = [];
    for (const child of vfs.readdir(dir)) {
      const name = prefix === "" ? child.name : `${prefix}/${child.name}`;
      const at = joinPath(dir, child.name);
      // What the sandbox's policy denies stays out of the archive (a directory with all below it).
      if (vfs.isDenied(at)) continue;
      yield entry(name, at, child.stat);
      if (child.stat.kind === "directory") subdirs.push({ dir: at, prefix: name });
    }
    // The first subdirectory is walked next.
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i] as (typeof subdirs)[0]);
  }
}
