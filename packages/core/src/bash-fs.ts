/**
 * A just-bash `IFileSystem` over Cairn's Vfs, so scripts run on sandbox
 * storage. Writes land in the Vfs's journal; nothing touches storage until the
 * caller commits it.
 */
import type {
  BufferEncoding,
  ByteString,
  CpOptions,
  FileContent,
  FsStat,
  IFileSystem,
  MkdirOptions,
  RmOptions,
} from "just-bash";
import { DefenseInDepthBox, unsafeBytesFromLatin1 } from "just-bash";
import type { FileMeta } from "./backend.js";
import { CommandDirs, type CommandEntry } from "./command-dirs.js";
import { decodeBytes, encodeText, latin1String, type TextEncodingName } from "./encoding.js";
import { FsError, InvalidArgumentError } from "./errors.js";
import { resolvePath } from "./paths.js";
import { checkQuota, type Quota } from "./quota.js";
import type { SandboxService, Scope } from "./sandbox-service.js";
import type { Stat, Vfs } from "./vfs.js";

type EncodingArg = { encoding?: BufferEncoding | null } | BufferEncoding | null | undefined;

/** Device files scripts expect to exist; they are never stored. */
const DEV_NULL = "/dev/null";

function encodingOf(options: EncodingArg): TextEncodingName {
  if (typeof options === "string") return options;
  return options?.encoding ?? "utf8";
}

function toBytes(content: FileContent, options: EncodingArg): Uint8Array {
  return typeof content === "string" ? encodeText(content, encodingOf(options)) : content;
}

/**
 * The device number of the sandbox's own files. With `ino` it is the file's
 * identity, which just-bash compares (`test -ef`, split, cp, mv, tee) to tell
 * a hard link from a copy and an output from its input.
 */
const SANDBOX_DEV = 1;
/** The device number of the never-stored files: /dev/null, output sinks, the yield device. */
const DEVICE_DEV = 0;

function toFsStat(stat: Stat): FsStat {
  return {
    isFile: stat.kind === "file",
    isDirectory: stat.kind === "directory",
    isSymbolicLink: stat.kind === "symlink",
    mode: stat.mode,
    size: stat.size,
    mtime: new Date(stat.mtimeMs),
    dev: SANDBOX_DEV,
    ino: stat.ino,
  };
}

function deviceStat(ino: number): FsStat {
  return {
    isFile: true,
    isDirectory: false,
    isSymbolicLink: false,
    mode: 0o666,
    size: 0,
    mtime: new Date(0),
    dev: DEVICE_DEV,
    ino,
  };
}

type Dirent = Awaited<ReturnType<NonNullable<IFileSystem["readdirWithFileTypes"]>>>[number];

function fileDirent(name: string): Dirent {
  return { name, isFile: true, isDirectory: false, isSymbolicLink: false };
}

function directoryDirent(name: string): Dirent {
  return { name, isFile: false, isDirectory: true, isSymbolicLink: false };
}

/** Bounds on what one script may write before its commit. */
export interface WriteLimits {
  /** Largest file a write may produce (EFBIG beyond). */
  maxFileBytes: number;
  /** New content the journal may hold (ENOSPC beyond). */
  maxJournalBytes: number;
  /** Inodes the journal may create, change or delete (ENOSPC beyond). */
  maxJournalFiles: number;
}

export const DEFAULT_WRITE_LIMITS: WriteLimits = {
  maxFileBytes: 64 << 20,
  maxJournalBytes: 256 << 20,
  maxJournalFiles: 100_000,
};

export interface CairnBashFsOptions {
  /** Every write fails with EROFS. */
  readOnly?: boolean;
  limits?: WriteLimits;
  /**
   * Write-only devices: bytes written or appended to these paths go to the
   * function instead of a file (how exec streams output).
   */
  sinks?: ReadonlyMap<string, (bytes: Uint8Array) => void>;
  /** A path that always exists; checking it is a cue to give the event loop a turn. */
  yieldDevice?: string;
  /** The sandbox's quota: a write that leaves it over fails with EDQUOT. */
  quota?: Quota;
  /**
   * The commands the shell runs: each shows as an executable in a read-only
   * /bin and /usr/bin that is never stored (see command-dirs). Without it
   * neither exists, and just-bash runs any command it has by name.
   */
  commands?: Iterable<string>;
}

/**
 * How long a script may hold the event loop before a filesystem call yields
 * it. A short script beside busy ones waits up to this long per busy script at
 * each turn of its thread's event loop; a turn costs the busy ones a few µs.
 */
