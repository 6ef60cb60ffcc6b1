/** Diffs between two states of a sandbox (snapshots, or the current version): paths and text. */
import type { InodeRecord } from "./backend.js";
import { tryDecodeUtf8 } from "./encoding.js";
import { SnapshotNotFoundError } from "./errors.js";
import { describeChanges, type PathChange } from "./history.js";
import { Journal } from "./journal.js";
import { treeAtVersion, VersionUnavailableError } from "./past-trees.js";
import type { SandboxService, Scope } from "./sandbox-service.js";
import { getSnapshot } from "./snapshots.js";
import { unifiedDiff } from "./text/unified-diff.js";
import { Tree } from "./tree.js";

export { VersionUnavailableError };

/** One side of a diff: a snapshot of the sandbox, or a version (current, snapshotted or in the log). */
export type DiffEnd = { snapshotId: string } | { version: number };

export interface FileDiff {
  path: string;
  /** The unified diff; absent for binary files, files over the size bound or too many edits. */
  diff?: string;
  /** Why there is no `diff`. */
  skipped?: "binary" | "too_large" | "too_many_edits";
}

export interface SandboxDiff {
  from: { version: number; snapshotId?: string };
  to: { version: number; snapshotId?: string };
  changes: PathChange[];
  files: FileDiff[];
}

/** Files larger than this (either side) are listed without a text diff. */
const MAX_DIFF_FILE_BYTES = 1 << 20;

async function resolve(
  service: SandboxService,
  scope: Scope,
  sandboxId: string,
  end: DiffEnd,
): Promise<{ tree: Tree; snapshotId?: string }> {
  if ("snapshotId" in end) {
    await getSnapshot(service, scope, sandboxId, end.snapshotId);
    const data = await service.backend.loadSnapshotTree(scope.tenantId, end.snapshotId);
    if (!data) throw new SnapshotNotFoundError(end.snapshotId);
    return { tree: Tree.fromData(data), snapshotId: end.snapshotId };
  }
  const current = await service.tree(scope, sandboxId);
  if (current.version === end.version) return { tree: current };
  // A snapshot taken at that version holds its tree.
  let after: string | undefined;
  do {
    const page = await service.backend.listSnapshots(scope.tenantId, sandboxId, {
      limit: 200,
      after,
    });
    const match = page?.items.find((s) => s.version === end.version);
    if (match) return resolve(service, scope, sandboxId, { snapshotId: match.id });
    after = page?.next ?? undefined;
  } while (after !== undefined);
  // Else rebuilt from the commit log.
  return { tree: await treeAtVersion(service, scope, sandboxId, end.version, current) };
}

/** Walks `path` from the root (no symlinks followed): the inode there, if any. */
function lookup(tree: Tree, path: string): InodeRecord | undefined {
  let ino = 1;
  for (const name of path.split("/").filter(Boolean)) {
    const next = tree.children(ino).get(name);
    if (next === undefined) return undefined;
    ino = next;
  }
  return tree.inode(ino);
}

/**
 * What changed from `from` to `to` (default: the current version): the paths, as the commit log
 * lists them, and a unified diff of each text file whose content changed.
 */
export async function diffSandbox(
  service: SandboxService,
  scope: Scope,
  sandboxId: string,
  from: DiffEnd,
  to?: DiffEnd,
): Promise<SandboxDiff> {
  const a = await resolve(service, scope, sandboxId, from);
  const b = to
    ? await resolve(service, scope, sandboxId, to)
    : { tree: await service.tree(scope, sandboxId) };
  const journal = new Journal(a.tree);
  journal.replaceWith(b.tree);
  const changes = journal.toChangeSet();
  const changed = describeChanges(a.tree, changes, a.tree.apply(changes, b.tree.version));
  const pairs = changed
    .filter((c) => c.type === "file" && c.kind !== "mode")
    .map((c) => {
      const before = c.kind === "created" ? undefined : lookup(a.tree, c.from ?? c.path);
      const after = c.kind === "deleted" ? undefined : lookup(b.tree, c.path);
      return { change: c, before, after };
    })
    .filter(({ before, after }) => before?.blob !== after?.blob);
  const hashes = pairs.flatMap(({ before, after }) =>
    [before, after].filter((i) => i && i.size <= MAX_DIFF_FILE_BYTES).map((i) => i!.blob!),
  );
  const content = await service.loadContent(scope)([...new Set(hashes)]);
  // A past version whose content gc already took cannot be compared (the current tree's is kept).
  for (const { before, after } of pairs) {
    for (const [inode, side] of [
      [before, a],
      [after, b],
    ] as const) {
      if (inode && inode.size <= MAX_DIFF_FILE_BYTES && !content.has(inode.blob!)) {
        throw new VersionUnavailableError(side.tree.version);
      }
    }
  }
  const files = pairs.map(({ change, before, after }): FileDiff => {
    if ((before?.size ?? 0) > MAX_DIFF_FILE_BYTES || (after?.size ?? 0) > MAX_DIFF_FILE_BYTES) {
      return { path: change.path, skipped: "too_large" };
    }
    const text = (inode: InodeRecord | undefined) =>
      inode ? tryDecodeUtf8(content.get(inode.blob!) ?? new Uint8Array()) : null;
    const [oldText, newText] = [text(before), text(after)];
    if (oldText === undefined || newText === undefined) {
      return { path: change.path, skipped: "binary" };
    }
    const diff = unifiedDiff(
      { from: change.from ?? change.path, to: change.path },
      oldText,
      newText,
    );
    return diff === undefined
      ? { path: change.path, skipped: "too_many_edits" }
      : { path: change.path, diff };
  });
  const side = (end: { tree: Tree; snapshotId?: string }) => ({
    version: end.tree.version,
    ...(end.snapshotId ? { snapshotId: end.snapshotId } : {}),
  });
  return { from: side(a), to: side(b), changes: changed, files };
}
