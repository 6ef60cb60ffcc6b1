/** @cairn/core: filesystem semantics, the backend contract, and just-bash over any backend. */
export * from "./backend.js";
export {
  type BashFsSession,
  CairnBashFs,
  type CairnBashFsOptions,
  DEFAULT_WRITE_LIMITS,
  openBashFs,
  type WriteLimits,
} from "./bash-fs.js";
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
  type ExecOutcome,
  type ExecStepInput,
  ExecTimeoutError,
  execBatch,
  execScript,
  type StepOutcome,
} from "./exec/exec.js";
export {
  DEFAULT_MAX_OUTPUT_BYTES,
  type OutputListener,
  type OutputStream,
} from "./exec/output.js";
export { runtimeSupport } from "./exec/runtimes.js";
export type {
  IdempotencyClaim,
  IdempotencyState,
  IdempotencyStore,
  StoredResponse,
} from "./idempotency.js";
export { Journal, sha256 } from "./journal.js";
export { ByteBudgetLru } from "./lru.js";
export * from "./paths.js";
export {
  type CreateSandboxInput,
  type MutationOutcome,
  newSandboxId,
  SandboxService,
  type SandboxServiceOptions,
  type Scope,
  type SeedFile,
} from "./sandbox-service.js";
export { Tree } from "./tree.js";
export {
  type ContentLoader,
  type DirEntry,
  type PrefetchCandidate,
  type Stat,
  Vfs,
} from "./vfs.js";
