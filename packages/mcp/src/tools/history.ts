/** snapshot, restore and diff: checkpoint a sandbox before a risky step, review it, go back. */
import { z } from "zod";
import { defineTool, openSandbox, result, sandboxId, type ToolDefinition } from "./common.js";

const change = z.object({
  path: z.string(),
  kind: z.enum(["created", "modified", "deleted", "moved", "mode"]),
  from: z.string().optional(),
});

export function historyTools(): ToolDefinition[] {
  return [
    defineTool(
      "snapshot",
      {
        title: "Snapshot sandbox",
        description:
          "Saves the sandbox's files as they are now, as a named checkpoint (cheap: content is shared, not copied). " +
          "Take one before a risky step; restore puts the files back to it. Returns the snapshot id.",
        inputSchema: z.strictObject({
          sandboxId,
          name: z
            .string()
            .min(1)
            .max(200)
            .optional()
            .describe("A label for the checkpoint, e.g. 'before-refactor'."),
        }),
        outputSchema: z.object({
          snapshotId: z.string().describe("Pass to restore to go back to this state."),
          version: z.number().int().describe("The sandbox version the snapshot holds."),
          files: z.number().int(),
        }),
        annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false },
      },
      async (client, { sandboxId, name }, { signal }) => {
        const sandbox = await openSandbox(client, sandboxId, signal);
        const snap = await sandbox.history.snapshot({ name, signal });
        return result(
          `Snapshot ${snap.id} of ${sandboxId} at version ${snap.version} (${snap.files} files). restore with snapshotId=${snap.id} puts the files back.`,
          { snapshotId: snap.id, version: snap.version, files: snap.files },
        );
      },
    ),

    defineTool(
      "restore",
      {
        title: "Restore sandbox",
        description:
          "Puts the sandbox's files back exactly as a snapshot has them, or as they were at an earlier version (files created since are removed, changed ones reverted), in one new version. " +
          "Settings and the shell state stay. To undo it, restore the version before it.",
        inputSchema: z.strictObject({
          sandboxId,
          snapshotId: z
            .string()
            .regex(/^snp_[A-Za-z0-9]{1,64}$/)
            .optional()
            .describe("The id the snapshot tool returned, e.g. snp_abc123."),
          version: z
            .number()
            .int()
            .min(1)
            .optional()
            .describe(
              "Instead of snapshotId: an earlier version of the sandbox (from its commit log).",
            ),
        }),
        outputSchema: z.object({
          version: z.number().int().describe("The sandbox version after the restore."),
          changes: z.array(change).describe("The paths the restore changed."),
        }),
        annotations: {
          readOnlyHint: false,
          destructiveHint: true,
          idempotentHint: true,
          openWorldHint: false,
        },
      },
      async (client, { sandboxId, snapshotId, version }, { signal }) => {
        if ((snapshotId === undefined) === (version === undefined)) {
          throw new Error("give either snapshotId or version");
        }
        const target = snapshotId ?? (version as number);
        const sandbox = await openSandbox(client, sandboxId, signal);
        const restored = await sandbox.history.restore(target, { signal });
        const what = snapshotId ?? `version ${version}`;
        const changes = restored.changes.map(({ path, kind, from }) =>
          from === undefined ? { path, kind } : { path, kind, from },
        );
        const lines = changes.map((c) => `  ${c.kind} ${c.from ? `${c.from} -> ` : ""}${c.path}`);
        const text =
          changes.length === 0
            ? `The files of ${sandboxId} already match ${what}; nothing changed.`
            : `Restored ${sandboxId} to ${what} as version ${restored.version}:\n${lines.join("\n")}`;
        return result(text, { version: restored.version, changes });
      },
    ),

    defineTool(
      "diff",
      {
        title: "Diff sandbox",
        description:
          "Shows what changed in a sandbox since a snapshot (or between two snapshots): the changed paths and a unified diff of each changed text file. " +
          "Use it to review what a step did before keeping it or restoring.",
        inputSchema: z.strictObject({
          sandboxId,
          from: z
            .string()
            .regex(/^(snp_[A-Za-z0-9]{1,64}|[1-9][0-9]{0,14})$/)
            .describe(
              "A snapshot id from the snapshot tool (or a version number) to compare from.",
            ),
          to: z
            .string()
            .regex(/^(snp_[A-Za-z0-9]{1,64}|[1-9][0-9]{0,14})$/)
            .optional()
            .describe(
              "A snapshot id or version to compare to; default: the files as they are now.",
            ),
        }),
        outputSchema: z.object({
          changes: z.array(change).describe("The paths that differ."),
          diff: z.string().describe("Unified diffs of the changed text files, concatenated."),
        }),
        annotations: { readOnlyHint: true, openWorldHint: false },
      },
      async (client, { sandboxId, from, to }, { signal }) => {
        const sandbox = await openSandbox(client, sandboxId, signal);
        const found = await sandbox.history.diff({ from, to }, { signal });
        const changes = found.changes.map(({ path, kind, from: was }) =>
          was === undefined ? { path, kind } : { path, kind, from: was },
        );
        const diff = found.files
          .map((f) => f.diff ?? `(${f.path}: ${f.skipped?.replaceAll("_", " ") ?? "no diff"})\n`)
          .join("");
        const text =
          changes.length === 0
            ? "No differences."
            : `${changes.map((c) => `${c.kind} ${c.from ? `${c.from} -> ` : ""}${c.path}`).join("\n")}\n\n${diff}`;
        return result(text, { changes, diff });
      },
    ),
  ];
}
