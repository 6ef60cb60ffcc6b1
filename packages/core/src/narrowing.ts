/** How storage's text index lets a Vfs skip content for one grep (see exec/indexed-grep.ts). */
import type { GrepQuery } from "./backend.js";

/**
 * Of stored content hashes, those whose text may contain a line matching
 * `query` (a superset, e.g. from a trigram index); undefined when it cannot tell.
 */
export type StoredTextCandidates = (
  hashes: readonly string[],
  query: GrepQuery,
) => Promise<ReadonlySet<string> | undefined>;

/** What the grep running now may leave out (set only by exec/indexed-grep.ts). */
export interface ReadNarrowing {
  /** Stored blobs that cannot match: read as empty, never fetched. */
  skipped: ReadonlySet<string>;
  /** Inodes a directory listing leaves out: nothing under them can print. */
  hidden?: ReadonlySet<number>;
}
