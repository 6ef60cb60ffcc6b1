/**
 * Copy-on-write trees (migration 16): a tree is a stack of layers, top first, and only a
 * sandbox's top layer is ever written. A snapshot or a fork shares the frozen layers below
 * a new, empty top, so it writes a few rows whatever the size of the tree.
 */
import { randomBytes } from "node:crypto";
import type { DentryRecord, InodeRecord } from "@cairn/core";
import type { TransactionSql } from "postgres";
import { INODE_COLUMNS, type InodeRow, toInode } from "./rows.js";

/**
 * Most layers a stack holds. Past it, freezing merges the frozen layers above the bottom one
 * into one (a copy of the rows changed since the bottom layer, never content), so reading a
 * tree merges a bounded number of layers at the cost of the changes, not of the whole tree.
 */
export const MAX_STACK = 8;

/** A deleted inode (`kind`) or name (`ino`) in a layer whose lower layers may hold it. */
export const WHITEOUT_KIND = "x";
export const WHITEOUT_INO = 0;

const ID_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** `lyr_` + 24 base62 chars; a sandbox's first layer has the sandbox's own id. */
export function newLayerId(): string {
  let id = "lyr_";
  for (const b of randomBytes(24)) id += ID_ALPHABET[b % 62];
  return id;
}

/** A stack's merged tree: the topmost row of each inode and name wins, whiteouts delete. */
export async function loadStack(
  tx: TransactionSql,
  tenantId: string,
  stack: readonly string[],
): Promise<{ inodes: InodeRecord[]; dentries: DentryRecord[] }> {
  const [inodeRows, dentryRows] = await Promise.all([
    tx<Array<InodeRow & { layer: string }>>`
      SELECT sandbox_id AS layer, ${tx.unsafe(INODE_COLUMNS)} FROM inodes
      WHERE tenant_id = ${tenantId} AND sandbox_id = ANY(${tx.array([...stack])}::text[])`,
    tx<Array<DentryRecord & { layer: string }>>`
      SELECT sandbox_id AS layer, parent::float8 AS parent, name, ino::float8 AS ino FROM dentries
      WHERE tenant_id = ${tenantId} AND sandbox_id = ANY(${tx.array([...stack])}::text[])`,
  ]);
  if (stack.length === 1) {
    return {
      inodes: inodeRows.filter((r) => r.kind !== WHITEOUT_KIND).map(toInode),
      dentries: dentryRows
        .filter((d) => d.ino !== WHITEOUT_INO)
        .map((d) => ({ parent: d.parent, name: d.name, ino: d.ino })),
    };
  }
  const depth = new Map(stack.map((layer, i) => [layer, i]));
  const inodes = new Map<number, { depth: number; row: InodeRow }>();
  for (const row of inodeRows) {
    const d = depth.get(row.layer)!;
    const seen = inodes.get(row.ino);
    if (!seen || d < seen.depth) inodes.set(row.ino, { depth: d, row });
  }
  const names = new Map<string, { depth: number; dentry: DentryRecord }>();
  for (const row of dentryRows) {
    const d = depth.get(row.layer)!;
    const key = `${row.parent}/${row.name}`;
    const seen = names.get(key);
    if (!seen || d < seen.depth) {
      names.set(key, { depth: d, dentry: { parent: row.parent, name: row.name, ino: row.ino } });
    }
  }
  return {
    inodes: [...inodes.values()]
      .filter(({ row }) => row.kind !== WHITEOUT_KIND)
      .map(({ row }) => toInode(row)),
    dentries: [...names.values()]
      .filter(({ dentry }) => dentry.ino !== WHITEOUT_INO)
      .map(({ dentry }) => dentry),
  };
}

/** Files (not the root) and content bytes of a stack's tree, as quotas count them. */
export async function stackUsage(
  tx: TransactionSql,
  tenantId: string,
  stack: readonly string[],
): Promise<{ files: number; bytes: number }> {
  const [row] = await tx<Array<{ files: number; bytes: number }>>`
    SELECT count(*) FILTER (WHERE ino <> 1 AND kind <> ${WHITEOUT_KIND})::float8 AS files,
      coalesce(sum(size) FILTER (WHERE kind = 'f'), 0)::float8 AS bytes
    FROM (
      SELECT DISTINCT ON (ino) ino, kind, size FROM inodes
      WHERE tenant_id = ${tenantId} AND sandbox_id = ANY(${tx.array([...stack])}::text[])
      ORDER BY ino, array_position(${tx.array([...stack])}::text[], sandbox_id)
    ) merged`;
  return row!;
}

