/**
 * Applies checked archive entries to a Vfs under one destination directory, as
 * one journal: the caller commits it whole or not at all.
 */
import { FsError } from "../errors.js";
import { joinPath, splitPath } from "../paths.js";
import type { Stat, Vfs } from "../vfs.js";
import { ArchiveError } from "./archive-error.js";
import type { ArchiveEntry, ArchiveStats } from "./stage.js";

const MAX_SYMLINK_HOPS = 40;

/**
 * Unpacks `entries` into `destination` (created if missing). Existing files,
 * symlinks and hard links at an entry's path are replaced; a directory stays
 * and takes the entry's mode and mtime. An entry whose parent is a symlink is
 * refused (`archive_unsafe_entry`): unpacking never writes through a link, so
 * nothing lands outside `destination`; and every symlink the archive made must
 * still resolve inside it once all entries are in place.
 *
 * @example
 * const stats = applyArchive(vfs, "/project", stager.entries);
 */
export function applyArchive(
  vfs: Vfs,
  destination: string,
  entries: readonly ArchiveEntry[],
): ArchiveStats & { path: string } {
  vfs.mkdir(destination, { recursive: true });
  const root = vfs.realpath(destination);
  const stats: ArchiveStats = { files: 0, directories: 0, symlinks: 0, hardLinks: 0, bytes: 0 };
  const directories = new Map<string, ArchiveEntry>();
  const symlinks: Array<{ path: string; entry: ArchiveEntry }> = [];
  const checkedParents = new Set<string>([root]);

  for (const entry of entries) {
    const path = entry.names.reduce(joinPath, root);
    if (entry.kind === "directory") {
      stats.directories++;
      if (path !== root) {
        ensureParents(vfs, root, entry, checkedParents);
        const existing = lstat(vfs, path);
        if (existing?.kind !== "directory") {
          if (existing) vfs.rm(path);
          vfs.mkdir(path, { mode: entry.mode });
        }
        checkedParents.add(path);
      }
      directories.set(path, entry);
      continue;
    }
    ensureParents(vfs, root, entry, checkedParents);
    const existing = lstat(vfs, path);
    if (existing?.kind === "directory") throw new FsError("EISDIR", "open", path);
    if (existing) vfs.rm(path);
    directories.delete(path);
    if (entry.kind === "file") {
      const bytes = entry.bytes ?? new Uint8Array(0);
      vfs.writeFile(path, bytes, { mode: entry.mode });
      setMtime(vfs, path, entry.mtimeMs);
      stats.files++;
      stats.bytes += bytes.length;
    } else if (entry.kind === "symlink") {
      vfs.symlink(entry.target ?? "", path);
      setMtime(vfs, path, entry.mtimeMs);
      symlinks.push({ path, entry });
      stats.symlinks++;
    } else {
      const source = (entry.linkTo ?? []).reduce(joinPath, root);
      vfs.link(source, path);
      stats.hardLinks++;
    }
  }

  // Directories last: every entry written into one changed its mtime.
  for (const [path, entry] of directories) {
    const dir = lstat(vfs, path);
    if (dir?.kind !== "directory") continue;
    vfs.chmod(path, entry.mode);
    setMtime(vfs, path, entry.mtimeMs);
  }
  for (const { path, entry } of symlinks) {
    if (leavesRoot(vfs, root, path)) {
      throw new ArchiveError(
        "archive_unsafe_entry",
        `symlink '${entry.archiveName}' resolves outside the destination ('${entry.target}')`,
        entry.archiveName,
      );
    }
  }
  return { ...stats, path: root };
}

/** Creates an entry's missing parents; a symlink among them is refused, a file is ENOTDIR. */
function ensureParents(vfs: Vfs, root: string, entry: ArchiveEntry, checked: Set<string>): void {
  let current = root;
  for (const name of entry.names.slice(0, -1)) {
    current = joinPath(current, name);
    if (checked.has(current)) continue;
    const found = lstat(vfs, current);
    if (!found) vfs.mkdir(current);
    else if (found.kind === "symlink") {
      throw new ArchiveError(
        "archive_unsafe_entry",
        `entry '${entry.archiveName}' would be written through the symlink '${current}'`,
        entry.archiveName,
      );
    } else if (found.kind !== "directory") throw new FsError("ENOTDIR", "open", current);
    checked.add(current);
  }
}

function lstat(vfs: Vfs, path: string): Stat | undefined {
  return vfs.exists(path, false) ? vfs.stat(path, false) : undefined;
}

/** Sets the mtime of the entry itself (a symlink's own, not its target's). */
function setMtime(vfs: Vfs, path: string, mtimeMs: number): void {
  const { ino } = vfs.stat(path, false);
  const inode = vfs.journal.inode(ino);
  if (inode) vfs.journal.putInode({ ...inode, mtimeMs });
}

/**
 * Whether the symlink at `linkPath` resolves, following every link on the way
 * (those of the archive and those already in the sandbox), to a place outside
 * `root`. A missing component ends the lookup; the rest is taken by name. An
 * absolute target met on the way counts as leaving; a loop does not (it leads
 * nowhere).
 */
function leavesRoot(vfs: Vfs, root: string, linkPath: string): boolean {
  const floor = splitPath(root).length;
  const stack = splitPath(linkPath);
  const pending = [stack.pop() as string];
  let hops = 0;
  while (pending.length > 0) {
    const name = pending.pop() as string;
    if (name === "" || name === ".") continue;
    if (name === "..") {
      if (stack.length <= floor) return true;
      stack.pop();
      continue;
    }
    const path = `/${[...stack, name].join("/")}`;
    const found = vfs.exists(path, false) ? vfs.stat(path, false) : undefined;
    if (found?.kind === "symlink") {
      if (++hops > MAX_SYMLINK_HOPS) return false;
      const target = found.target ?? "";
      if (target.startsWith("/")) return true;
      for (const part of target.split("/").reverse()) pending.push(part);
      continue;
    }
    stack.push(name);
  }
  return false;
}
