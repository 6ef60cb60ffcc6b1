/**
 * The Emscripten filesystems a python interpreter mounts: /host (the
 * script's own filesystem, through the bridge) and /_jb_http (jb_http's
 * request file). Ported from just-bash's python3 worker so paths, modes and
 * errors behave the same.
 */
import type { BridgeStat } from "./protocol.js";

/** The host calls HOSTFS makes; each blocks until the script's thread answers. */
export interface HostBackend {
  readFile(path: string): Uint8Array;
  writeFile(path: string, data: Uint8Array): void;
  stat(path: string): BridgeStat;
  readdir(path: string): string[];
  mkdir(path: string): void;
  rm(path: string): void;
  symlink(target: string, path: string): void;
  readlink(path: string): string;
  chmod(path: string, mode: number): void;
  http(url: string): string;
}

export interface EmNode {
  name: string;
  parent: EmNode;
  mount: { opts: { root: string } };
  mode: number;
  id: number;
  node_ops?: unknown;
  stream_ops?: unknown;
}

export interface EmStream {
  node: EmNode;
  flags: number;
  position: number;
  hostContent?: Uint8Array;
  hostModified?: boolean;
  hostPath?: string;
}

/** The parts of Emscripten's FS and PATH this code uses. */
export interface EmFS {
  ErrnoError: new (errno: number) => Error;
  createNode(parent: EmNode | null, name: string, mode: number, dev?: number): EmNode;
  isDir(mode: number): boolean;
  isFile(mode: number): boolean;
  isLink(mode: number): boolean;
  mkdir(path: string): void;
  mkdirTree(path: string): void;
  mount(type: unknown, opts: { root: string }, mountpoint: string): void;
  writeFile(path: string, data: Uint8Array | string): void;
  init(input: () => number | null): void;
  createDevice(parent: string, name: string, input: () => number | null): void;
  quit(): void;
}
export interface EmPath {
  join(...parts: string[]): string;
  join2(a: string, b: string): string;
}

const E = { ENOENT: 44, EIO: 29, EEXIST: 20, ENOTDIR: 54, EISDIR: 31, EINVAL: 28, EFBIG: 27 };
const EACCES = 2;
const ENOTEMPTY = 55;

function modeOf(stat: BridgeStat): number {
  const kind = stat.isDirectory ? 0o040000 : stat.isSymbolicLink ? 0o120000 : 0o100000;
  return (stat.mode & 0o777) | kind;
}