/** One more holder (a new sandbox or snapshot) of every layer of `stack`. */
export function holdStack(tx: TransactionSql, tenantId: string, stack: readonly string[]) {
  return tx`
    UPDATE layers SET refs = refs + 1
    WHERE tenant_id = ${tenantId} AND id = ANY(${tx.array([...stack])}::text[])`.execute();
}

/** A new layer with one holder. */
export function addLayer(tx: TransactionSql, tenantId: string, id: string) {
  return tx`INSERT INTO layers (tenant_id, id, refs) VALUES (${tenantId}, ${id}, 1)`.execute();
}

/**
 * Freezes a sandbox's tree for sharing, and returns the frozen stack (for a snapshot or a
 * fork to hold). The caller holds the sandbox's row lock. When its top layer has rows, the
 * sandbox goes on writing to a new, empty top above them; when the top is still empty (nothing
 * written since the last freeze), the layers under it are already frozen. Stacks that would
 * grow past MAX_STACK are compacted first (see MAX_STACK).
 */
export async function freezeSandbox(
  tx: TransactionSql,
  tenantId: string,
  sandboxId: string,
  stack: readonly string[],
): Promise<string[]> {
  const [top, ...below] = stack as [string, ...string[]];
  let sandboxTop = top;
  let frozen: string[];
  if (below.length > 0 && (await layerIsEmpty(tx, tenantId, top))) {
    frozen = below;
  } else {
    sandboxTop = newLayerId();
    await addLayer(tx, tenantId, sandboxTop);
    frozen = [...stack];
  }
  if (frozen.length >= MAX_STACK) {
    // Every count this compaction changes, locked at once in id order (as the single UPDATE
    // of a release or hold locks them), so it cannot deadlock with holders released meanwhile.
    await tx`
      SELECT 1 FROM layers WHERE tenant_id = ${tenantId} AND id = ANY(${tx.array(frozen)}::text[])
      ORDER BY id FOR UPDATE`;
    const upper = frozen.slice(0, -1);
    const merged = await mergeLayers(tx, tenantId, upper);
    // The sandbox holds the merged layer instead of the ones it merges (which other stacks
    // may still hold).
    await addLayer(tx, tenantId, merged);
    await tx`SELECT cairn_release_layers(${tenantId}, ${tx.array(upper)}::text[])`;
    frozen = [merged, frozen.at(-1)!];
  }
  const next = [sandboxTop, ...frozen];
  if (next.length !== stack.length || next.some((layer, i) => layer !== stack[i])) {
    await tx`
      UPDATE sandboxes SET layers = ${tx.array(next)}::text[]
      WHERE tenant_id = ${tenantId} AND id = ${sandboxId}`;
  }
  return frozen;
}

async function layerIsEmpty(tx: TransactionSql, tenantId: string, layer: string) {
  const [row] = await tx<Array<{ used: boolean }>>`
    SELECT EXISTS (SELECT 1 FROM inodes WHERE tenant_id = ${tenantId} AND sandbox_id = ${layer})
        OR EXISTS (SELECT 1 FROM dentries WHERE tenant_id = ${tenantId} AND sandbox_id = ${layer}) AS used`;
  return !row!.used;
}

/**
 * Copies the topmost row of each inode and name of `layers` (whiteouts included: they still
 * hide rows of the layer below) into a new layer, and returns its id.
 */
async function mergeLayers(
  tx: TransactionSql,
  tenantId: string,
  stack: readonly string[],
): Promise<string> {
  const merged = newLayerId();
  const layers = tx.array([...stack]);
  await Promise.all([
    tx`
      INSERT INTO inodes (tenant_id, sandbox_id, ino, kind, mode, mtime_ms, size, blob, target, meta)
      SELECT ${tenantId}, ${merged}, ino, kind, mode, mtime_ms, size, blob, target, meta FROM (
        SELECT DISTINCT ON (ino) * FROM inodes
        WHERE tenant_id = ${tenantId} AND sandbox_id = ANY(${layers}::text[])
        ORDER BY ino, array_position(${layers}::text[], sandbox_id)
      ) merged`.execute(),
    tx`
      INSERT INTO dentries (tenant_id, sandbox_id, parent, name, ino)
      SELECT ${tenantId}, ${merged}, parent, name, ino FROM (
        SELECT DISTINCT ON (parent, name) * FROM dentries
        WHERE tenant_id = ${tenantId} AND sandbox_id = ANY(${layers}::text[])
        ORDER BY parent, name, array_position(${layers}::text[], sandbox_id)
      ) merged`.execute(),
  ]);
  return merged;
}
