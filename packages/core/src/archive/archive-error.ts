/** Archive limits and the stable errors an archive import is refused with. */

/** Why an archive was refused; each is a stable API error code. */
export type ArchiveErrorCode =
  | "archive_invalid"
  | "archive_unsafe_entry"
  | "archive_unsupported_entry"
  | "archive_too_large"
  | "archive_too_many_entries"
  | "archive_entry_too_large";

/** An archive (or one of its entries) that cannot be imported; nothing was applied. */
export class ArchiveError extends Error {
  override readonly name = "ArchiveError";
  constructor(
    readonly code: ArchiveErrorCode,
    message: string,
    /** The entry's name as written in the archive, when one entry is at fault. */
    readonly entry?: string,
  ) {
    super(message);
  }
}

/** Bounds on one import; hitting one stops reading at once. */
export interface ArchiveLimits {
  /** Bytes of the archive as sent, and again after gunzip (default 1 GiB). */
  maxArchiveBytes: number;
  /** Content bytes of all files together (default 256 MiB, a script's journal limit). */
  maxArchiveUnpackedBytes: number;
  /** Entries of any kind (default 100,000, a script's changed-files limit). */
  maxArchiveEntries: number;
  /** Bytes of one file (default 64 MiB, the largest file a script may write). */
  maxArchiveEntryBytes: number;
}

export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = {
  maxArchiveBytes: 1 << 30,
  maxArchiveUnpackedBytes: 256 << 20,
  maxArchiveEntries: 100_000,
  maxArchiveEntryBytes: 64 << 20,
};