export function createHostFs(
  backend: HostBackend,
  FS: EmFS,
  PATH: EmPath,
  /** The running job's limit (the mount is made before the job is known). */
  maxFileSizeOf: () => number,
): unknown {
  const limit = () => {
    const size = maxFileSizeOf();
    return Number.isSafeInteger(size) && size >= 0 ? size : 0;
  };
  const realPath = (start: EmNode): string => {
    const parts: string[] = [];
    let node = start;
    while (node.parent !== node) {
      parts.push(node.name);
      node = node.parent;
    }
    parts.push(node.mount.opts.root);
    parts.reverse();
    return PATH.join(...parts);
  };
  const attempt = <T>(f: () => T): T => {
    try {
      return f();
    } catch (e) {
      const msg = (e instanceof Error ? e.message : String(e)).toLowerCase();
      let code = E.EIO;
      if (msg.includes("no such file") || msg.includes("not found")) code = E.ENOENT;
      else if (msg.includes("is a directory")) code = E.EISDIR;
      else if (msg.includes("not a directory")) code = E.ENOTDIR;
      else if (msg.includes("already exists")) code = E.EEXIST;
      else if (msg.includes("permission")) code = EACCES;
      else if (msg.includes("not empty")) code = ENOTEMPTY;
      throw new FS.ErrnoError(code);
    }
  };

  const HOSTFS = {
    mount: () => HOSTFS.createNode(null, "/", 0o40755, 0),
    createNode(parent: EmNode | null, name: string, mode: number, dev?: number): EmNode {
      if (!FS.isDir(mode) && !FS.isFile(mode) && !FS.isLink(mode)) {
        throw new FS.ErrnoError(E.EINVAL);
      }
      const node = FS.createNode(parent, name, mode, dev);
      node.node_ops = HOSTFS.node_ops;
      node.stream_ops = HOSTFS.stream_ops;
      return node;
    },
    node_ops: {
      getattr(node: EmNode) {
        const stat = attempt(() => backend.stat(realPath(node)));
        const mtime = new Date(stat.mtime);
        return {
          dev: 1,
          ino: node.id,
          mode: modeOf(stat),
          nlink: 1,
          uid: 0,
          gid: 0,
          rdev: 0,
          size: stat.size,
          atime: mtime,
          mtime,
          ctime: mtime,
          blksize: 4096,
          blocks: Math.ceil(stat.size / 512),
        };
      },
      setattr(node: EmNode, attr: { mode?: number; size?: number }) {
        const path = realPath(node);
        if (attr.mode !== undefined) {
          const mode = attr.mode;
          attempt(() => backend.chmod(path, mode));
          node.mode = mode;
        }
        const size = attr.size;
        if (size !== undefined) {
          if (!Number.isSafeInteger(size) || size < 0 || size > limit()) {
            throw new FS.ErrnoError(E.EFBIG);
          }
          attempt(() => {
            const content = backend.readFile(path);
            const resized = new Uint8Array(size);
            resized.set(content.subarray(0, size));
            backend.writeFile(path, resized);
          });
        }
      },
      lookup(parent: EmNode, name: string) {
        const path = PATH.join2(realPath(parent), name);
        const mode = modeOf(attempt(() => backend.stat(path)));
        return HOSTFS.createNode(parent, name, mode);
      },
      mknod(parent: EmNode, name: string, mode: number, dev: number) {
        const node = HOSTFS.createNode(parent, name, mode, dev);
        const path = realPath(node);
        attempt(() => {
          if (FS.isDir(node.mode)) backend.mkdir(path);
          else backend.writeFile(path, new Uint8Array(0));
        });
        return node;
      },
      rename(oldNode: EmNode, newDir: EmNode, newName: string) {
        const oldPath = realPath(oldNode);
        const newPath = PATH.join2(realPath(newDir), newName);
        attempt(() => {
          backend.writeFile(newPath, backend.readFile(oldPath));
          backend.rm(oldPath);
        });
        oldNode.name = newName;
      },
      unlink(parent: EmNode, name: string) {
        attempt(() => backend.rm(PATH.join2(realPath(parent), name)));
      },
      rmdir(parent: EmNode, name: string) {
        attempt(() => backend.rm(PATH.join2(realPath(parent), name)));
      },
      readdir(node: EmNode) {
        return attempt(() => backend.readdir(realPath(node)));
      },
      symlink(parent: EmNode, newName: string, oldPath: string) {
        attempt(() => backend.symlink(oldPath, PATH.join2(realPath(parent), newName)));
      },
      readlink(node: EmNode) {
        return attempt(() => backend.readlink(realPath(node)));
      },
    },
    stream_ops: {
      open(stream: EmStream) {
        const path = realPath(stream.node);
        const access = stream.flags & 3;
        const isWrite = access === 1 || access === 2;
        const isCreate = (stream.flags & 64) !== 0;
        const isTruncate = (stream.flags & 512) !== 0;
        const isAppend = (stream.flags & 1024) !== 0;
        if (FS.isDir(stream.node.mode)) return;
        let content: Uint8Array;
        try {
          content = isTruncate && isWrite ? new Uint8Array(0) : backend.readFile(path);
        } catch {
          if (isCreate && isWrite) content = new Uint8Array(0);
          else throw new FS.ErrnoError(E.ENOENT);
        }
        if (content.length > limit()) throw new FS.ErrnoError(E.EFBIG);
        stream.hostContent = content;
        stream.hostModified = isTruncate && isWrite;
        stream.hostPath = path;
        if (isAppend) stream.position = content.length;
      },
      close(stream: EmStream) {
        const { hostPath, hostContent } = stream;
        if (stream.hostModified && hostContent && hostPath) {
          attempt(() => backend.writeFile(hostPath, hostContent));
        }
        delete stream.hostContent;
        delete stream.hostModified;
        delete stream.hostPath;
      },
      read: readHostContent,
      write(
        stream: EmStream,
        buffer: Uint8Array,
        offset: number,
        length: number,
        position: number,
      ) {
        if (
          !Number.isSafeInteger(position) ||
          !Number.isSafeInteger(length) ||
          !Number.isSafeInteger(offset) ||
          position < 0 ||
          length < 0 ||
          offset < 0 ||
          length > buffer.length - offset ||
          position > limit() - length
        ) {
          throw new FS.ErrnoError(E.EFBIG);
        }
        return writeHostContent(stream, buffer, offset, length, position);
      },
      llseek(stream: EmStream, offset: number, whence: number) {
        if (whence !== 0 && whence !== 1 && whence !== 2) throw new FS.ErrnoError(E.EINVAL);
        let position = offset;
        if (whence === 1) position += stream.position;
        else if (whence === 2 && FS.isFile(stream.node.mode)) {
          position += stream.hostContent?.length ?? 0;
        }
        if (!Number.isSafeInteger(position) || position < 0 || position > limit()) {
          throw new FS.ErrnoError(E.EINVAL);
        }
        return position;
      },
    },
  };
  return HOSTFS;
}

