/**
 * `cairn import DIR` and `cairn export`: a local directory to a sandbox (or to a new one) as
 * one streamed tar, and a sandbox tree back as tar.gz (to a file, stdout or a directory).
 */
import { createReadStream, createWriteStream } from "node:fs";
import * as fs from "node:fs/promises";
import { join, resolve as resolvePath, sep } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { parseArgs } from "node:util";
import { createGunzip } from "node:zlib";
import { Cairn } from "@cairn/client";
import { type TarSource, tarStream } from "@cairn/server";
import { extract } from "tar-stream";

const CONNECTION_HELP = `  --sandbox <id>          The sandbox (required)
  --path <path>           Directory in the sandbox (default /)
  --url <url>             Server (env CAIRN_URL, default http://127.0.0.1:7878)
  --api-key <key>         API key (env CAIRN_API_KEY)`;

const IMPORT_HELP = `Usage: cairn import DIR [--sandbox ID] [options]

Uploads DIR as one tar stream and unpacks it into the sandbox in one commit
(all of it or nothing). Modes, mtimes, symlinks and hard links are kept.
Without --sandbox, creates a new sandbox holding DIR (its version 1) and
prints the new sandbox's id on stdout.

${CONNECTION_HELP.replace("(required)", "(default: a new one)")}
  --name <name>           The new sandbox's name (without --sandbox)
  --gzip                  Compress the upload`;

const EXPORT_HELP = `Usage: cairn export --sandbox ID [options]

Downloads a sandbox directory (or file) as tar.gz.

${CONNECTION_HELP}
  --output <file|dir>     A .tar.gz file, or an existing directory (or one ending
                          in /) to unpack into; default: stdout`;

const COMMON_OPTIONS = {
  sandbox: { type: "string" },
  path: { type: "string" },
  url: { type: "string" },
  "api-key": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

function client(values: { url?: string; "api-key"?: string }): Cairn {
  const apiKey = values["api-key"] ?? process.env.CAIRN_API_KEY;
  if (!apiKey) throw new UsageError("an API key is needed: --api-key or CAIRN_API_KEY");
  const baseUrl = values.url ?? process.env.CAIRN_URL ?? "http://127.0.0.1:7878";
  return new Cairn({ baseUrl, apiKey });
}

/** A wrong invocation: exit code 2 with the message. */
export class UsageError extends Error {}

export async function importCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: { ...COMMON_OPTIONS, gzip: { type: "boolean" }, name: { type: "string" } },
  });
  if (values.help) {
    console.log(IMPORT_HELP);
    return 0;
  }
  const [dir] = positionals;
  if (!dir || positionals.length > 1 || (values.sandbox && values.name !== undefined)) {
    console.error(
      `cairn import: needs one DIR, and --name only for a new sandbox (no --sandbox)\n\n${IMPORT_HELP}`,
    );
    return 2;
  }
  const root = resolvePath(dir);
  if (!(await fs.stat(root)).isDirectory()) throw new UsageError(`${dir} is not a directory`);
  const { sources, totalBytes, skipped } = await scanDirectory(root);
  for (const path of skipped)
    console.error(`cairn import: skipping ${path} (not a file, directory or link)`);
  const progress = new Progress("uploading", totalBytes);
  let body = tarStream(sources).pipeThrough(progress.counter());
  if (values.gzip) {
    body = body.pipeThrough(
      new CompressionStream("gzip") as unknown as ReadableWritablePair<Uint8Array, Uint8Array>,
    );
  }
  const cairn = client(values);
  try {
    if (!values.sandbox) {
      const created = await cairn.sandboxes.createFromArchive(body, {
        path: values.path,
        gzip: values.gzip,
        name: values.name,
      });
      progress.done();
      console.error(
        `cairn import: created sandbox ${created.id} from ${dir} (${sources.length} entries, ${totalBytes} bytes)`,
      );
      console.log(created.id);
      return 0;
    }
    const sandbox = await cairn.sandboxes.get(values.sandbox);
    const result = await sandbox.archive.import(body, { path: values.path, gzip: values.gzip });
    progress.done();
    console.error(
      `cairn import: ${result.files} files, ${result.directories} directories, ${result.symlinks} symlinks, ${result.hardLinks} hard links (${result.bytes} bytes) into ${result.path}; sandbox version ${result.version}`,
    );
    return 0;
  } catch (error) {
    progress.done();
    throw error;
  }
}

