/** @cairn/conformance: the HTTP-level suite every implementation of the Cairn API must pass. */
export {
  type ConformanceCase,
  defineCases,
  type Feature,
  features,
  isValidCaseId,
} from "./case.js";
export { allCases, checkCases } from "./cases/index.js";
export { type CaseContext, CaseSkipped } from "./context.js";
export { ApiResponse } from "./harness/api-response.js";
export {
  assert,
  compareCodePoints,
  expectBytes,
  expectProblem,
  expectStatus,
  utf8,
} from "./harness/assert.js";
export { SpecViolationError } from "./harness/errors.js";
export {
  decodeChunk,
  type ExecEvent,
  ExecEventStream,
  type ServerSentEvent,
  SseParser,
  type StreamedExec,
} from "./harness/event-stream.js";
export type {
  CopyInput,
  CreateSandboxInput,
  ExecBatchInput,
  ExecInput,
  MakeDirectoryInput,
  MoveInput,
  SeedFileInput,
  UpdateSandboxInput,
} from "./harness/inputs.js";
export type { HttpMethod, RequestFn, RequestOptions, StreamFn } from "./harness/request.js";
export { SandboxHandle } from "./harness/sandbox.js";
export {
  type OperationMatch,
  type ResponseCheck,
  type ResponseShape,
  SpecValidator,
} from "./harness/spec-validator.js";
export {
  type BackendFactory,
  type ReferenceServer,
  type ReferenceServerOptions,
  startReferenceServer,
} from "./reference-server.js";
export { type CaseResult, type CaseStatus, type Report, summaryLine } from "./report.js";
export { formatJunit } from "./reporters/junit.js";
export { formatTap } from "./reporters/tap.js";
export { CaseTimeoutError, type RunCaseOptions, runCase } from "./run-case.js";
export { type RunConformanceOptions, runConformance } from "./runner.js";
export { type CasePattern, matchesPattern, type SkipEntry, selectCases } from "./selection.js";
export { type RunTenant, tenantForRun } from "./tenant-for-run.js";
