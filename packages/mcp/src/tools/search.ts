/** glob (paths by pattern) and grep (lines by regex), both bounded and explicit about cuts. */
import { z } from "zod";
import { formatGlob, formatGrep } from "../format.js";
import {
  absolutePath,
  defineTool,
  openSandbox,
  result,
  sandboxId,
  type ToolDefinition,
  type ToolSettings,
} from "./common.js";

const MAX_LINE_BYTES = 500;

const truncation = z
  .object({ reason: z.string(), limit: z.number().int() })
  .nullable()
  .describe("null when nothing was cut; else why (the bound that was hit) and that bound.");

export function searchTools(settings: ToolSettings): ToolDefinition[] {
  return [
    defineTool(
      "glob",
      {
        title: "Find files by name pattern",
        description:
          "Lists the paths (files, directories and symlinks) under a directory that match a glob pattern, sorted, one per line. " +
          "`**` matches any number of directories (including none), `*` and `?` match within one name, `[a-z]` and `[!x]` are character classes, " +
          "`{a,b}` are alternatives; names starting with a dot match like any other. A relative pattern is matched against paths relative to path; " +
          "one starting with / against absolute paths. Examples: `**/*.ts`, `src/**/test_*.py`, `*.{json,yaml}`, `**` (everything).",
        inputSchema: z.strictObject({
          sandboxId,
          pattern: z.string().min(1).max(4096).describe("The glob pattern, e.g. **/*.ts."),
          path: absolutePath("The directory to search under (default /).", "/src").optional(),
          limit: z
            .number()
            .int()
            .min(1)
            .max(10000)
            .optional()
            .describe(
              `Most paths to return (default ${settings.globDefaultLimit}, at most 10000).`,
            ),
        }),
        outputSchema: z.object({ paths: z.array(z.string()), truncated: truncation }),
        annotations: { readOnlyHint: true, openWorldHint: false },
      },
      async (client, { sandboxId, pattern, path, limit }, { signal }) => {
        const sandbox = await openSandbox(client, sandboxId, signal);
        const found = await sandbox.fs.glob(pattern, {
          path,
          limit: limit ?? settings.globDefaultLimit,
          signal,
        });
        return result(formatGlob(found, pattern, path ?? "/"), {
          paths: found.paths,
          truncated: found.truncated,
        });
      },
    ),

    defineTool(
      "grep",
      {
        title: "Search file contents",
        description:
          "Finds the lines matching a regular expression in the files under a path, like `grep -rn`: one `path:line:text` per matching line " +
          "(context lines as `path-line-text`, runs separated by --), sorted by path and line, then a summary line with the counts and whether the list was cut. " +
          "The pattern is a JavaScript regular expression (e.g. `foo.*bar`, `\\bTODO\\b`, `^import .* from`); it never matches across lines. " +
          "Binary files and files over 10 MiB are skipped and counted. " +
          `Lines longer than ${MAX_LINE_BYTES} bytes are cut and marked.`,
        inputSchema: z.strictObject({
          sandboxId,
          pattern: z
            .string()
            .min(1)
            .max(4096)
            .describe(
              "JavaScript regular expression source (no slashes or flags), or plain text with fixedString.",
            ),
          path: absolutePath(
            "The directory (or single file) to search (default /).",
            "/src",
          ).optional(),
          glob: z
            .string()
            .min(1)
            .max(4096)
            .optional()
            .describe(
              "Search only files whose path relative to path matches this glob, e.g. `**/*.ts` or `*.{js,jsx}`.",
            ),
          ignoreCase: z.boolean().optional().describe("Match regardless of case. Default false."),
          fixedString: z
            .boolean()
            .optional()
            .describe(
              "Treat pattern as plain text, not a regex (no escaping needed). Default false.",
            ),
          wholeWord: z
            .boolean()
            .optional()
            .describe("Match only whole words (`user` does not match `username`). Default false."),
          context: z
            .number()
            .int()
            .min(0)
            .max(20)
            .optional()
            .describe("Lines of context to show before and after each match (0-20, default 0)."),
          maxResults: z
            .number()
            .int()
            .min(1)
            .max(10000)
            .optional()
            .describe(
              `Most matching lines to return (default ${settings.grepDefaultResults}, at most 10000); past it the result says it was cut.`,
            ),
        }),
        outputSchema: z.object({
          matches: z.array(
            z.object({
              path: z.string(),
              line: z.number().int(),
              text: z.string(),
              cut: z.boolean(),
              before: z.array(z.object({ line: z.number().int(), text: z.string() })),
              after: z.array(z.object({ line: z.number().int(), text: z.string() })),
            }),
          ),
          filesSearched: z.number().int(),
          filesMatched: z.number().int(),
          skipped: z.object({ binary: z.number().int(), tooLarge: z.number().int() }),
          truncated: truncation,
        }),
        annotations: { readOnlyHint: true, openWorldHint: false },
      },
      async (client, input, { signal }) => {
        const { sandboxId, pattern, maxResults, ...options } = input;
        const sandbox = await openSandbox(client, sandboxId, signal);
        const found = await sandbox.fs.grep(pattern, {
          ...options,
          maxResults: maxResults ?? settings.grepDefaultResults,
          maxLineBytes: MAX_LINE_BYTES,
          signal,
        });
        const { matches, filesSearched, filesMatched, skipped, truncated } = found;
        return result(formatGrep(found, MAX_LINE_BYTES), {
          matches,
          filesSearched,
          filesMatched,
          skipped,
          truncated,
        });
      },
    ),
  ];
}
