/** `cairnSandbox()`: a Cairn sandbox as bash-tool's `Sandbox` (executeCommand, readFile, writeFiles). */
import type { ExecOptions } from "@cairn/client";
import { type CairnSandboxLike, isTimeout, SERVER_MAX_OUTPUT_BYTES } from "./sandbox-like.js";
import { formatBytes } from "./truncate.js";

/** What `executeCommand()` resolves to: bash-tool's `CommandResult`. */
export interface CommandResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/**
 * The sandbox interface of [bash-tool](https://www.npmjs.com/package/bash-tool): pass it to
 * `createBashTool({ sandbox })`. A file's `content` may be a string or bytes (a `Buffer` is a
 * `Uint8Array`).
 */
export interface BashToolSandbox {
  executeCommand(command: string): Promise<CommandResult>;
  readFile(path: string): Promise<string>;
  writeFiles(files: Array<{ path: string; content: string | Uint8Array }>): Promise<void>;
}

export interface CairnSandboxOptions {
  /** Options for every exec: `cwd`, `env`, `timeoutMs`, `commit`, `readOnly`, `maxOutputBytes`, ... */
  exec?: Omit<ExecOptions, "signal" | "idempotencyKey">;
}

/** Exit code reported for a script that ran out of time, as `timeout(1)` does. */
export const TIMEOUT_EXIT_CODE = 124;

/**
 * A Cairn sandbox behind bash-tool's `Sandbox` interface. Each command is one exec (its file
 * changes are committed when it ends); output the server dropped past `maxOutputBytes` is
 * flagged at the end of the stream, and a script that timed out comes back as exit code 124
 * with the reason on stderr (nothing it changed was kept). Files are written one at a time, each
 * creating missing parent directories.
 *
 * @example
 * import { createBashTool } from "bash-tool";
 * const sandbox = await cairn.sandboxes.create();
 * const { tools } = await createBashTool({ sandbox: cairnSandbox(sandbox), destination: "/workspace" });
 */
export function cairnSandbox(
  sandbox: CairnSandboxLike,
  options: CairnSandboxOptions = {},
): BashToolSandbox {
  const exec = options.exec ?? {};
  const limit = exec.maxOutputBytes ?? SERVER_MAX_OUTPUT_BYTES;
  return {
    async executeCommand(command) {
      try {
        const result = await sandbox.exec(command, exec);
        return {
          stdout: result.truncated.stdout
            ? withNote(
                result.stdout,
                `[stdout truncated: only the first ${formatBytes(limit)} were kept]`,
              )
            : result.stdout,
          stderr: result.truncated.stderr
            ? withNote(
                result.stderr,
                `[stderr truncated: only the first ${formatBytes(limit)} were kept]`,
              )
            : result.stderr,
          exitCode: result.exitCode,
        };
      } catch (error) {
        if (!isTimeout(error)) throw error;
        return {
          stdout: "",
          stderr: timeoutMessage(error, exec.timeoutMs),
          exitCode: TIMEOUT_EXIT_CODE,
        };
      }
    },
    readFile(path) {
      return sandbox.fs.readText(path);
    },
    async writeFiles(files) {
      // One at a time: each write is its own commit, and parallel ones would race for the version.
      for (const file of files) await sandbox.fs.write(file.path, file.content);
    },
  };
}

/** The stderr text for a script that ran out of time. */
export function timeoutMessage(error: Error, timeoutMs: number | undefined): string {
  const after = timeoutMs === undefined ? "" : ` after ${timeoutMs / 1000} s`;
  return `[the command timed out${after} and was stopped; none of its file changes were kept. (${error.message})]\n`;
}

function withNote(text: string, note: string): string {
  return `${text}${text === "" || text.endsWith("\n") ? "" : "\n"}${note}\n`;
}
