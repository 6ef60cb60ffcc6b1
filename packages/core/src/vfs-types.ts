/** The Vfs's types: what its operations return and how one is configured. */
import type { FileMeta, InodeKind } from "./backend.js";
import type { ScriptSemantic } from "./embed/script-semantic.js";
import type { StoredTextCandidates } from "./narrowing.js";
import type { TermCountMemo } from "./text/term-count-memo.js";

/** A blob worth fetching along with the one asked for. */
export interface PrefetchCandidate {
  hash: string;
  size: number;
}

/**
 * Loads blob contents by hash. On a cache miss the loader may also fetch what
 * `prefetch()` suggests (the requested file's siblings), so a tree walk such as
 * `grep -r` costs one round trip per directory instead of one per file.
 */
export type ContentLoader = (
  hashes: readonly string[],
  prefetch?: () => readonly PrefetchCandidate[],
) => Promise<Map<string, Uint8Array>>;

export interface Stat {
  ino: number;
  kind: InodeKind;
  mode: number;
  size: number;
  mtimeMs: number;
  nlink: number;
  /** sha256 of the content (files). */
  blob: string | null;
  /** Link target (symlinks). */
  target: string | null;
  /** Canonical path of what was described. */
  path: string;
  /** Tags and summary (files only); null when none were set. */
  meta: FileMeta | null;
}

export interface DirEntry {
  name: string;
  stat: Stat;
}

export interface VfsOptions {
  /** Clock for mtimes (tests pin it). */
  now?: () => number;
  /** Every write fails with EROFS (a read-only sandbox's policy). */
  readOnly?: boolean;
  /** Paths that may not be read or written (EACCES); their names still list. */
  deny?: (path: string) => boolean;
  /** Applied to what readFile returns (redaction for API reads; never for scripts). */
  redact?: (bytes: Uint8Array) => Uint8Array;
  /** Storage's text index, which lets a grep in a script skip files that cannot match. */
  candidates?: StoredTextCandidates;
  /** Ranking by meaning for `search --semantic|--hybrid` in a script (absent: not available). */
  semantic?: ScriptSemantic;
  /** Search term counts of stored blobs, as this Vfs reads them (never given when reads are redacted). */
  termCounts?: TermCountMemo;
}