export async function exportCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: { ...COMMON_OPTIONS, output: { type: "string", short: "o" } },
  });
  if (values.help) {
    console.log(EXPORT_HELP);
    return 0;
  }
  if (positionals.length > 0 || !values.sandbox) {
    console.error(`cairn export: needs --sandbox\n\n${EXPORT_HELP}`);
    return 2;
  }
  const output = values.output;
  const intoDirectory =
    output !== undefined &&
    (output.endsWith("/") || output.endsWith(sep) || (await isDirectory(output)));
  if (output === undefined && process.stdout.isTTY) {
    throw new UsageError("refusing to write a tar.gz to a terminal; use --output or a pipe");
  }
  const sandbox = await client(values).sandboxes.get(values.sandbox);
  const { stream, version } = await sandbox.archive.export({ path: values.path });
  const progress = new Progress("downloading", undefined);
  const counted = Readable.fromWeb(
    stream.pipeThrough(progress.counter()) as import("node:stream/web").ReadableStream,
  );
  if (intoDirectory) {
    await fs.mkdir(output, { recursive: true });
    const count = await unpackInto(counted, resolvePath(output));
    progress.done();
    console.error(`cairn export: ${count} entries into ${output} (sandbox version ${version})`);
  } else {
    await pipeline(counted, output ? createWriteStream(output) : process.stdout);
    progress.done();
    if (output) console.error(`cairn export: wrote ${output} (sandbox version ${version})`);
  }
  return 0;
}

// ---- import: the local tree as tar entries ----------------------------------

interface Scan {
  sources: TarSource[];
  totalBytes: number;
  skipped: string[];
}

/** Every entry under `root` (symlinks not followed), parents first, names sorted. */
async function scanDirectory(root: string): Promise<Scan> {
  const sources: TarSource[] = [];
  const skipped: string[] = [];
  const seen = new Map<string, string>();
  let totalBytes = 0;
  const walk = async (dir: string, prefix: string) => {
    const names = (await fs.readdir(dir)).sort();
    for (const name of names) {
      const path = join(dir, name);
      const rel = prefix === "" ? name : `${prefix}/${name}`;
      const st = await fs.lstat(path);
      const base = { mode: st.mode & 0o7777, mtimeMs: Math.floor(st.mtimeMs) };
      if (st.isDirectory()) {
        sources.push({ entry: { ...base, kind: "directory", name: `${rel}/` } });
        await walk(path, rel);
      } else if (st.isSymbolicLink()) {
        const target = await fs.readlink(path);
        sources.push({ entry: { ...base, kind: "symlink", name: rel, linkName: target } });
      } else if (st.isFile()) {
        const id = `${st.dev}:${st.ino}`;
        const first = st.nlink > 1 ? seen.get(id) : undefined;
        if (first !== undefined) {
          sources.push({ entry: { ...base, kind: "hardlink", name: rel, linkName: first } });
          continue;
        }
        if (st.nlink > 1) seen.set(id, rel);
        totalBytes += st.size;
        sources.push({
          entry: { ...base, kind: "file", name: rel, size: st.size },
          content: () => createReadStream(path) as AsyncIterable<Uint8Array>,
        });
      } else skipped.push(path);
    }
  };
  await walk(root, "");
  return { sources, totalBytes, skipped };
}

// ---- export: unpacking into a local directory --------------------------------

/**
 * Unpacks a tar.gz into `root`: names with `..` or a leading `/` are refused,
 * nothing is written through a symlink, directories get their modes and mtimes last.
 */