/** /_jb_http: writing a request and closing the file makes the call; reading gives the answer. */
export function createHttpFs(backend: HostBackend, FS: EmFS): unknown {
  let lastResponse: Uint8Array | null = null;
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  const HTTPFS = {
    mount: () => HTTPFS.createNode(null, "/", 0o40755, 0),
    createNode(parent: EmNode | null, name: string, mode: number, dev?: number): EmNode {
      const node = FS.createNode(parent, name, mode, dev);
      node.node_ops = HTTPFS.node_ops;
      node.stream_ops = HTTPFS.stream_ops;
      return node;
    },
    node_ops: {
      getattr(node: EmNode) {
        const isDir = node.name === "/" || node.parent === node;
        const now = new Date();
        return {
          dev: 1,
          ino: node.id,
          mode: isDir ? 0o40755 : 0o100666,
          nlink: 1,
          uid: 0,
          gid: 0,
          rdev: 0,
          size: lastResponse ? lastResponse.length : 0,
          atime: now,
          mtime: now,
          ctime: now,
          blksize: 4096,
          blocks: 0,
        };
      },
      setattr() {},
      lookup: (parent: EmNode, name: string) => HTTPFS.createNode(parent, name, 0o100666),
      mknod: (parent: EmNode, name: string, mode: number) => HTTPFS.createNode(parent, name, mode),
      rename() {},
      unlink() {},
      rmdir() {},
      readdir: () => ["request"],
      symlink() {},
      readlink: () => "",
    },
    stream_ops: {
      open(stream: EmStream) {
        delete stream.hostContent;
        stream.hostModified = false;
        if ((stream.flags & 3) === 0 && lastResponse) stream.hostContent = lastResponse;
      },
      close(stream: EmStream) {
        if (stream.hostModified && stream.hostContent) {
          let answer: string;
          try {
            const request = JSON.parse(decoder.decode(stream.hostContent)) as { url?: unknown };
            answer = backend.http(String(request.url));
          } catch (e) {
            answer = JSON.stringify({ error: e instanceof Error ? e.message : String(e) });
          }
          lastResponse = encoder.encode(answer);
        }
        delete stream.hostContent;
        delete stream.hostModified;
      },
      read: readHostContent,
      write: writeHostContent,
      llseek(stream: EmStream, offset: number, whence: number) {
        let position = offset;
        if (whence === 1) position += stream.position;
        else if (whence === 2) position += stream.hostContent?.length ?? 0;
        if (position < 0) throw new FS.ErrnoError(E.EINVAL);
        return position;
      },
    },
  };
  return HTTPFS;
}

/** A stream operation's signature: `length` bytes at `buffer[offset]`, at file `position`. */
type StreamIo = (
  stream: EmStream,
  buffer: Uint8Array,
  offset: number,
  length: number,
  position: number,
) => number;

/** Reads from the content a stream holds in memory (what it read from, or will write to, the host). */
const readHostContent: StreamIo = (stream, buffer, offset, length, position) => {
  const content = stream.hostContent;
  if (!content || position >= content.length) return 0;
  const count = Math.min(length, content.length - position);
  buffer.set(content.subarray(position, position + count), offset);
  return count;
};

/** Writes into a stream's in-memory content, growing it, and marks it to be sent to the host. */
const writeHostContent: StreamIo = (stream, buffer, offset, length, position) => {
  let content = stream.hostContent ?? new Uint8Array(0);
  const size = Math.max(content.length, position + length);
  if (size > content.length) {
    const grown = new Uint8Array(size);
    grown.set(content);
    content = grown;
    stream.hostContent = content;
  }
  content.set(buffer.subarray(offset, offset + length), position);
  stream.hostModified = true;
  return length;
};