const SLICE_MS = 2;

/**
 * Taken at load, before any script runs: while one runs, just-bash's
 * defense-in-depth replaces the global with a proxy that throws, and
 * `runTrustedAsync` only lifts that for the copy of just-bash this module
 * imports. An application's own copy (a second one in node_modules) would
 * still block the yield.
 */
const setImmediateAtLoad = globalThis.setImmediate;

/**
 * Runs `fn` as trusted code: just-bash's defense-in-depth blocks timers and
 * other globals while a script runs, and storage I/O needs them.
 */
function trusted<T>(fn: () => Promise<T>): Promise<T> {
  return DefenseInDepthBox.runTrustedAsync(fn);
}

/** CommandDirs by command list: every script of a server has one of a few lists. */
const commandDirsCache = new Map<string, CommandDirs>();
/** The same, by the list itself: a caller that keeps its lists skips joining ~100 names per script. */
const commandDirsByList = new WeakMap<Iterable<string>, CommandDirs>();

function commandDirsFor(commands: Iterable<string>): CommandDirs {
  const known = commandDirsByList.get(commands);
  if (known) return known;
  const key = [...commands].join("\n");
  let dirs = commandDirsCache.get(key);
  if (!dirs) {
    if (commandDirsCache.size >= 64) commandDirsCache.clear();
    dirs = new CommandDirs(commands);
    commandDirsCache.set(key, dirs);
  }
  if (typeof commands === "object") commandDirsByList.set(commands, dirs);
  return dirs;
}

/**
 * @example
 * const fs = new CairnBashFs(vfs);
 * const bash = new Bash({ fs, cwd: "/" });
 * await bash.exec("echo hi > /greeting");
 */
export class CairnBashFs implements IFileSystem {
  private readonly readOnly: boolean;
  private readonly limits: WriteLimits;
  private readonly sinks: ReadonlyMap<string, (bytes: Uint8Array) => void>;
  private readonly yieldDevice: string | undefined;
  /** Date.now, not performance.now: just-bash's defense-in-depth blocks the latter inside scripts. */
  private sliceStart = Date.now();
  /**
   * Set when storage failed under the script (not a filesystem error): the run
   * must end in that error, not in a command that failed, or its caller would
   * answer with a script result for work that never saw the files.
   */
  storageFailure: unknown;
  /** Set once a write went over a journal limit or the quota: the journal must not be committed. */
  limitHit: null | "journal_limit" | "quota" = null;
  private readonly quota: Quota | undefined;
  private readonly commandDirs: CommandDirs | undefined;

  constructor(
    readonly vfs: Vfs,
    options: CairnBashFsOptions = {},
  ) {
    this.readOnly = options.readOnly ?? false;
    this.limits = options.limits ?? DEFAULT_WRITE_LIMITS;
    this.sinks = options.sinks ?? new Map();
    this.yieldDevice = options.yieldDevice;
    this.quota = options.quota;
    this.commandDirs = options.commands ? commandDirsFor(options.commands) : undefined;
  }

  /** The command-directory entry at `p`, if `p` is under one (ENOENT when nothing is there). */
  private command(p: string, syscall: string): CommandEntry | undefined {
    return this.commandDirs?.covers(p) ? this.commandDirs.entry(p, syscall) : undefined;
  }

  /** Refuses a change under a command directory: they are read-only. */
  private refuseCommandDir(syscall: string, ...paths: string[]): void {
    for (const p of paths) {
      if (this.commandDirs?.covers(p)) throw new FsError("EROFS", syscall, p);
    }
  }

  /** `/usr` exists even when the sandbox stores none: /usr/bin is in it. */
  private virtualUsr(p: string): boolean {
    return this.commandDirs !== undefined && p === "/usr" && !this.vfs.exists(p);
  }

  /** The names a directory listing gains from the command directories. */
  private listingExtras(p: string, stored: readonly string[]): string[] {
    const extras = this.commandDirs?.extraEntries(p) ?? [];
    return extras.filter((name) => !stored.includes(name));
  }

  /**
   * Lets the event loop turn if the script has held it for a time slice:
   * just-bash never waits on anything but its filesystem, so without this a
   * busy script starves every other request and never sees an abort.
   */
  private pace(): Promise<void> | undefined {
    // No promise unless it is time: most calls return at once, and each promise costs (the
    // async hooks of just-bash's defense-in-depth see every one).
    if (Date.now() - this.sliceStart < SLICE_MS) return undefined;
    return new Promise<void>((resolve) => setImmediateAtLoad(resolve)).then(() => {
      this.sliceStart = Date.now();
    });
  }

