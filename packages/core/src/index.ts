/** @cairn/core: filesystem semantics, the backend contract, and just-bash over any backend. */

export { applyArchive } from "./archive/apply.js";
export {
  ArchiveError,
  type ArchiveErrorCode,
  type ArchiveLimits,
  DEFAULT_ARCHIVE_LIMITS,
} from "./archive/archive-error.js";
export { type ExportEntry, exportEntries } from "./archive/export.js";
export {
  type ArchiveEntry,
  type ArchiveEntryKind,
  type ArchiveHeader,
  ArchiveStager,
  type ArchiveStats,
  archiveNames,
} from "./archive/stage.js";
export type { AuditEvent } from "./audit.js";
export * from "./backend.js";
export {
  type BashFsSession,
  CairnBashFs,
  type CairnBashFsOptions,
  DEFAULT_WRITE_LIMITS,
  openBashFs,
  type WriteLimits,
} from "./bash-fs.js";
export {
  type DiffEnd,
  diffSandbox,
  type FileDiff,
  type SandboxDiff,
  VersionUnavailableError,
} from "./diff.js";
export {
  dot,
  type Embedder,
  type EmbeddingStore,
  MAX_EMBEDDED_CHARS,
  normalize,
  type PendingEmbedding,
  type Similarities,
} from "./embed/embedder.js";
export {
  EmbeddingIndexer,
  type EmbeddingIndexerOptions,
  type EmbeddingIndexerStats,
} from "./embed/embedding-indexer.js";
export {
  createHttpEmbedder,
  EmbeddingProviderError,
  type HttpEmbedderOptions,
} from "./embed/http-embedder.js";
export {
  createLocalEmbedder,
  LOCAL_EMBEDDER_DIMENSIONS,
  localEmbedding,
} from "./embed/local-embedder.js";
export type { ScriptSemantic, ScriptSemanticAnswer } from "./embed/script-semantic.js";
export { decodeBytes, encodeText, tryDecodeUtf8 } from "./encoding.js";
export * from "./errors.js";
export {
  type CommitMode,
  DEFAULT_EXEC_TIMEOUT_MS,
  ExecAbortedError,
  type ExecBatchInput,
  type ExecBatchOutcome,
  type ExecCommitInfo,
  type ExecInput,
  type ExecJob,
  type ExecOutcome,
  type ExecStepInput,
  ExecTimeoutError,
  execBatch,
  execScript,
  type JobOutcome,
  type RunRequest,
  type ScriptRunner,
  type StepOutcome,
} from "./exec/exec.js";
export {
  DEFAULT_MAX_OUTPUT_BYTES,
  type OutputListener,
  type OutputStream,
} from "./exec/output.js";
export { RUNTIME_COMMANDS, runtimeOffMessage } from "./exec/runtime-off.js";
export { runtimeSupport } from "./exec/runtimes.js";
export {
  type ChangeKind,
  type CommitLogEntry,
  type CommitOrigin,
  type CommitPage,
  type CommitRecord,
  type CommitRetention,
  DEFAULT_COMMIT_RETENTION,
  describeChanges,
  logEntry,
  MAX_LOGGED_CHANGES,
  MAX_UNDO_ROWS,
  type PathChange,
  UNKNOWN_ORIGIN,
  undoOf,
} from "./history.js";
export type {
  IdempotencyClaim,
  IdempotencyState,
  IdempotencyStore,
  StoredResponse,
} from "./idempotency.js";
export { Journal, sha256 } from "./journal.js";
export {
  type ApiKeyRecord,
  checkKeyInput,
  type DeleteTenantResult,
  hashSecret,
  type IssueKeyInput,
  issueApiKey,
  KEY_SCOPES,
  KeyInputError,
  type KeyScope,
  type KeyStore,
  keyState,
  type ListPage,
  type NewApiKey,
  newKeyId,
  newTenantId,
  parseApiKey,
  type StoredApiKey,
  secretMatches,
  TENANT_ID_PATTERN,
  type TenantLimits,
  type TenantRecord,
} from "./keys.js";
export { ByteBudgetLru, type CacheStats } from "./lru.js";
export { MACHINE_DIRECTORIES, MACHINE_HOME, machineEnv } from "./machine.js";
export type { ReadNarrowing, StoredTextCandidates } from "./narrowing.js";
export { restoreVersion, treeAtVersion } from "./past-trees.js";
export * from "./paths.js";
export {
  DEFAULT_SANDBOX_POLICY,
  denyMatcher,
  normalizePolicy,
  REDACTED,
  redactSecrets,
  type SandboxPolicy,
  SECRET_GLOBS,
  SECRET_PATTERNS,
} from "./policy.js";
export { PoolBusyError, PoolUnavailableError, ScriptMemoryError } from "./pool/pool-errors.js";
export { WorkerPool, type WorkerPoolOptions, type WorkerPoolStats } from "./pool/worker-pool.js";
export { pythonCommands } from "./python/python-command.js";
export { warmPython } from "./python/python-engine.js";
export { checkQuota, type Quota } from "./quota.js";
export {
  type CommitEvent,
  type CreateSandboxInput,
  type MutationOutcome,
  newSandboxId,
  SandboxService,
  type SandboxServiceOptions,
  type Scope,
  type SeedFile,
  type ServiceCacheStats,
} from "./sandbox-service.js";
export { seededRandom } from "./seeded-random.js";
export {
  createSnapshot,
  deleteSnapshot,
  type ForkInput,
  forkSandbox,
  getSnapshot,
  listSnapshots,
  newSnapshotId,
  restoreSnapshot,
} from "./snapshots.js";
export type { ContentCandidates } from "./text/contents.js";
export { EditError, type EditErrorCode, type ReplaceOptions, replaceExact } from "./text/edit.js";
export {
  compileGlob,
  DEFAULT_GLOB_LIMIT,
  DEFAULT_GLOB_MAX_ENTRIES,
  GlobMatcher,
  type GlobOptions,
  type GlobResult,
  glob,
  MAX_GLOB_LIMIT,
  MAX_GLOB_PATTERN_LENGTH,
} from "./text/glob.js";
export {
  compileGrep,
  DEFAULT_GREP_MAX_FILE_BYTES,
  DEFAULT_GREP_MAX_LINE_BYTES,
  DEFAULT_GREP_MAX_RESULTS,
  DEFAULT_GREP_TIME_BUDGET_MS,
  type GrepLine,
  type GrepMatch,
  type GrepOptions,
  type GrepResult,
  grep,
  MAX_GREP_CONTEXT,
  MAX_GREP_PATTERN_LENGTH,
  MAX_GREP_RESULTS,
} from "./text/grep.js";
export {
  cutUtf8,
  decodeText,
  isBinary,
  type LineEnding,
  type LineRecord,
  splitLineRecords,
  splitLines,
  utf8Length,
} from "./text/lines.js";
export {
  MAX_SUMMARY_LENGTH,
  MAX_TAG_LENGTH,
  MAX_TAGS,
  normalizeFileMeta,
} from "./text/meta.js";
export {
  applyHunks,
  type FilePatch,
  type Hunk,
  PatchError,
  type PatchErrorCode,
  parsePatch,
} from "./text/patch.js";
export {
  DEFAULT_READ_MAX_BYTES,
  type ReadLinesOptions,
  type ReadLinesResult,
  readLines,
} from "./text/read.js";
export {
  DEFAULT_SEARCH_LIMIT,
  DEFAULT_SEARCH_MAX_FILE_BYTES,
  HYBRID_TEXT_WEIGHT,
  MAX_SEARCH_LIMIT,
  MAX_SEARCH_QUERY_LENGTH,
  MAX_SEARCH_TERMS,
  type SearchHit,
  type SearchLine,
  type SearchMode,
  type SearchOptions,
  type SearchResult,
  type SemanticRanking,
  search,
  searchCandidateQuery,
} from "./text/search.js";
export { type TermCountMemo, TermCountMemos } from "./text/term-count-memo.js";
export { countTerms, forEachTerm, MAX_TERM_LENGTH, termsOf } from "./text/terms.js";
export { TimeBudget } from "./text/time-budget.js";
export { unifiedDiff } from "./text/unified-diff.js";
export { Tree, type Usage } from "./tree.js";
export {
  type ContentLoader,
  type DirEntry,
  type PrefetchCandidate,
  type Stat,
  Vfs,
} from "./vfs.js";
