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
import { decodeBytes, encodeText, latin1String, type TextEncodingName } from "./encoding.js";
import { resolvePath } from "./paths.js";
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

function toFsStat(stat: Stat): FsStat {
  return {
    isFile: stat.kind === "file",
    isDirectory: stat.kind === "directory",
    isSymbolicLink: stat.kind === "symlink",
    mode: stat.mode,
    size: stat.size,
    mtime: new Date(stat.mtimeMs),
    ino: stat.ino,
  };
}

const DEV_NULL_STAT: FsStat = {
  isFile: true,
  isDirectory: false,
  isSymbolicLink: false,
  mode: 0o666,
  size: 0,
  mtime: new Date(0),
};

/**
 * Runs `fn` as trusted code: just-bash's defense-in-depth blocks timers and
 * other globals while a script runs, and storage I/O needs them.
 */
function trusted<T>(fn: () => Promise<T>): Promise<T> {
  return DefenseInDepthBox.runTrustedAsync(fn);
}

/**
 * @example
 * const fs = new CairnBashFs(vfs);
 * const bash = new Bash({ fs, cwd: "/" });
 * await bash.exec("echo hi > /greeting");
 */
export class CairnBashFs implements IFileSystem {
  constructor(readonly vfs: Vfs) {}

  private path(p: string): string {
    return resolvePath("/", p);
  }

  async readFile(path: string, options?: EncodingArg): Promise<string> {
    return decodeBytes(await this.readFileBuffer(path), encodingOf(options));
  }

  async readFileBuffer(path: string): Promise<Uint8Array> {
    const p = this.path(path);
    if (p === DEV_NULL) return new Uint8Array(0);
    return trusted(() => this.vfs.readFile(p));
  }

  async readFileBytes(path: string): Promise<ByteString> {
    return unsafeBytesFromLatin1(latin1String(await this.readFileBuffer(path)));
  }

  async writeFile(path: string, content: FileContent, options?: EncodingArg): Promise<void> {
    const p = this.path(path);
    if (p === DEV_NULL) return;
    this.vfs.writeFile(p, toBytes(content, options));
  }

  async appendFile(path: string, content: FileContent, options?: EncodingArg): Promise<void> {
    const p = this.path(path);
    if (p === DEV_NULL) return;
    const bytes = toBytes(content, options);
    await trusted(() => this.vfs.appendFile(p, bytes));
  }

  async exists(path: string): Promise<boolean> {
    const p = this.path(path);
    return p === DEV_NULL || this.vfs.exists(p);
  }

  async stat(path: string): Promise<FsStat> {
    const p = this.path(path);
    return p === DEV_NULL ? DEV_NULL_STAT : toFsStat(this.vfs.stat(p, true));
  }

  async lstat(path: string): Promise<FsStat> {
    const p = this.path(path);
    return p === DEV_NULL ? DEV_NULL_STAT : toFsStat(this.vfs.stat(p, false));
  }

  async mkdir(path: string, options?: MkdirOptions): Promise<void> {
    this.vfs.mkdir(this.path(path), { recursive: options?.recursive ?? false });
  }

  async readdir(path: string): Promise<string[]> {
    return this.vfs.readdir(this.path(path)).map((e) => e.name);
  }

  async readdirWithFileTypes(
    path: string,
  ): ReturnType<NonNullable<IFileSystem["readdirWithFileTypes"]>> {
    return this.vfs.readdir(this.path(path)).map((e) => ({
      name: e.name,
      isFile: e.stat.kind === "file",
      isDirectory: e.stat.kind === "directory",
      isSymbolicLink: e.stat.kind === "symlink",
    }));
  }

  async rm(path: string, options?: RmOptions): Promise<void> {
    this.vfs.rm(this.path(path), { recursive: options?.recursive, force: options?.force });
  }

  async cp(src: string, dest: string, options?: CpOptions): Promise<void> {
    this.vfs.copy(this.path(src), this.path(dest), {
      recursive: options?.recursive ?? false,
      overwrite: true,
    });
  }

  async mv(src: string, dest: string): Promise<void> {
    this.vfs.rename(this.path(src), this.path(dest), { overwrite: true });
  }

  resolvePath(base: string, path: string): string {
    return resolvePath(base, path);
  }

  /** Not enumerated eagerly: just-bash walks directories with readdir instead. */
  getAllPaths(): string[] {
    return [];
  }

  async chmod(path: string, mode: number): Promise<void> {
    this.vfs.chmod(this.path(path), mode);
  }

  async symlink(target: string, linkPath: string): Promise<void> {
    this.vfs.symlink(target, this.path(linkPath));
  }

  async link(existingPath: string, newPath: string): Promise<void> {
    this.vfs.link(this.path(existingPath), this.path(newPath));
  }

  async readlink(path: string): Promise<string> {
    return this.vfs.readlink(this.path(path));
  }

  async realpath(path: string): Promise<string> {
    const p = this.path(path);
    return p === DEV_NULL ? p : this.vfs.realpath(p);
  }

  async utimes(path: string, _atime: Date, mtime: Date): Promise<void> {
    this.vfs.utimes(this.path(path), mtime.getTime());
  }
}
