/** The spec's schemas under the names the client uses (types only; nothing here exists at runtime). */
import type { components } from "@cairn/spec/schema";

type Schemas = components["schemas"];
/** A sandbox as the API returns it; the `Sandbox` class wraps one of these. */
export type SandboxData = Schemas["Sandbox"];
/** What a sandbox holds (bytes, files) at one version, and its quota. */
export type SandboxUsage = Schemas["SandboxUsage"];
export type Env = Schemas["Env"];
/** A file to seed a new sandbox with; `encoding` defaults to `utf8` (the generated type requires it). */
export type SeedFile = Omit<Schemas["SeedFile"], "encoding"> & {
  encoding?: Schemas["SeedFile"]["encoding"];
};
export type CreateSandboxRequest = Omit<Schemas["CreateSandboxRequest"], "files"> & {
  files?: SeedFile[];
};
/** What `sandbox.update()` changes; at least one field. */
export type UpdateSandboxRequest = Schemas["UpdateSandboxRequest"];
/** Optional interpreters a sandbox's scripts may use (`python3`, `js-exec`). */
export type Runtimes = Schemas["Runtimes"];
export type Runtime = Runtimes[number];
/** The shell state kept between execs of a sandbox with `persistShell`. */
export type ShellState = Schemas["ShellState"];
export type Health = Schemas["Health"];
export type Readiness = Schemas["Readiness"];
/** What `cairn.limits()` resolves to: every bound the server applies. */
export type Limits = Schemas["Limits"];

export type Problem = Schemas["Problem"];
export type ErrorCode = Schemas["ErrorCode"];

export type FileType = Schemas["FileType"];
export type FileStat = Schemas["FileStat"];
export type DirectoryEntry = Schemas["DirectoryEntry"];
export type MutationResult = Schemas["MutationResult"];

/** One entry of the commit log: its version, time, origin and the paths it changed. */
export type Commit = Schemas["Commit"];
export type CommitOrigin = Schemas["CommitOrigin"];
/** How one path changed in a commit. */
export type PathChange = Schemas["PathChange"];
/** A sandbox's tree frozen at one version. */
export type Snapshot = Schemas["Snapshot"];
export type RestoreResult = Schemas["RestoreResult"];
/** Changed paths and unified diffs between two states of a sandbox. */
export type SandboxDiff = Schemas["SandboxDiff"];
/** Where a forked sandbox starts: `{ snapshotId }` or `{ sandboxId }`. */
export type ForkSource = Schemas["ForkSource"];

export type ExecRequest = Schemas["ExecRequest"];
export type ExecResult = Schemas["ExecResult"];
export type ExecCommit = Schemas["ExecCommit"];
export type CommitMode = Schemas["CommitMode"];
export type OutputTruncation = Schemas["OutputTruncation"];
/** One piece of streamed output as it is on the wire (the client decodes it to bytes). */
export type ExecChunk = Schemas["ExecChunk"];
/** The last event of a streamed exec: how the script ended. */
export type ExecExit = Schemas["ExecExit"];
/** One script of a batch. */
export type ExecStep = Schemas["ExecStep"];
export type ExecBatchRequest = Schemas["ExecBatchRequest"];
export type ExecStepResult = Schemas["ExecStepResult"];
export type ExecBatchResult = Schemas["ExecBatchResult"];

/** Why a list was cut short (`reason`, and the bound it hit as `limit`), or null when it was not. */
export type Truncation = Schemas["Truncation"];
/** What `sandbox.fs.glob()` resolves to: the matching paths, sorted. */
export type GlobResult = Schemas["GlobResult"];
/** A line of context around a grep match. */
export type GrepLine = Schemas["GrepLine"];
/** One matching line, with its context lines `before` and `after`. */
export type GrepMatch = Schemas["GrepMatch"];
/** What `sandbox.fs.grep()` resolves to. */
export type GrepResult = Schemas["GrepResult"];
/** How `sandbox.fs.search()` ranks: `text`, `semantic` or `hybrid`. */
export type SearchMode = Schemas["SearchMode"];
/** What `sandbox.fs.search()` resolves to: the hits, best first. */
export type SearchResult = Schemas["SearchResult"];
/** One ranked file, with the query's words it holds and its best lines. */
export type SearchHit = Schemas["SearchHit"];
/** A file's tags and one-line summary, as given to `sandbox.fs.setMeta()`. */
export type FileMeta = Schemas["FileMeta"];
/** What `sandbox.fs.getMeta()` and `setMeta()` resolve to. */
export type FileMetaResult = Schemas["FileMetaResult"];
/** What `sandbox.fs.readLines()` resolves to: the lines as one string, and where they are. */
export type ReadLinesResult = Schemas["ReadLinesResult"];
/** What `sandbox.fs.edit()` resolves to: the new version, the file, its new ETag, and the count replaced. */
export type EditResult = Schemas["EditResult"];
/** What `sandbox.fs.patch()` resolves to: the new version and what happened to each file. */
export type PatchResult = Schemas["PatchResult"];
/** A file a patch created, modified or deleted (`etag` is its new one, unless deleted). */
export type PatchedFile = PatchResult["files"][number];

/** What `sandbox.fs.write()` resolves to: the spec's WriteResult plus the response's ETag. */
export type WriteResult = Schemas["WriteResult"] & {
  /** The new content's strong ETag, ready for a later `ifMatch`. */
  etag: string;
  /** True when the write created the file (201), false when it replaced one (200). */
  created: boolean;
};

/** Options every method takes, after its own. */
export interface RequestOptions {
  /** Abort the call (and any retry wait); it then rejects with `AbortError`. */
  signal?: AbortSignal;
  /** Client-side limit per attempt, in milliseconds, until the response headers arrive. */
  timeoutMs?: number;
  /** Retries for this call; overrides the client's `maxRetries`. */
  maxRetries?: number;
  /** Extra request headers for this call. */
  headers?: Record<string, string>;
}

/** Options of the calls that change something (POST, PATCH, PUT, DELETE), after their own. */
export interface MutatingRequestOptions extends RequestOptions {
  /**
   * Sent as the `Idempotency-Key` header, the same on every automatic retry of this call, so a
   * retry after a lost response gets the first response replayed instead of applying the
   * change twice. Default: a new `crypto.randomUUID()` per call. Pass your own (1–255 printable
   * ASCII characters) to make a call safe to repeat yourself, after a crash or from another
   * process: for 24 hours the server answers a repeat of the same request with the first
   * response, and the key with a different request with `IdempotencyKeyMismatchError`.
   */
  idempotencyKey?: string;
}