async function unpackInto(gz: Readable, root: string): Promise<number> {
  const ex = extract();
  const directories: Array<{ path: string; mode: number; mtime: Date }> = [];
  let count = 0;
  const feeding = pipeline(gz, createGunzip(), ex as unknown as NodeJS.WritableStream);
  for await (const entry of ex) {
    const h = entry.header;
    const path = safeJoin(root, h.name);
    await ensureParents(root, path);
    const mtime = h.mtime ?? new Date();
    if (h.type === "directory") {
      await fs.mkdir(path, { recursive: true });
      directories.push({ path, mode: h.mode ?? 0o755, mtime });
      entry.resume();
    } else {
      await fs.rm(path, { force: true });
      if (h.type === "symlink") {
        await fs.symlink(h.linkname ?? "", path);
        await fs.lutimes(path, mtime, mtime);
        entry.resume();
      } else if (h.type === "link") {
        await fs.link(safeJoin(root, h.linkname ?? ""), path);
        entry.resume();
      } else if (h.type === "file" || h.type === "contiguous-file") {
        await pipeline(
          entry as unknown as Readable,
          createWriteStream(path, { flags: "wx", mode: h.mode ?? 0o644 }),
        );
        await fs.chmod(path, h.mode ?? 0o644);
        await fs.utimes(path, mtime, mtime);
      } else {
        entry.resume();
        continue;
      }
    }
    count++;
  }
  await feeding;
  for (const dir of directories.reverse()) {
    await fs.chmod(dir.path, dir.mode);
    await fs.utimes(dir.path, dir.mtime, dir.mtime);
  }
  return count;
}

function safeJoin(root: string, name: string): string {
  const parts = name.split("/").filter((p) => p !== "" && p !== ".");
  if (name.startsWith("/") || parts.includes("..")) {
    throw new Error(`refusing the archive entry '${name}' (it would land outside ${root})`);
  }
  return parts.length === 0 ? root : join(root, ...parts);
}

/** Creates the parents of `path` below `root`; a symlink among them is refused. */
async function ensureParents(root: string, path: string): Promise<void> {
  const rel = path
    .slice(root.length + 1)
    .split(sep)
    .slice(0, -1);
  let current = root;
  for (const part of rel) {
    current = join(current, part);
    const st = await fs.lstat(current).catch(() => undefined);
    if (!st) await fs.mkdir(current);
    else if (!st.isDirectory())
      throw new Error(`refusing to write through ${current} (not a directory)`);
  }
}

async function isDirectory(path: string): Promise<boolean> {
  return (await fs.stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

// ---- progress ----------------------------------------------------------------

/** A progress line on stderr, drawn only when stderr is a terminal. */
class Progress {
  private bytes = 0;
  private lastDraw = 0;
  private readonly tty = process.stderr.isTTY === true;

  constructor(
    private readonly label: string,
    private readonly total: number | undefined,
  ) {}

  counter(): TransformStream<Uint8Array, Uint8Array> {
    return new TransformStream({
      transform: (chunk, controller) => {
        this.bytes += chunk.length;
        this.draw(false);
        controller.enqueue(chunk);
      },
    });
  }

  done(): void {
    this.draw(true);
    if (this.tty) process.stderr.write("\n");
  }

  private draw(force: boolean): void {
    if (!this.tty) return;
    const now = Date.now();
    if (!force && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const mb = (n: number) => (n / 1e6).toFixed(1);
    let line = `${this.label} ${mb(this.bytes)} MB`;
    if (this.total !== undefined && this.total > 0) {
      const ratio = Math.min(1, this.bytes / this.total);
      const width = 30;
      const filled = Math.round(ratio * width);
      line = `${this.label} [${"#".repeat(filled)}${" ".repeat(width - filled)}] ${Math.round(ratio * 100)}% ${mb(this.bytes)}/${mb(this.total)} MB`;
    }
    process.stderr.write(`\r${line}\u001b[K`);
  }
}
