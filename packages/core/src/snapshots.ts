/** Snapshots, forks and restores: naming a tree, copying it, going back to it, in O(metadata). */
import { randomBytes } from "node:crypto";
import {
  DEFAULT_SANDBOX_OPTIONS,
  type ForkSource,
  type SandboxExpiry,
  type SandboxOptions,
  type SandboxRecord,
  type SnapshotPage,
  type SnapshotRecord,
} from "./backend.js";
import {
  FsError,
  InvalidArgumentError,
  SandboxNotFoundError,
  SnapshotNotFoundError,
} from "./errors.js";
import { UNKNOWN_ORIGIN } from "./history.js";
import { normalizePolicy } from "./policy.js";
import { newSandboxId, type SandboxService, type Scope } from "./sandbox-service.js";
import { Tree } from "./tree.js";

const ID_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** `snp_` + 24 base62 chars: unguessable. */
export function newSnapshotId(): string {
  let id = "snp_";
  for (const b of randomBytes(24)) id += ID_ALPHABET[b % 62];
  return id;
}

function isSnapshotId(id: string): boolean {
  return /^snp_[A-Za-z0-9]{1,64}$/.test(id);
}

function checkName(name: string | null | undefined): void {
  if (name?.includes("\0")) throw new InvalidArgumentError("name must not contain NUL");
}

/**
 * Freezes the sandbox's current tree. With `ifVersion`, only if it is still at that version
 * (VersionConflictError otherwise).
 */
export async function createSnapshot(
  service: SandboxService,
  scope: Scope,
  sandboxId: string,
  input: { name?: string | null; ifVersion?: number } = {},
): Promise<SnapshotRecord> {
  await service.get(scope, sandboxId);
  checkName(input.name);
  return service.backend.createSnapshot(scope.tenantId, sandboxId, {
    id: newSnapshotId(),
    name: input.name ?? null,
    atVersion: input.ifVersion,
  });
}

export async function listSnapshots(
  service: SandboxService,
  scope: Scope,
  sandboxId: string,
  page: { limit: number; after?: string },
): Promise<SnapshotPage> {
  await service.get(scope, sandboxId);
  const found = await service.backend.listSnapshots(scope.tenantId, sandboxId, page);
  if (!found) throw new SandboxNotFoundError(sandboxId);
  return found;
}

/** One snapshot of this sandbox (another sandbox's is not found here). */
export async function getSnapshot(
  service: SandboxService,
  scope: Scope,
  sandboxId: string,
  snapshotId: string,
): Promise<SnapshotRecord> {
  await service.get(scope, sandboxId);
  const found = isSnapshotId(snapshotId)
    ? await service.backend.getSnapshot(scope.tenantId, snapshotId)
    : undefined;
  if (!found || found.sandboxId !== sandboxId) throw new SnapshotNotFoundError(snapshotId);
  return found;
}

export async function deleteSnapshot(
  service: SandboxService,
  scope: Scope,
  sandboxId: string,
  snapshotId: string,
): Promise<void> {
  await getSnapshot(service, scope, sandboxId, snapshotId);
  if (!(await service.backend.deleteSnapshot(scope.tenantId, snapshotId))) {
    throw new SnapshotNotFoundError(snapshotId);
  }
}

export interface ForkInput {
  name?: string | null;
  env?: Record<string, string>;
  options?: SandboxOptions;
  /** Absent: never expires (a fork never takes its source's expiry). */
  expiry?: SandboxExpiry;
}

/**
 * A new sandbox whose tree starts as a copy of a snapshot's or another sandbox's (content is
 * shared, never copied); from then on the two are independent. Settings not given are the
 * defaults, not the source's.
 */
export async function forkSandbox(
  service: SandboxService,
  scope: Scope,
  from: ForkSource,
  input: ForkInput = {},
): Promise<SandboxRecord> {
  checkName(input.name);
  if ("snapshotId" in from && !isSnapshotId(from.snapshotId)) {
    throw new SnapshotNotFoundError(from.snapshotId);
  }
  if ("sandboxId" in from) await service.get(scope, from.sandboxId);
  return service.backend.forkSandbox(
    {
      id: newSandboxId(),
      tenantId: scope.tenantId,
      name: input.name ?? null,
      env: input.env ?? {},
      options: input.options ?? DEFAULT_SANDBOX_OPTIONS,
      ...(input.expiry ? { expiry: input.expiry } : {}),
    },
    from,
    { origin: { ...UNKNOWN_ORIGIN, ...scope.origin }, changes: [], changeCount: 0 },
  );
}

/**
 * Puts the sandbox's tree back to a snapshot's, as one new commit (so it can be undone by
 * restoring a snapshot taken before). `check` sees the version it is based on and may throw.
 */
export async function restoreSnapshot(
  service: SandboxService,
  scope: Scope,
  sandboxId: string,
  snapshotId: string,
  check: (currentVersion: number) => void = () => {},
): Promise<{ version: number; changed: boolean }> {
  await getSnapshot(service, scope, sandboxId, snapshotId);
  // A read-only sandbox's files cannot be rewritten by a restore either.
  if (normalizePolicy((await service.get(scope, sandboxId)).options.policy).readOnly) {
    throw new FsError("EROFS", "restore", "/");
  }
  const data = await service.backend.loadSnapshotTree(scope.tenantId, snapshotId);
  if (!data) throw new SnapshotNotFoundError(snapshotId);
  const target = Tree.fromData(data);
  const outcome = await service.mutate(scope, sandboxId, (vfs) => {
    check(vfs.journal.base.version);
    vfs.journal.replaceWith(target);
  });
  return { version: outcome.version, changed: outcome.changed };
}
