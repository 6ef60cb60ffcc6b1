/**
 * The read-only /bin and /usr/bin that scripts see: one executable stub per
 * available command, made up on each look-up and never stored, so they cost
 * no quota, are in no archive and cannot be changed.
 */
import type { FsStat } from "just-bash";
import { encodeText } from "./encoding.js";
import { FsError } from "./errors.js";

/** Where the stubs are, as on a Debian machine (both hold every command). */
export const COMMAND_DIRS = ["/bin", "/usr/bin"] as const;

/** The device number of the command directories: theirs, not the sandbox's. */
const COMMANDS_DEV = 2;
const DIR_INO = { "/bin": 1, "/usr/bin": 2, "/usr": 3 } as const;
/** Stub inode numbers start past the directories'. */
const FIRST_STUB_INO = 16;

export type CommandEntry =
  | { kind: "directory"; path: string }
  | { kind: "file"; path: string; name: string };

export class CommandDirs {
  private readonly index: ReadonlyMap<string, number>;
  private readonly sorted: readonly string[];

  private readonly listed: readonly string[];

  /** Names that start with `__` (Cairn's own plumbing) resolve but are not listed. */
  constructor(names: Iterable<string>) {
    this.sorted = [...new Set(names)].sort();
    this.index = new Map(this.sorted.map((name, i) => [name, i]));
    this.listed = this.sorted.filter((name) => !name.startsWith("__"));
  }

  /** Whether `path` is a command directory or anything under one (where storage is never asked). */
  covers(path: string): boolean {
    return COMMAND_DIRS.some((dir) => path === dir || path.startsWith(`${dir}/`));
  }

  /** What is at a covered path; throws ENOENT (or ENOTDIR under a stub) when nothing is. */
  entry(path: string, syscall: string): CommandEntry {
    for (const dir of COMMAND_DIRS) {
      if (path === dir) return { kind: "directory", path };
      if (!path.startsWith(`${dir}/`)) continue;
      const rest = path.slice(dir.length + 1);
      const slash = rest.indexOf("/");
      const name = slash < 0 ? rest : rest.slice(0, slash);
      if (!this.index.has(name)) throw new FsError("ENOENT", syscall, path);
      if (slash >= 0) throw new FsError("ENOTDIR", syscall, path);
      return { kind: "file", path, name };
    }
    throw new FsError("ENOENT", syscall, path);
  }

  /** The commands, sorted: the listing of each command directory. */
  names(): readonly string[] {
    return this.listed;
  }

  /**
   * What a stored directory's listing gains: `/` shows `bin` and `usr`, `/usr` shows `bin`.
   * (`/usr` itself exists whether or not the sandbox stores one.)
   */
  extraEntries(path: string): readonly string[] {
    if (path === "/") return ["bin", "usr"];
    if (path === "/usr") return ["bin"];
    return [];
  }

  /** The bytes of a command's stub, the same script just-bash puts in its own /bin. */
  stub(name: string): Uint8Array {
    return encodeText(`#!/bin/bash\n# Built-in command: ${name}\n`);
  }

  stat(entry: CommandEntry): FsStat {
    if (entry.kind === "directory")
      return directoryStat(DIR_INO[entry.path as keyof typeof DIR_INO]);
    return {
      isFile: true,
      isDirectory: false,
      isSymbolicLink: false,
      mode: 0o755,
      size: this.stub(entry.name).length,
      mtime: new Date(0),
      dev: COMMANDS_DEV,
      // One command is one file in both directories, as with a merged /usr.
      ino: FIRST_STUB_INO + (this.index.get(entry.name) ?? 0),
    };
  }

  /** `/usr` when the sandbox stores none. */
  usrStat(): FsStat {
    return directoryStat(DIR_INO["/usr"]);
  }
}

function directoryStat(ino: number): FsStat {
  return {
    isFile: false,
    isDirectory: true,
    isSymbolicLink: false,
    mode: 0o755,
    size: 0,
    mtime: new Date(0),
    dev: COMMANDS_DEV,
    ino,
  };
}
