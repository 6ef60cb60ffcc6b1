/** @cairn/ai: Vercel AI SDK tools over a Cairn sandbox, and a Cairn sandbox for bash-tool. */
export {
  type BashToolSandbox,
  type CairnSandboxOptions,
  type CommandResult,
  cairnSandbox,
  TIMEOUT_EXIT_CODE,
} from "./cairn-sandbox.js";
export type { CairnSandboxLike } from "./sandbox-like.js";
export {
  type BashInput,
  type BashOutput,
  type CairnTools,
  type CairnToolsOptions,
  createCairnTools,
  type ReadFileInput,
  type ReadFileOutput,
  type WriteFileInput,
  type WriteFileOutput,
} from "./tools.js";
export {
  type Cut,
  type OutputLimits,
  type Truncated,
  type TruncateOptions,
  truncateOutput,
} from "./truncate.js";
