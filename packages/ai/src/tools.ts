/** `createCairnTools()`: `bash`, `readFile` and `writeFile` tools for the Vercel AI SDK over one Cairn sandbox. */
import type { ExecOptions } from "@cairn/client";
import { type Tool, tool } from "ai";
import { z } from "zod";
import { TIMEOUT_EXIT_CODE, timeoutMessage } from "./cairn-sandbox.js";
import {
  type CairnSandboxLike,
  isTimeout,
  resolvePath,
  SERVER_MAX_OUTPUT_BYTES,
} from "./sandbox-like.js";
import { formatBytes, type OutputLimits, plural, truncateOutput } from "./truncate.js";

export interface CairnToolsOptions {
  /** The sandbox the tools act on (a `Sandbox` from `@cairn/client`). */
  sandbox: CairnSandboxLike;
  /** Where commands start and what relative paths are relative to (default `/`). */
  cwd?: string;
  /** How much of each of a command's stdout and stderr the model sees (default 400 lines, 30 KB, start and end). */
  output?: Partial<OutputLimits>;
  /** How much `readFile` returns per call (default 1000 lines, 50 KB); the model pages with `startLine`. */
  read?: { maxLines?: number; maxBytes?: number };
  /** A command's time limit when the model sets none (default 30 s). */
  timeoutMs?: number;
  /** The longest time limit the model may ask for (default 300 s, Cairn's maximum). */
  maxTimeoutMs?: number;
  /**
   * Options for every exec: `env`, `commit` (e.g. `"on_success"`), `readOnly`, and
   * `maxOutputBytes` (how much the server keeps before the tool cuts it for the model; default 1 MiB).
   */
  exec?: Pick<ExecOptions, "env" | "commit" | "readOnly" | "maxOutputBytes">;
  /** Extra text appended to the `bash` tool's description, e.g. what the files are. */
  instructions?: string;
}

export interface BashInput {
  command: string;
  cwd?: string | undefined;
  timeoutSeconds?: number | undefined;
}

export interface BashOutput {
  exitCode: number;
  /** The command's stdout, cut to the output limits with a note where it was cut. */
  stdout: string;
  stderr: string;
  /** Which streams were cut; absent when nothing was. */
  truncated?: { stdout: boolean; stderr: boolean };
  /** The script changed files but none of the changes were kept, and why. */
  discarded?: string;
  /** The script ran out of time and was stopped (exit code 124); nothing it changed was kept. */
  timedOut?: true;
}

export interface ReadFileInput {
  path: string;
  startLine?: number | undefined;
  endLine?: number | undefined;
}

export interface ReadFileOutput {
  /** The absolute path read. */
  path: string;
  /** Lines `startLine` to `endLine` (line endings as `\n`); empty for a binary file. */
  content: string;
  startLine: number;
  /** The last line in `content` (`startLine - 1` when it holds no whole line). */
  endLine: number;
  totalLines: number;
  /** The file is not text; `content` is empty. */
  binary?: true;
  /** What was left out and how to read more; absent when `content` is the rest of the file. */
  note?: string;
}

export interface WriteFileInput {
  path: string;
  content: string;
}

export interface WriteFileOutput {
  /** The absolute path written. */
  path: string;
  /** Bytes written (UTF-8). */
  bytes: number;
  /** True when the file did not exist before. */
  created: boolean;
}

/** The tools, ready for `generateText({ tools })` (a type, not an interface, so it is a `ToolSet`). */
export type CairnTools = {
  bash: Tool<BashInput, BashOutput>;
  readFile: Tool<ReadFileInput, ReadFileOutput>;
  writeFile: Tool<WriteFileInput, WriteFileOutput>;
};

const DEFAULT_OUTPUT: OutputLimits = { maxBytes: 30_000, maxLines: 400, keep: "both" };
const DEFAULT_READ = { maxLines: 1000, maxBytes: 50_000 };
const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_TIMEOUT_MS = 300_000;

const discardReasons: Record<string, string> = {
  commit_never: "the tools are set to never keep changes (commit: never)",
  nonzero_exit: "the command exited non-zero, and changes are kept only on success",
  journal_limit: "the command wrote more than the sandbox allows in one command",
};

/**
 * `bash`, `readFile` and `writeFile` tools for the Vercel AI SDK, acting on one Cairn sandbox.
 * Long command output is cut to `output` limits with a note saying exactly what was left out;
 * `readFile` pages through long files by line and says how to continue.
 *
 * @example
 * const tools = createCairnTools({ sandbox, cwd: "/workspace" });
 * const { text } = await generateText({ model, tools, stopWhen: stepCountIs(20), prompt: "..." });
 */