  /**
   * Asked by just-bash (as Cairn patches it) before each loop iteration: whether the script has
   * held the event loop for its slice, so that the loop gives it a turn ({@link loopTurn}) even
   * when its body touches no file. A property read and a clock read, where the yield test a
   * script gets without the patch (yield-transform.ts) is a whole statement per iteration.
   */
  loopTurnDue(): boolean {
    return Date.now() - this.sliceStart >= SLICE_MS;
  }

  /** Gives the event loop a turn, if the slice is over (see {@link loopTurnDue}). */
  async loopTurn(): Promise<void> {
    await this.pace();
  }

  /** Runs storage I/O as trusted code, remembering a failure that is not a filesystem error. */
  private storage<T>(fn: () => Promise<T>): Promise<T> {
    return trusted(fn).catch((error: unknown) => {
      if (!(error instanceof FsError)) this.storageFailure ??= error;
      throw error;
    });
  }

  private path(p: string): string {
    return resolvePath("/", p);
  }

  /**
   * Runs a write: refused when read-only or over a limit, and checked against the journal limits
   * after. Synchronous when `fn` is (most writes): no promise of its own per write.
   */
  private write<T>(syscall: string, path: string, fn: () => T | Promise<T>): T | Promise<T> {
    if (this.readOnly) throw new FsError("EROFS", syscall, path);
    if (this.limitHit)
      throw new FsError(this.limitHit === "quota" ? "EDQUOT" : "ENOSPC", syscall, path);
    const result = fn();
    return result instanceof Promise
      ? result.then((value) => this.checkedWrite(syscall, path, value))
      : this.checkedWrite(syscall, path, result);
  }

  /** A write's result, once the journal is checked against the limits and the quota. */
  private checkedWrite<T>(syscall: string, path: string, result: T): T {
    const journal = this.vfs.journal;
    if (
      journal.contentBytes > this.limits.maxJournalBytes ||
      journal.changedInodes > this.limits.maxJournalFiles
    ) {
      this.limitHit = "journal_limit";
      throw new FsError("ENOSPC", syscall, path, "the script's changes are over the journal limit");
    }
    try {
      checkQuota(journal, this.quota, path);
    } catch (error) {
      this.limitHit = "quota";
      throw error;
    }
    return result;
  }

  private checkSize(syscall: string, path: string, size: number): void {
    if (size > this.limits.maxFileBytes) {
      throw new FsError(
        "EFBIG",
        syscall,
        path,
        `file too large (limit ${this.limits.maxFileBytes} bytes)`,
      );
    }
  }

  async readFile(path: string, options?: EncodingArg): Promise<string> {
    return decodeBytes(await this.readFileBuffer(path), encodingOf(options));
  }

  async readFileBuffer(path: string): Promise<Uint8Array> {
    const turn = this.pace();
    if (turn) await turn;
    const p = this.path(path);
    if (this.isDevice(p)) return new Uint8Array(0);
    const command = this.command(p, "open");
    if (command?.kind === "file") return this.commandDirs!.stub(command.name);
    if (command || this.virtualUsr(p)) throw new FsError("EISDIR", "read", p);
    return this.storage(() => this.vfs.readFile(p));
  }

  async readFileBytes(path: string): Promise<ByteString> {
    return unsafeBytesFromLatin1(latin1String(await this.readFileBuffer(path)));
  }

  async writeFile(path: string, content: FileContent, options?: EncodingArg): Promise<void> {
    const turn = this.pace();
    if (turn) await turn;
    const p = this.path(path);
    if (p === DEV_NULL) return;
    const bytes = toBytes(content, options);
    const sink = this.sinks.get(p);
    if (sink) return sink(bytes);
    this.refuseCommandDir("open", p);
    this.checkSize("open", p, bytes.length);
    await this.write("open", p, () => this.vfs.writeFile(p, bytes));
  }

