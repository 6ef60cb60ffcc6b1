/** Errors raised by the core: POSIX-style filesystem errors and storage conflicts. */

/** The errno names Cairn uses for filesystem errors (a subset of POSIX). */
export type FsErrorCode =
  | "ENOENT"
  | "EEXIST"
  | "ENOTDIR"
  | "EISDIR"
  | "ENOTEMPTY"
  | "EINVAL"
  | "ELOOP"
  | "ENAMETOOLONG"
  | "EACCES"
  | "EFBIG"
  | "EROFS"
  | "ENOSPC"
  | "EDQUOT";

const DESCRIPTIONS: Record<FsErrorCode, string> = {
  ENOENT: "no such file or directory",
  EEXIST: "file already exists",
  ENOTDIR: "not a directory",
  EISDIR: "is a directory",
  ENOTEMPTY: "directory not empty",
  EINVAL: "invalid argument",
  ELOOP: "too many levels of symbolic links",
  ENAMETOOLONG: "file name too long",
  EACCES: "permission denied",
  EFBIG: "file too large",
  EROFS: "read-only file system",
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
};

/**
 * A filesystem error. Its message starts with the code (`ENOENT: ...`) because
 * just-bash recognises errors by that prefix. It is an expected answer, not a
 * bug, so it carries no stack trace: scripts probe missing paths constantly and
 * capturing a stack per probe was the largest cost of a write-heavy loop.
 */
export class FsError extends Error {
  override readonly name = "FsError";
  readonly code: FsErrorCode;
  readonly syscall: string;
  readonly path: string;

  constructor(code: FsErrorCode, syscall: string, path: string, detail?: string) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(`${code}: ${detail ?? DESCRIPTIONS[code]}, ${syscall} '${path}'`);
    Error.stackTraceLimit = limit;
    this.code = code;
    this.syscall = syscall;
    this.path = path;
  }

  /** The human-readable part without the code prefix. */
  get description(): string {
    return DESCRIPTIONS[this.code];
  }
}

export function isFsError(error: unknown): error is FsError {
  return error instanceof FsError;
}

/** A commit lost the compare-and-set race: the sandbox moved past the version it was based on. */
export class VersionConflictError extends Error {
  override readonly name = "VersionConflictError";
  constructor(
    readonly sandboxId: string,
    readonly expectedVersion: number,
  ) {
    super(`sandbox ${sandboxId} is no longer at version ${expectedVersion}`);
  }
}

/** The sandbox does not exist (or belongs to another tenant, which looks the same). */
export class SandboxNotFoundError extends Error {
  override readonly name = "SandboxNotFoundError";
  constructor(readonly sandboxId: string) {
    super(`sandbox ${sandboxId} not found`);
  }
}

/** The snapshot does not exist (or belongs to another tenant, which looks the same). */
export class SnapshotNotFoundError extends Error {
  override readonly name = "SnapshotNotFoundError";
  constructor(readonly snapshotId: string) {
    super(`snapshot ${snapshotId} not found`);
  }
}

/** An argument the backend cannot use (e.g. a malformed cursor); nothing was done. */
export class InvalidArgumentError extends Error {
  override readonly name: string = "InvalidArgumentError";
}

/**
 * Storage could not be reached or failed mid-request. `applied` says whether the
 * request's change was stored: "no" (safe to retry) or "unknown" (the reply was
 * lost after the commit was sent; check before retrying).
 */
export class StorageUnavailableError extends Error {
  override readonly name = "StorageUnavailableError";
  constructor(
    message: string,
    readonly applied: "no" | "unknown",
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
