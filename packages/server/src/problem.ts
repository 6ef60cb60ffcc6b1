/** Every error leaves the server as RFC 9457 problem details with a stable code. */
import {
  ArchiveError,
  EditError,
  ExecAbortedError,
  ExecTimeoutError,
  FsError,
  type FsErrorCode,
  InvalidArgumentError,
  PatchError,
  PoolBusyError,
  PoolUnavailableError,
  SandboxNotFoundError,
  ScriptMemoryError,
  SnapshotNotFoundError,
  StorageUnavailableError,
  VersionConflictError,
  VersionUnavailableError,
} from "@cairn/core";
import type { ErrorCode, Problem } from "@cairn/spec";

/** An HTTP error with a stable code; thrown by handlers, rendered by `problemResponse`. */
export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    detail: string,
    readonly extra: {
      retryable?: boolean;
      path?: string;
      hunk?: number;
      sandboxId?: string;
      version?: number;
      headers?: Record<string, string>;
    } = {},
  ) {
    super(detail);
  }
}

const FS_STATUS: Record<FsErrorCode, number> = {
  ENOENT: 404,
  EEXIST: 409,
  ENOTDIR: 409,
  EISDIR: 409,
  ENOTEMPTY: 409,
  ELOOP: 409,
  EINVAL: 400,
  ENAMETOOLONG: 400,
  EACCES: 403,
  EFBIG: 413,
  EROFS: 403,
  ENOSPC: 413,
  EDQUOT: 507,
};

const TITLES: Partial<Record<number, string>> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  409: "Conflict",
  412: "Precondition Failed",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  416: "Range Not Satisfiable",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

/** Maps any thrown value to a ProblemError (unknown errors become a non-retryable 500). */
export function toProblemError(error: unknown): ProblemError {
  if (error instanceof ProblemError) return error;
  if (error instanceof FsError) {
    return new ProblemError(FS_STATUS[error.code], error.code, error.message, { path: error.path });
  }
  if (error instanceof SandboxNotFoundError) {
    return new ProblemError(404, "sandbox_not_found", error.message);
  }
  if (error instanceof VersionUnavailableError) {
    return new ProblemError(404, "version_unavailable", error.message);
  }
  if (error instanceof SnapshotNotFoundError) {
    return new ProblemError(404, "snapshot_not_found", error.message);
  }
  if (error instanceof VersionConflictError) {
    return new ProblemError(
      409,
      "conflict",
      "the sandbox changed concurrently and the change could not be re-applied; nothing was applied",
      { retryable: true },
    );
  }
  if (error instanceof EditError) return new ProblemError(422, error.code, error.message);
  if (error instanceof ArchiveError) return archiveProblem(error);
  if (error instanceof PatchError) {
    return new ProblemError(error.code === "patch_invalid" ? 400 : 422, error.code, error.message, {
      path: error.path,
      hunk: error.hunk,
    });
  }
  if (error instanceof ExecTimeoutError) return new ProblemError(408, "timeout", error.message);
  if (error instanceof ScriptMemoryError) {
    return new ProblemError(422, "memory_limit", error.message);
  }
  if (error instanceof PoolBusyError || error instanceof PoolUnavailableError) {
    return new ProblemError(503, "unavailable", error.message, {
      retryable: true,
      headers: { "Retry-After": "1" },
    });
  }
  if (error instanceof ExecAbortedError)
    return new ProblemError(400, "invalid_request", error.message);
  if (error instanceof StorageUnavailableError) {
    return error.applied === "no"
      ? new ProblemError(503, "unavailable", "storage is unavailable; nothing was applied", {
          retryable: true,
          headers: { "Retry-After": "1" },
        })
      : new ProblemError(
          503,
          "unavailable",
          "storage failed while committing; the change may or may not have been applied",
        );
  }
  if (error instanceof InvalidArgumentError) {
    return new ProblemError(400, "invalid_request", error.message);
  }
  return new ProblemError(
    500,
    "internal_error",
    "internal error; it is not known whether the request was applied",
  );
}

export function problemBody(error: ProblemError, instance: string, requestId: string): Problem {
  const body: Problem = {
    type: "about:blank",
    title: TITLES[error.status] ?? "Error",
    status: error.status,
    detail: error.message,
    instance,
    code: error.code,
    retryable: error.extra.retryable ?? false,
    requestId,
  };
  if (error.extra.path !== undefined) body.path = error.extra.path;
  if (error.extra.hunk !== undefined) body.hunk = error.extra.hunk;
  if (error.extra.sandboxId !== undefined) body.sandboxId = error.extra.sandboxId;
  if (error.extra.version !== undefined) body.version = error.extra.version;
  return body;
}

const ARCHIVE_STATUS: Record<ArchiveError["code"], number> = {
  archive_invalid: 400,
  archive_unsafe_entry: 422,
  archive_unsupported_entry: 422,
  archive_too_large: 413,
  archive_too_many_entries: 413,
  archive_entry_too_large: 413,
};

function archiveProblem(error: ArchiveError): ProblemError {
  return new ProblemError(ARCHIVE_STATUS[error.code], error.code, error.message);
}