  async appendFile(path: string, content: FileContent, options?: EncodingArg): Promise<void> {
    const turn = this.pace();
    if (turn) await turn;
    const p = this.path(path);
    if (p === DEV_NULL) return;
    const bytes = toBytes(content, options);
    const sink = this.sinks.get(p);
    if (sink) return sink(bytes);
    this.refuseCommandDir("open", p);
    await this.write("open", p, () => {
      const existing = this.vfs.exists(p) ? this.vfs.stat(p, true) : undefined;
      this.checkSize("open", p, (existing?.size ?? 0) + bytes.length);
      return this.storage(() => this.vfs.appendFile(p, bytes));
    });
  }

  private isDevice(p: string): boolean {
    return p === DEV_NULL || p === this.yieldDevice || this.sinks.has(p);
  }

  /** Each device path keeps one inode number for the life of this filesystem. */
  private readonly deviceInos = new Map<string, number>();

  private deviceStat(p: string): FsStat {
    let ino = this.deviceInos.get(p);
    if (ino === undefined) {
      ino = this.deviceInos.size + 1;
      this.deviceInos.set(p, ino);
    }
    return deviceStat(ino);
  }

  async exists(path: string): Promise<boolean> {
    const turn = this.pace();
    if (turn) await turn;
    if (path === this.yieldDevice) return true; // once per loop iteration: no path to resolve
    const p = this.path(path);
    if (this.isDevice(p) || this.virtualUsr(p)) return true;
    if (this.commandDirs?.covers(p)) {
      try {
        this.commandDirs.entry(p, "access");
        return true;
      } catch {
        return false;
      }
    }
    return this.vfs.exists(p);
  }

  async stat(path: string): Promise<FsStat> {
    const turn = this.pace();
    if (turn) await turn;
    const p = this.path(path);
    return this.statOf(p, true);
  }

  async lstat(path: string): Promise<FsStat> {
    const p = this.path(path);
    return this.statOf(p, false);
  }

  private statOf(p: string, follow: boolean): FsStat {
    if (this.isDevice(p)) return this.deviceStat(p);
    const command = this.command(p, "stat");
    if (command) return this.commandDirs!.stat(command);
    if (this.virtualUsr(p)) return this.commandDirs!.usrStat();
    return toFsStat(this.vfs.stat(p, follow));
  }

  async mkdir(path: string, options?: MkdirOptions): Promise<void> {
    const p = this.path(path);
    if (this.command(p, "mkdir") || this.virtualUsr(p)) {
      if (options?.recursive) return;
      throw new FsError("EEXIST", "mkdir", p);
    }
    await this.write("mkdir", p, () =>
      this.vfs.mkdir(p, { recursive: options?.recursive ?? false }),
    );
  }

  async readdir(path: string): Promise<string[]> {
    const turn = this.pace();
    if (turn) await turn;
    return (await this.readdirWithFileTypes(path)).map((e) => e.name);
  }

  async readdirWithFileTypes(
    path: string,
  ): ReturnType<NonNullable<IFileSystem["readdirWithFileTypes"]>> {
    const p = this.path(path);
    const command = this.command(p, "scandir");
    if (command?.kind === "file") throw new FsError("ENOTDIR", "scandir", p);
    if (command) return this.commandDirs!.names().map(fileDirent);
    if (this.virtualUsr(p)) return this.listingExtras(p, []).map(directoryDirent);
    const stored = this.vfs.readdirKinds(p).map((e) => ({
      name: e.name,
      isFile: e.kind === "file",
      isDirectory: e.kind === "directory",
      isSymbolicLink: e.kind === "symlink",
    }));
    const extras = this.listingExtras(
      p,
      stored.map((e) => e.name),
    );
    if (extras.length === 0) return stored;
    return [...stored, ...extras.map(directoryDirent)].sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
  }

  async rm(path: string, options?: RmOptions): Promise<void> {
    const p = this.path(path);
    this.refuseCommandDir("rm", p);
    await this.write("rm", p, () =>
      this.vfs.rm(p, { recursive: options?.recursive, force: options?.force }),
    );
  }

  async cp(src: string, dest: string, options?: CpOptions): Promise<void> {
    const to = this.path(dest);
    this.refuseCommandDir("copyfile", to);
    const from = this.path(src);
    const command = this.command(from, "copyfile");
    if (command?.kind === "directory") throw new FsError("EISDIR", "copyfile", from);
    if (command) {
      const stub = this.commandDirs!.stub(command.name);
      await this.write("copyfile", to, () => this.vfs.writeFile(to, stub, { mode: 0o755 }));
      return;
    }
    await this.write("copyfile", to, () =>
      this.vfs.copy(this.path(src), to, {
        recursive: options?.recursive ?? false,
        overwrite: true,
      }),
    );
  }

