/**
 * Trees of past versions, rebuilt from the commit log: each commit stores the rows it replaced
 * (its undo), so the tree at version N is the current tree with the undos of the commits after N
 * applied newest first — O(changes since N), no content read.
 */
import { FsError, SandboxNotFoundError } from "./errors.js";
import { normalizePolicy } from "./policy.js";
import type { SandboxService, Scope } from "./sandbox-service.js";
import type { Tree } from "./tree.js";

/** No tree can be had for this version: not the current one, no snapshot holds it, not in the log. */
export class VersionUnavailableError extends Error {
  override readonly name = "VersionUnavailableError";
  constructor(readonly version: number) {
    super(
      `no tree is kept for version ${version}: it is not the current version, no snapshot holds it, and the commit log no longer reaches back to it`,
    );
  }
}

/**
 * The sandbox's tree at `version`: the current tree, or one rebuilt from the log. Throws
 * VersionUnavailableError when the log does not reach back to it (or it is in the future).
 */
export async function treeAtVersion(
  service: SandboxService,
  scope: Scope,
  sandboxId: string,
  version: number,
  current?: Tree,
): Promise<Tree> {
  const now = current ?? (await service.tree(scope, sandboxId));
  if (version === now.version) return now;
  if (version > now.version || version < 1 || !service.backend.loadUndo) {
    throw new VersionUnavailableError(version);
  }
  const undos = await service.backend.loadUndo(scope.tenantId, sandboxId, version);
  if (!undos) throw new SandboxNotFoundError(sandboxId);
  const byVersion = new Map(undos.map((u) => [u.version, u.undo]));
  let tree = now;
  for (let v = now.version; v > version; v--) {
    const undo = byVersion.get(v);
    if (!undo) throw new VersionUnavailableError(version);
    tree = tree.apply({ baseVersion: v, ...undo, blobs: [] }, v - 1);
  }
  return tree;
}

/**
 * Puts the sandbox's files back to how they were at `version` (from the commit log), as one new
 * commit that can itself be undone by restoring the version before it. Content the current tree
 * no longer references is read and carried in the commit, so gc cannot have it (or take it) away:
 * when gc already did, the version is unavailable. `check` sees the base version and may throw.
 */
export async function restoreVersion(
  service: SandboxService,
  scope: Scope,
  sandboxId: string,
  version: number,
  check: (currentVersion: number) => void = () => {},
): Promise<{ version: number; changed: boolean }> {
  // A read-only sandbox's files cannot be rewritten by a restore either.
  if (normalizePolicy((await service.get(scope, sandboxId)).options.policy).readOnly) {
    throw new FsError("EROFS", "restore", "/");
  }
  const outcome = await service.mutate(scope, sandboxId, async (vfs) => {
    const base = vfs.journal.base;
    check(base.version);
    const target = await treeAtVersion(service, scope, sandboxId, version, base);
    vfs.journal.replaceWith(target);
    const present = new Set<string>();
    for (const ino of base.inodeNumbers()) {
      const blob = base.inode(ino)?.blob;
      if (blob) present.add(blob);
    }
    const needed = new Set<string>();
    for (const ino of target.inodeNumbers()) {
      const blob = target.inode(ino)?.blob;
      if (blob && !present.has(blob)) needed.add(blob);
    }
    if (needed.size === 0) return;
    const content = await service.loadContent(scope)([...needed]);
    for (const hash of needed) {
      const bytes = content.get(hash);
      if (!bytes) throw new VersionUnavailableError(version);
      vfs.journal.putBlob(bytes);
    }
  });
  return { version: outcome.version, changed: outcome.changed };
}
