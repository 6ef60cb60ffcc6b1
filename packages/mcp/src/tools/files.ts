/** read_file (numbered lines, paged), write_file, edit_file (exact string). */
import { z } from "zod";
import { formatRead, readPosition } from "../format.js";
import {
  absolutePath,
  defineTool,
  openSandbox,
  result,
  sandboxId,
  type ToolDefinition,
  type ToolSettings,
} from "./common.js";

export function fileTools(settings: ToolSettings): ToolDefinition[] {
  return [
    defineTool(
      "read_file",
      {
        title: "Read a text file",
        description:
          `Reads a text file by lines. Each line is shown as its 1-based number, a tab, and the line (the number and tab are not part of the file). ` +
          `Returns at most ${settings.readDefaultLines} lines or ${settings.readMaxBytes} bytes per call; the last line of the answer says which lines were shown, ` +
          "how many the file has, whether it was cut, and the startLine to continue from. Line endings are shown as \\n. " +
          "A binary file is reported as binary with no lines.",
        inputSchema: z.strictObject({
          sandboxId,
          path: absolutePath("The file to read."),
          startLine: z
            .number()
            .int()
            .min(1)
            .optional()
            .describe("First line to return, 1-based (default 1)."),
          endLine: z
            .number()
            .int()
            .min(1)
            .optional()
            .describe(
              `Last line to return, inclusive (default startLine + ${settings.readDefaultLines - 1}); must not be before startLine. Past the end of the file is fine.`,
            ),
        }),
        outputSchema: z.object({
          path: z.string(),
          text: z
            .string()
            .describe("The lines as they are in the file, joined by \\n, without numbers."),
          startLine: z.number().int(),
          endLine: z
            .number()
            .int()
            .describe("Last full line returned; startLine - 1 when none was."),
          totalLines: z.number().int(),
          truncated: z.boolean().describe("The range was cut at the byte limit."),
          binary: z.boolean(),
          nextStartLine: z
            .number()
            .int()
            .nullable()
            .describe("startLine for the next call, or null when the end of the file was reached."),
          etag: z.string().describe("The file content's ETag."),
        }),
        annotations: { readOnlyHint: true, openWorldHint: false },
      },
      async (client, { sandboxId, path, startLine, endLine }, { signal }) => {
        const sandbox = await openSandbox(client, sandboxId, signal);
        const first = startLine ?? 1;
        const read = await sandbox.fs.readLines(path, {
          startLine: first,
          endLine: endLine ?? first + settings.readDefaultLines - 1,
          maxBytes: settings.readMaxBytes,
          signal,
        });
        const position = readPosition(read, settings.readMaxBytes);
        const { text, endLine: last, totalLines, truncated, binary, etag } = read;
        return result(formatRead(read, position), {
          path: read.path,
          text,
          startLine: read.startLine,
          endLine: last,
          totalLines,
          truncated,
          binary,
          nextStartLine: position.nextStartLine,
          etag,
        });
      },
    ),

    defineTool(
      "write_file",
      {
        title: "Write a file",
        description:
          "Creates a file, or replaces its whole content, with the given text (UTF-8). Missing parent directories are created. " +
          "To change part of an existing file use edit_file instead. Writing onto a directory fails with EISDIR.",
        inputSchema: z.strictObject({
          sandboxId,
          path: absolutePath("The file to write."),
          content: z.string().describe("The file's complete new content."),
          mode: z
            .string()
            .regex(/^[0-7]{3,4}$/, "mode is octal permission bits such as 644 or 755")
            .optional()
            .describe(
              'Permission bits in octal, e.g. "755" for a script. Default: 644 for a new file; an existing file keeps its mode.',
            ),
        }),
        outputSchema: z.object({
          path: z.string(),
          size: z.number().int().describe("The file's size in bytes."),
          created: z
            .boolean()
            .describe("true: the file is new; false: an existing one was replaced."),
          version: z.number().int().describe("The sandbox version after the write."),
        }),
        annotations: {
          readOnlyHint: false,
          destructiveHint: true,
          idempotentHint: true,
          openWorldHint: false,
        },
      },
      async (client, { sandboxId, path, content, mode }, { signal }) => {
        const sandbox = await openSandbox(client, sandboxId, signal);
        const written = await sandbox.fs.write(path, content, { mode, signal });
        const { size } = written.file;
        const verb = written.created ? "Created" : "Replaced";
        return result(
          `${verb} ${written.file.path} (${size} bytes; sandbox version ${written.version}).`,
          { path: written.file.path, size, created: written.created, version: written.version },
        );
      },
    ),

    defineTool(
      "edit_file",
      {
        title: "Edit a file (exact string)",
        description:
          "Replaces an exact piece of text in a text file with new text, in one step. oldString must occur in the file exactly once " +
          "(copy it from read_file without the line-number prefix, whitespace and indentation included), or set replaceAll to replace every occurrence. " +
          "If oldString is not found the call fails with edit_no_match; if it occurs more than once without replaceAll, with edit_ambiguous. " +
          "Either way the file is left unchanged.",
        inputSchema: z.strictObject({
          sandboxId,
          path: absolutePath("The file to edit."),
          oldString: z
            .string()
            .min(1)
            .describe("The exact text to replace: must match the file character for character."),
          newString: z
            .string()
            .describe("The text to put in its place (may be empty to delete oldString)."),
          replaceAll: z
            .boolean()
            .optional()
            .describe(
              "true: replace every occurrence of oldString. Default false: it must occur exactly once.",
            ),
        }),
        outputSchema: z.object({
          path: z.string(),
          replacements: z.number().int().describe("How many occurrences were replaced."),
          size: z.number().int().describe("The file's new size in bytes."),
          version: z.number().int().describe("The sandbox version after the edit."),
        }),
        annotations: {
          readOnlyHint: false,
          destructiveHint: true,
          idempotentHint: false,
          openWorldHint: false,
        },
      },
      async (client, { sandboxId, path, oldString, newString, replaceAll }, { signal }) => {
        const sandbox = await openSandbox(client, sandboxId, signal);
        const edited = await sandbox.fs.edit(path, oldString, newString, { replaceAll, signal });
        const { replacements, version } = edited;
        const times = replacements === 1 ? "1 occurrence" : `${replacements} occurrences`;
        return result(`Replaced ${times} in ${edited.file.path} (sandbox version ${version}).`, {
          path: edited.file.path,
          replacements,
          size: edited.file.size,
          version,
        });
      },
    ),
  ];
}
