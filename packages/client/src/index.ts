/** @cairn/client: a typed client for the Cairn API (sandboxes, their files, and scripts run in them). */
export {
  type AdminListOptions,
  type ApiKeyData,
  type CreatedApiKey,
  type CreateKeyRequest,
  Keys,
  type TenantData,
  type TenantLimits,
  Tenants,
} from "./admin.js";
export { Cairn, type CairnOptions } from "./cairn.js";
export { Page, PagePromise } from "./core/pagination.js";
export type { Fetch } from "./core/transport.js";
export { DirectoryPage } from "./directory-page.js";
export {
  AbortError,
  APIError,
  ArchiveRejectedError,
  AuthenticationError,
  BadRequestError,
  CairnError,
  ConflictError,
  ConnectionError,
  EditMatchError,
  IdempotencyKeyMismatchError,
  InternalServerError,
  NotFoundError,
  PatchConflictError,
  PermissionDeniedError,
  PreconditionFailedError,
  RateLimitError,
  RequestTimeoutError,
  TimeoutError,
} from "./errors.js";
export {
  type ExecExitEvent,
  type ExecOutputEvent,
  ExecStream,
  type ExecStreamEvent,
  type ExecStreamResult,
} from "./exec-stream.js";
export {
  type ExecBatchOptions,
  type ExecOptions,
  Sandbox,
  type UpdateSandboxOptions,
} from "./sandbox.js";
export {
  type ArchiveData,
  type ArchiveDownload,
  type ArchiveImportResult,
  type ExportArchiveOptions,
  type ImportArchiveOptions,
  SandboxArchive,
} from "./sandbox-archive.js";
export type {
  ByteRange,
  CopyOptions,
  CreateFileOptions,
  EditOptions,
  FileData,
  GlobOptions,
  GrepOptions,
  ListOptions,
  MkdirOptions,
  MoveOptions,
  PatchOptions,
  ReadLinesOptions,
  ReadOptions,
  RemoveOptions,
  SearchOptions,
  SetMetaOptions,
  StatOptions,
  WriteOptions,
} from "./sandbox-files.js";
export { SandboxFiles } from "./sandbox-files.js";
export {
  type ListCommitsOptions,
  type RestoreOptions,
  SandboxHistory,
  type SnapshotOptions,
  type WatchOptions,
} from "./sandbox-history.js";
export type {
  CreateFromArchiveOptions,
  CreateSandboxOptions,
  ListSandboxesOptions,
} from "./sandboxes.js";
export { Sandboxes } from "./sandboxes.js";
export type * from "./types.js";