  async mv(src: string, dest: string): Promise<void> {
    const to = this.path(dest);
    this.refuseCommandDir("rename", this.path(src), to);
    await this.write("rename", to, () => this.vfs.rename(this.path(src), to, { overwrite: true }));
  }

  resolvePath(base: string, path: string): string {
    return resolvePath(base, path);
  }

  /** Not enumerated eagerly: just-bash walks directories with readdir instead. */
  getAllPaths(): string[] {
    return [];
  }

  async chmod(path: string, mode: number): Promise<void> {
    const p = this.path(path);
    this.refuseCommandDir("chmod", p);
    await this.write("chmod", p, () => this.vfs.chmod(p, mode));
  }

  async symlink(target: string, linkPath: string): Promise<void> {
    const p = this.path(linkPath);
    this.refuseCommandDir("symlink", p);
    await this.write("symlink", p, () => this.vfs.symlink(target, p));
  }

  async link(existingPath: string, newPath: string): Promise<void> {
    const p = this.path(newPath);
    // A hard link to a command would be a stored file that is not the command's.
    this.refuseCommandDir("link", this.path(existingPath), p);
    await this.write("link", p, () => this.vfs.link(this.path(existingPath), p));
  }

  async readlink(path: string): Promise<string> {
    const p = this.path(path);
    if (this.command(p, "readlink")) throw new FsError("EINVAL", "readlink", p);
    return this.vfs.readlink(p);
  }

  async realpath(path: string): Promise<string> {
    const p = this.path(path);
    if (this.isDevice(p) || this.command(p, "realpath") || this.virtualUsr(p)) return p;
    return this.vfs.realpath(p);
  }

  async utimes(path: string, _atime: Date, mtime: Date): Promise<void> {
    const p = this.path(path);
    this.refuseCommandDir("utime", p);
    await this.write("utime", p, () => this.vfs.utimes(p, mtime.getTime()));
  }

  /**
   * Sets a file's tags and summary (Cairn's `tag` and `summary` commands): a
   * write like any other, so read-only mode, the policy, the journal limits
   * and the quota apply, and it commits with the script.
   */
  async setMeta(path: string, meta: FileMeta | null): Promise<Stat> {
    const p = this.path(path);
    this.refuseCommandDir("setmeta", p);
    return this.write("setmeta", p, () => this.vfs.setMeta(p, meta));
  }

  /**
   * Runs a read over the sandbox's files (Cairn's `search` command) as storage
   * I/O; a bad argument is the command's error, not a storage failure.
   */
  query<T>(fn: (vfs: Vfs) => Promise<T>): Promise<T> {
    return trusted(() => fn(this.vfs)).catch((error: unknown) => {
      if (!(error instanceof FsError || error instanceof InvalidArgumentError)) {
        this.storageFailure ??= error;
      }
      throw error;
    });
  }
}

/** A just-bash filesystem over one snapshot of a sandbox, and how to store what was written. */
export interface BashFsSession {
  fs: CairnBashFs;
  /** The sandbox version the filesystem started from. */
  version: number;
  /**
   * Stores every write in one step and returns the new version (the same one
   * when nothing changed). Throws VersionConflictError, storing nothing, if the
   * sandbox changed since `version`.
   */
  commit(): Promise<number>;
}

/**
 * Opens a sandbox as a just-bash `IFileSystem`, to run `new Bash({ fs })` in
 * process on any Cairn backend. Reads come from the snapshot (and storage, on
 * demand); writes stay in memory until `commit()`.
 *
 * @example
 * const service = new SandboxService({ backend });
 * const { fs, commit } = await openBashFs(service, scope, sandboxId);
 * const bash = new Bash({ fs, cwd: "/" });
 * await bash.exec("mkdir -p /src && echo 'hello' > /src/greeting");
 * await commit();
 */
export async function openBashFs(
  service: SandboxService,
  scope: Scope,
  sandboxId: string,
  options?: CairnBashFsOptions,
): Promise<BashFsSession> {
  const { record, tree } = await service.snapshot(scope, sandboxId);
  const fs = new CairnBashFs(service.open(scope, tree, record), options);
  return {
    fs,
    version: tree.version,
    commit: async () => {
      if (fs.limitHit === "journal_limit") {
        throw new FsError("ENOSPC", "commit", "/", "the writes are over the journal limit");
      }
      return service.commit(scope, sandboxId, fs.vfs.journal);
    },
  };
}