export function createCairnTools(options: CairnToolsOptions): CairnTools {
  const { sandbox } = options;
  const cwd = resolvePath("/", options.cwd ?? "/");
  const output: OutputLimits = { ...DEFAULT_OUTPUT, ...options.output };
  const read = { ...DEFAULT_READ, ...options.read };
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxTimeoutMs = Math.max(options.maxTimeoutMs ?? MAX_TIMEOUT_MS, timeoutMs);
  const captured = options.exec?.maxOutputBytes ?? SERVER_MAX_OUTPUT_BYTES;
  const outputHint =
    "To see more, redirect the output to a file (e.g. `cmd > /tmp/out.txt 2>&1`) and read parts of it with readFile (startLine/endLine), or filter it with grep, head or tail.";

  const bash = tool<BashInput, BashOutput>({
    description: bashDescription(sandbox, options, { cwd, output, timeoutMs, maxTimeoutMs }),
    inputSchema: z.object({
      command: z
        .string()
        .min(1)
        .describe("The bash script to run: one command, or several lines, pipes and all."),
      cwd: z
        .string()
        .optional()
        .describe(`The directory to run it in, absolute or relative to ${cwd} (default ${cwd}).`),
      timeoutSeconds: z
        .number()
        .positive()
        .max(maxTimeoutMs / 1000)
        .optional()
        .describe(
          `Stop the command after this many seconds (default ${timeoutMs / 1000}, at most ${maxTimeoutMs / 1000}).`,
        ),
    }),
    async execute({ command, cwd: dir, timeoutSeconds }, { abortSignal }) {
      const limit =
        timeoutSeconds === undefined ? timeoutMs : Math.max(1, Math.round(timeoutSeconds * 1000));
      let result: Awaited<ReturnType<CairnSandboxLike["exec"]>>;
      try {
        result = await sandbox.exec(command, {
          ...options.exec,
          cwd: resolvePath(cwd, dir ?? cwd),
          timeoutMs: limit,
          signal: abortSignal,
        });
      } catch (error) {
        if (!isTimeout(error)) throw error;
        return {
          exitCode: TIMEOUT_EXIT_CODE,
          stdout: "",
          stderr: timeoutMessage(error, limit),
          timedOut: true,
        };
      }
      const stdout = truncateOutput(result.stdout, output, {
        label: "stdout",
        hint: outputHint,
        ...(result.truncated.stdout ? { capturedBytes: captured } : {}),
      });
      const stderr = truncateOutput(result.stderr, output, {
        label: "stderr",
        hint: outputHint,
        ...(result.truncated.stderr ? { capturedBytes: captured } : {}),
      });
      const answer: BashOutput = {
        exitCode: result.exitCode,
        stdout: stdout.text,
        stderr: stderr.text,
      };
      if (stdout.cut || stderr.cut) {
        answer.truncated = { stdout: stdout.cut !== null, stderr: stderr.cut !== null };
      }
      if (result.commit.status === "discarded") {
        const reason = result.commit.reason;
        answer.discarded = `None of this command's file changes were kept: ${
          (reason && discardReasons[reason]) ?? "the server discarded them"
        }.`;
      }
      return answer;
    },
  });

  const readFile = tool<ReadFileInput, ReadFileOutput>({
    description: [
      "Read a text file from the sandbox, by line range.",
      `Returns at most ${plural(read.maxLines, "line")} (${formatBytes(read.maxBytes)}) per call, with the file's total line count; when there is more, the note says which startLine to ask for next.`,
      `Lines are numbered from 1; endLine is inclusive. Paths are absolute or relative to ${cwd}.`,
      "A binary file is not shown (inspect it with bash).",
    ].join(" "),
    inputSchema: z.object({
      path: z.string().min(1).describe("The file to read."),
      startLine: z
        .number()
        .int()
        .min(1)
        .optional()
        .describe("The first line to return (default 1)."),
      endLine: z
        .number()
        .int()
        .min(1)
        .optional()
        .describe(
          `The last line to return, inclusive (default startLine + ${read.maxLines - 1}, or the end of the file).`,
        ),
    }),
    async execute({ path, startLine = 1, endLine }, { abortSignal }) {
      const absolute = resolvePath(cwd, path);
      const last = Math.min(endLine ?? Number.POSITIVE_INFINITY, startLine + read.maxLines - 1);
      const result = await sandbox.fs.readLines(absolute, {
        startLine,
        endLine: last,
        maxBytes: read.maxBytes,
        signal: abortSignal,
      });
      const answer: ReadFileOutput = {
        path: absolute,
        content: result.text,
        startLine: result.startLine,
        endLine: result.endLine,
        totalLines: result.totalLines,
      };
      const note = readNote(absolute, result, endLine, read.maxBytes);
      if (result.binary) answer.binary = true;
      if (note) answer.note = note;
      return answer;
    },
  });

  const writeFile = tool<WriteFileInput, WriteFileOutput>({
    description: [
      "Create a file in the sandbox, or replace all of its content, with the given text (UTF-8).",
      "Missing parent directories are created.",
      `Paths are absolute or relative to ${cwd}.`,
      "To change part of a large file, use bash (e.g. sed) rather than rewriting it.",
    ].join(" "),
    inputSchema: z.object({
      path: z.string().min(1).describe("The file to write."),
      content: z.string().describe("The file's complete new content."),
    }),
    async execute({ path, content }, { abortSignal }) {
      const absolute = resolvePath(cwd, path);
      const result = await sandbox.fs.write(absolute, content, { signal: abortSignal });
      return {
        path: absolute,
        bytes: new TextEncoder().encode(content).length,
        created: result.created,
      };
    },
  });

  return { bash, readFile, writeFile };
}

