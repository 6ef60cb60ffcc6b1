/** create_sandbox, list_sandboxes, delete_sandbox. */
import type { SandboxData } from "@cairn/client";
import { z } from "zod";
import { formatSandboxLine } from "../format.js";
import { absolutePath, defineTool, result, sandboxId, type ToolDefinition } from "./common.js";

const sandboxSummary = z.object({
  id: z.string(),
  name: z.string().nullable(),
  version: z.number().int().describe("Bumped by every committed change to the sandbox's files."),
  persistShell: z.boolean(),
  runtimes: z.array(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
});

function summary(data: SandboxData): z.infer<typeof sandboxSummary> {
  const { id, name, version, persistShell, runtimes, createdAt, updatedAt } = data;
  return { id, name, version, persistShell, runtimes: [...runtimes], createdAt, updatedAt };
}

const USE_IT =
  "Pass it as sandboxId to bash, read_file, write_file, edit_file, glob and grep; files stay until delete_sandbox.";

export function sandboxTools(): ToolDefinition[] {
  return [
    defineTool(
      "create_sandbox",
      {
        title: "Create sandbox",
        description:
          "Creates a new, empty sandbox: a persistent file tree that the bash tool runs scripts against and the file tools read and change. Returns its id. " +
          "Everything in it persists across calls and sessions until delete_sandbox. Create one per task or project and reuse it; list_sandboxes finds existing ones.",
        inputSchema: z.strictObject({
          name: z
            .string()
            .min(1)
            .max(200)
            .optional()
            .describe("A label to recognise it by in list_sandboxes (not unique)."),
          env: z
            .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/), z.string().max(32768))
            .optional()
            .describe("Environment variables every bash call in this sandbox gets."),
          persistShell: z
            .boolean()
            .optional()
            .describe(
              "true: each bash call starts in the directory, with the exported variables, where the previous call ended, like one terminal. Default false: every call starts fresh in / (or its cwd).",
            ),
          runtimes: z
            .array(z.enum(["python3", "js-exec"]))
            .max(2)
            .optional()
            .describe(
              'Interpreters to enable for scripts: "python3" (CPython in WebAssembly; the first call takes about a second) and "js-exec" (needs a server on Node >= 22.13). Off by default.',
            ),
          files: z
            .array(
              z.strictObject({
                path: absolutePath("Where to create the file; parent directories are created."),
                content: z.string().describe("The file's text (UTF-8)."),
              }),
            )
            .max(10000)
            .optional()
            .describe("Text files to create in the sandbox, in the same step."),
        }),
        outputSchema: z.object({ sandbox: sandboxSummary }),
        annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false },
      },
      async (client, { name, env, persistShell, runtimes, files }, { signal }) => {
        const sandbox = await client.sandboxes.create({
          name,
          env,
          persistShell,
          runtimes,
          files,
          signal,
        });
        const data = sandbox.toJSON();
        const label = data.name === null ? "" : ` (${JSON.stringify(data.name)})`;
        const seeded = files?.length ? ` with ${files.length} file(s)` : "";
        return result(`Created sandbox ${data.id}${label}${seeded}. ${USE_IT}`, {
          sandbox: summary(data),
        });
      },
    ),

    defineTool(
      "list_sandboxes",
      {
        title: "List sandboxes",
        description:
          "Lists the sandboxes this API key can use, newest first, one page at a time: id, name, version (bumped by every change to its files) and when it last changed.",
        inputSchema: z.strictObject({
          limit: z
            .number()
            .int()
            .min(1)
            .max(200)
            .optional()
            .describe("Sandboxes per page (1-200, default 50)."),
          cursor: z
            .string()
            .optional()
            .describe("nextCursor from the previous page, to get the page after it."),
        }),
        outputSchema: z.object({
          sandboxes: z.array(sandboxSummary),
          nextCursor: z
            .string()
            .nullable()
            .describe("Pass as cursor for the next page; null at the end."),
        }),
        annotations: { readOnlyHint: true, openWorldHint: false },
      },
      async (client, { limit, cursor }, { signal }) => {
        const page = await client.sandboxes.list({ limit, cursor, signal });
        const sandboxes = page.items.map((sandbox) => summary(sandbox.toJSON()));
        const lines = page.items.map((sandbox) => formatSandboxLine(sandbox.toJSON()));
        const more = page.nextCursor
          ? `[more: call again with cursor=${JSON.stringify(page.nextCursor)}]`
          : `[${sandboxes.length} sandbox${sandboxes.length === 1 ? "" : "es"}; that is all]`;
        const text =
          sandboxes.length === 0 && !cursor
            ? "No sandboxes yet; create_sandbox makes one."
            : `${lines.join("\n")}\n\n${more}`;
        return result(text, { sandboxes, nextCursor: page.nextCursor });
      },
    ),

    defineTool(
      "delete_sandbox",
      {
        title: "Delete sandbox",
        description:
          "Deletes a sandbox and every file in it, for good. Its id stops working for every tool.",
        inputSchema: z.strictObject({ sandboxId }),
        outputSchema: z.object({ deleted: z.string().describe("The id of the deleted sandbox.") }),
        annotations: {
          readOnlyHint: false,
          destructiveHint: true,
          idempotentHint: false,
          openWorldHint: false,
        },
      },
      async (client, { sandboxId }, { signal }) => {
        await client.sandboxes.delete(sandboxId, { signal });
        return result(`Deleted sandbox ${sandboxId} and all of its files.`, {
          deleted: sandboxId,
        });
      },
    ),
  ];
}
