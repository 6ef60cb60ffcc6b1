/** bash: run a script against a sandbox's files, with cwd, a time limit and a read-only mode. */
import { z } from "zod";
import { formatExec } from "../format.js";
import {
  defineTool,
  openSandbox,
  result,
  sandboxId,
  type ToolDefinition,
  type ToolExtra,
  type ToolSettings,
} from "./common.js";

const MAX_TIMEOUT_MS = 300_000;
const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_OUTPUT_BYTES = 1024 * 1024;

export function bashTools(settings: ToolSettings): ToolDefinition[] {
  return [
    defineTool(
      "bash",
      {
        title: "Run bash in a sandbox",
        description:
          "Runs a bash script against the sandbox's files and returns its exit code, stdout and stderr. " +
          "The interpreter is just-bash (bash syntax: pipes, redirects, loops, functions, $(...)) with the usual commands built in: " +
          "ls cat head tail grep rg sed awk find sort uniq wc cut tr xargs diff jq tree base64 od file mkdir cp mv rm chmod ln touch and more. " +
          "There is no network, no package manager, no git and no node; python3 only if the sandbox was created with it in runtimes. " +
          "The script's file changes are committed together when it ends (a non-zero exit code is a result, not an error); " +
          "if it times out, nothing it changed is kept. " +
          "Each call is a fresh shell starting in cwd (default /), unless the sandbox was created with persistShell. " +
          "To read, search or change files prefer read_file, grep, glob, write_file and edit_file: they are exact and bounded.",
        inputSchema: z.strictObject({
          sandboxId,
          script: z
            .string()
            .min(1)
            .max(1048576)
            .describe(
              "The bash script to run: one command or many lines, e.g. `ls -la /src && wc -l /src/*.ts`.",
            ),
          cwd: z
            .string()
            .max(4096)
            .regex(/^\//, "cwd is absolute: start with /")
            .optional()
            .describe("Absolute directory to start in (default /; created if missing)."),
          timeoutMs: z
            .number()
            .int()
            .min(1)
            .max(MAX_TIMEOUT_MS)
            .optional()
            .describe(
              `Stop the script after this many milliseconds (default ${DEFAULT_TIMEOUT_MS}, at most ${MAX_TIMEOUT_MS}). A script that times out is an error and none of its file changes are kept.`,
            ),
          readOnly: z
            .boolean()
            .optional()
            .describe(
              "true: every write inside the script fails with EROFS (read-only file system) and nothing can change; use it to inspect safely. Default false.",
            ),
          maxOutputBytes: z
            .number()
            .int()
            .min(0)
            .max(MAX_OUTPUT_BYTES)
            .optional()
            .describe(
              `Bytes of stdout and of stderr to keep (default ${settings.bashMaxOutputBytes}, at most ${MAX_OUTPUT_BYTES}); the start is kept, the rest dropped, and the result says so.`,
            ),
        }),
        outputSchema: z.object({
          exitCode: z.number().int(),
          stdout: z.string(),
          stderr: z.string(),
          durationMs: z.number(),
          truncated: z
            .object({ stdout: z.boolean(), stderr: z.boolean() })
            .describe("Whether each stream was cut at maxOutputBytes."),
          commit: z
            .object({
              status: z.enum(["committed", "unchanged", "discarded"]),
              version: z.number().int(),
              reason: z.string().optional(),
              changes: z
                .array(
                  z.object({
                    path: z.string(),
                    kind: z.enum(["created", "modified", "deleted", "moved", "mode"]),
                    type: z.enum(["file", "directory", "symlink"]),
                    from: z.string().optional(),
                    size: z.number().int(),
                    hash: z.string().nullable(),
                  }),
                )
                .optional()
                .describe("When committed: the paths the script changed."),
            })
            .describe(
              "What happened to the script's file changes; version is the sandbox version after the call.",
            ),
        }),
        annotations: { readOnlyHint: false, destructiveHint: true, openWorldHint: false },
      },
      async (client, { sandboxId, script, cwd, timeoutMs, readOnly, maxOutputBytes }, extra) => {
        const sandbox = await openSandbox(client, sandboxId, extra.signal);
        const keep = maxOutputBytes ?? settings.bashMaxOutputBytes;
        const stopProgress = reportProgress(extra, settings.progressIntervalMs);
        try {
          const exec = await sandbox.exec(script, {
            cwd,
            timeoutMs,
            readOnly,
            maxOutputBytes: keep,
            signal: extra.signal,
          });
          const { exitCode, stdout, stderr, durationMs, truncated, commit } = exec;
          return result(formatExec(exec, keep, readOnly ?? false), {
            exitCode,
            stdout,
            stderr,
            durationMs,
            truncated,
            commit,
          });
        } finally {
          stopProgress();
        }
      },
    ),
  ];
}

/**
 * While a script runs, tells a client that asked for progress (a `progressToken`) that it is
 * still running, every `intervalMs`: clients that reset their request timeout on progress then
 * wait for long scripts. Returns the function that stops it.
 */
function reportProgress(extra: ToolExtra, intervalMs: number): () => void {
  const progressToken = extra._meta?.progressToken;
  if (progressToken === undefined) return () => {};
  const started = Date.now();
  const timer = setInterval(() => {
    const elapsedMs = Date.now() - started;
    const message = `still running after ${Math.round(elapsedMs / 1000)} s`;
    extra
      .sendNotification({
        method: "notifications/progress",
        params: { progressToken, progress: elapsedMs, message },
      })
      .catch(() => {});
  }, intervalMs);
  return () => clearInterval(timer);
}
