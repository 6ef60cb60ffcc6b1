/**
 * Format-independent archive entries and their checks as they stream in: names,
 * links and limits are checked per header, before an entry's bytes are read.
 */
import { FsError } from "../errors.js";
import { checkName } from "../paths.js";
import {
  type ArchiveError,
  type ArchiveLimits,
  DEFAULT_ARCHIVE_LIMITS,
  ArchiveError as Refusal,
} from "./archive-error.js";

export type ArchiveEntryKind = "file" | "directory" | "symlink" | "hardlink";

/** What a reader saw in one header (kinds it cannot import are `other`). */
export interface ArchiveHeader {
  /** The name as written in the archive. */
  name: string;
  kind: ArchiveEntryKind | "other";
  /** Content bytes that follow (files). */
  size: number;
  mode: number;
  mtimeMs: number;
  /** Symlink target, or the archive name a hard link points at. */
  linkName?: string;
  /** The format's own name of the kind, for errors (`fifo`, `character-device`, ...). */
  typeName?: string;
}

/** One checked entry, ready to apply. */
export interface ArchiveEntry {
  kind: ArchiveEntryKind;
  /** Names below the destination (`[]` is the destination itself). */
  names: string[];
  mode: number;
  mtimeMs: number;
  /** File content. */
  bytes?: Uint8Array;
  /** Symlink target, as written. */
  target?: string;
  /** Hard links: names (below the destination) of the entry linked to. */
  linkTo?: string[];
  /** The name in the archive, for errors. */
  archiveName: string;
}

/** What an import did. */
export interface ArchiveStats {
  files: number;
  directories: number;
  symlinks: number;
  hardLinks: number;
  bytes: number;
}

/**
 * Collects entries one header at a time and refuses, as early as it can, what
 * breaks a rule: `header()` checks the name, links and limits before the body is
 * read, so a header claiming 1 GiB is refused after 512 bytes.
 *
 * @example
 * const stager = new ArchiveStager();
 * const staged = stager.header({ name: "src/a.ts", kind: "file", size: 3, mode: 0o644, mtimeMs: 0 });
 * stager.add(staged, new TextEncoder().encode("abc"));
 */
export class ArchiveStager {
  readonly entries: ArchiveEntry[] = [];
  private unpacked = 0;
  /** Names of the files (and hard links) seen, for hard links to point at. */
  private readonly linkable = new Set<string>();
  private readonly limits: ArchiveLimits;

  constructor(limits: Partial<ArchiveLimits> = {}) {
    this.limits = { ...DEFAULT_ARCHIVE_LIMITS, ...limits };
  }

  /** Checks a header; the entry is kept by `add()` once its content was read. */
  header(h: ArchiveHeader): ArchiveEntry {
    if (this.entries.length >= this.limits.maxArchiveEntries) {
      throw refuse(
        "archive_too_many_entries",
        `the archive has more than ${this.limits.maxArchiveEntries} entries`,
        h.name,
      );
    }
    if (h.kind === "other") {
      throw refuse(
        "archive_unsupported_entry",
        `entry '${h.name}' is a ${h.typeName ?? "special file"}, which a sandbox cannot hold`,
        h.name,
      );
    }
    const names = archiveNames(h.name);
    if (names.length === 0 && h.kind !== "directory") {
      throw refuse("archive_unsafe_entry", `entry '${h.name}' has no name`, h.name);
    }
    const entry: ArchiveEntry = {
      kind: h.kind,
      names,
      mode: h.mode & 0o7777,
      mtimeMs: Number.isFinite(h.mtimeMs) ? h.mtimeMs : 0,
      archiveName: h.name,
    };
    if (h.kind === "file") {
      if (h.size > this.limits.maxArchiveEntryBytes) {
        throw refuse(
          "archive_entry_too_large",
          `entry '${h.name}' is ${h.size} bytes, over the ${this.limits.maxArchiveEntryBytes}-byte limit for one file`,
          h.name,
        );
      }
      if (this.unpacked + h.size > this.limits.maxArchiveUnpackedBytes) {
        throw refuse(
          "archive_too_large",
          `the archive unpacks to more than ${this.limits.maxArchiveUnpackedBytes} bytes`,
          h.name,
        );
      }
    }
    if (h.kind === "symlink") {
      entry.target = checkSymlinkTarget(h.name, names, h.linkName ?? "");
    }
    if (h.kind === "hardlink") {
      const linkName = h.linkName ?? "";
      const linkTo = safeLinkNames(h.name, linkName);
      if (!this.linkable.has(linkTo.join("/"))) {
        throw refuse(
          "archive_unsafe_entry",
          `hard link '${h.name}' points at '${linkName}', which is not a file earlier in the archive`,
          h.name,
        );
      }
      entry.linkTo = linkTo;
    }
    return entry;
  }

  /** Keeps a checked entry (with its content, for files). */
  add(entry: ArchiveEntry, bytes?: Uint8Array): void {
    if (entry.kind === "file") {
      entry.bytes = bytes ?? new Uint8Array(0);
      this.unpacked += entry.bytes.length;
    }
    const key = entry.names.join("/");
    if (entry.kind === "file" || entry.kind === "hardlink") this.linkable.add(key);
    else this.linkable.delete(key);
    this.entries.push(entry);
  }

  /** Content bytes kept so far. */
  get unpackedBytes(): number {
    return this.unpacked;
  }
}

function refuse(code: ArchiveError["code"], message: string, entry: string): ArchiveError {
  return new Refusal(code, message, entry);
}

/**
 * An archive name as names below the destination: `./` prefixes, empty and `.`
 * segments and a trailing slash are dropped; an absolute name or a `..` segment
 * is refused (never resolved), and so is a name the sandbox cannot hold.
 */
export function archiveNames(name: string): string[] {
  if (name.startsWith("/")) {
    throw refuse("archive_unsafe_entry", `entry '${name}' has an absolute name`, name);
  }
  if (name.includes("\0")) throw refuse("archive_invalid", "an entry name contains NUL", name);
  const names: string[] = [];
  for (const part of name.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      throw refuse("archive_unsafe_entry", `entry '${name}' has a '..' component`, name);
    }
    checkName(part, "open", name);
    names.push(part);
  }
  return names;
}

function safeLinkNames(entryName: string, linkName: string): string[] {
  try {
    const names = archiveNames(linkName);
    if (names.length > 0) return names;
  } catch (error) {
    if (!(error instanceof Refusal || error instanceof FsError)) throw error;
  }
  throw refuse(
    "archive_unsafe_entry",
    `hard link '${entryName}' points outside the archive ('${linkName}')`,
    entryName,
  );
}

/**
 * A symlink's target must be relative and, resolved from the link's own
 * directory without following anything, stay inside the destination.
 * (Links through other symlinks are checked again on the applied tree.)
 */
function checkSymlinkTarget(entryName: string, names: string[], target: string): string {
  if (target === "" || target.includes("\0")) {
    throw refuse("archive_invalid", `symlink '${entryName}' has no valid target`, entryName);
  }
  if (target.startsWith("/")) {
    throw refuse(
      "archive_unsafe_entry",
      `symlink '${entryName}' has an absolute target '${target}'`,
      entryName,
    );
  }
  const stack = names.slice(0, -1);
  for (const part of target.split("/")) {
    if (part === "" || part === ".") continue;
    if (part !== "..") stack.push(part);
    else if (stack.pop() === undefined) {
      throw refuse(
        "archive_unsafe_entry",
        `symlink '${entryName}' points outside the destination ('${target}')`,
        entryName,
      );
    }
  }
  return target;
}