function bashDescription(
  sandbox: CairnSandboxLike,
  options: CairnToolsOptions,
  settings: { cwd: string; output: OutputLimits; timeoutMs: number; maxTimeoutMs: number },
): string {
  const python = sandbox.runtimes?.includes("python3") ? " python3 is available." : "";
  const lines = [
    "Run a bash script in the sandbox: a persistent file tree whose files stay between calls.",
    "The shell is just-bash, a bash interpreter with pipes, redirections, loops, functions and about 80 common commands (ls, cat, grep, rg, sed, awk, find, sort, uniq, wc, head, tail, cut, tr, diff, xargs, jq, yq, sqlite3, tar, gzip, base64, sha256sum, ...).",
    `There is no network access, no package manager and no compiler.${python}`,
    sandbox.persistShell
      ? `Commands start in ${settings.cwd} the first time; after that the working directory and exported variables carry over from the previous call.`
      : `Each call is a fresh shell starting in ${settings.cwd} (or the given cwd): cd and variables do not carry over, files do.`,
    options.exec?.readOnly
      ? "The file tree is read-only: writes fail with EROFS."
      : options.exec?.commit === "on_success"
        ? "A command's file changes are kept only if it exits 0."
        : options.exec?.commit === "never"
          ? "A command's file changes are never kept (dry run)."
          : "A command's file changes are saved when it ends.",
    `A command is stopped after ${settings.timeoutMs / 1000} s unless you set timeoutSeconds (at most ${settings.maxTimeoutMs / 1000}); a stopped command's changes are not kept.`,
    `stdout and stderr are each cut to ${plural(settings.output.maxLines, "line")} and ${formatBytes(settings.output.maxBytes)}${settings.output.keep === "both" ? " (keeping the start and the end)" : ""}; a cut output says what was left out. For long output, redirect it to a file and read it with readFile, or filter it with grep, head or tail.`,
  ];
  if (options.instructions) lines.push(options.instructions);
  return lines.join("\n");
}

function readNote(
  path: string,
  result: {
    binary: boolean;
    startLine: number;
    endLine: number;
    totalLines: number;
    truncated: boolean;
  },
  askedEnd: number | undefined,
  maxBytes: number,
): string | undefined {
  const { startLine, endLine, totalLines } = result;
  if (result.binary) {
    return `${path} is a binary file and is not shown; inspect it with bash (e.g. \`file ${path}\` or \`od -c ${path} | head\`).`;
  }
  if (totalLines === 0) return `${path} is empty.`;
  if (startLine > totalLines) {
    return `${path} has only ${plural(totalLines, "line")}; startLine ${startLine} is past the end.`;
  }
  if (endLine < startLine) {
    return `Line ${startLine} alone is longer than ${formatBytes(maxBytes)}; content is its start. To read all of it, split it into short lines with bash (e.g. \`sed -n '${startLine}p' ${path} | fold -w 1000 > /tmp/line.txt\`) and read that file.`;
  }
  const wanted = Math.min(askedEnd ?? totalLines, totalLines);
  if (endLine >= wanted) return undefined;
  const why = result.truncated ? ` (stopped at ${formatBytes(maxBytes)})` : "";
  return `Showing lines ${startLine}-${endLine} of ${totalLines}${why}. To continue, call readFile with startLine ${endLine + 1}.`;
}
