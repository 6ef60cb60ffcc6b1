/**
 * Reading many files for grep and search: a backend's index rules out the
 * files that cannot match, and the rest are read in batches so their storage
 * round trips overlap.
 */
import type { GrepQuery } from "../backend.js";
import type { Vfs } from "../vfs.js";

/**
 * Given committed files and what is looked for, returns the content hashes
 * that MAY match (a superset of the real matches; a backend answers with its
 * index), or undefined when it cannot narrow them.
 */
export type ContentCandidates = (
  files: ReadonlyArray<{ path: string; hash: string; size: number }>,
  query: GrepQuery,
) => Promise<ReadonlySet<string> | undefined>;

type FileItem = { path: string; stat: { size: number; blob: string | null } };

/**
 * The files of `files` (all with content) that `candidates` rules out for
 * `query`. Files whose content exists only in this Vfs's journal are never
 * ruled out, since an index of stored content cannot know them.
 */
export async function ruledOut<T extends FileItem>(
  vfs: Vfs,
  files: readonly T[],
  candidates: ContentCandidates,
  query: GrepQuery,
): Promise<T[]> {
  // A journal that wrote nothing holds no content of its own: nothing to leave out.
  const asked = vfs.journal.changed
    ? files.filter((f) => vfs.journal.pendingBlob(f.stat.blob!) === undefined)
    : files;
  if (asked.length === 0) return [];
  const hashes = await candidates(
    asked.map((f) => ({ path: f.path, hash: f.stat.blob!, size: f.stat.size })),
    query,
  );
  if (hashes === undefined) return [];
  return asked.filter((f) => !hashes.has(f.stat.blob!));
}

/** Files read in one storage round trip. */
const READ_BATCH_FILES = 64;
/** Bytes a read batch may hold; a batch takes at least one file whatever its size. */
const READ_BATCH_BYTES = 32 * 1024 * 1024;

/**
 * Reads the `wanted` files of `plan` from `start` on, up to a batch's count
 * and bytes, in one storage read. `end` is where the next batch starts: the files
 * before it are either unwanted or in `contents` (by index).
 */
export async function readBatch<T extends { path: string; stat: { size: number } }>(
  vfs: Vfs,
  plan: readonly T[],
  start: number,
  wanted: (item: T) => boolean,
): Promise<{ contents: Map<number, Uint8Array>; end: number }> {
  const batch: number[] = [];
  let bytes = 0;
  let end = start;
  for (; end < plan.length && batch.length < READ_BATCH_FILES; end++) {
    const item = plan[end]!;
    if (!wanted(item)) continue;
    if (batch.length > 0 && bytes + item.stat.size > READ_BATCH_BYTES) break;
    batch.push(end);
    bytes += item.stat.size;
  }
  const contents = batch.length === 0 ? [] : await vfs.readFiles(batch.map((k) => plan[k]!.path));
  return { contents: new Map(batch.map((k, i) => [k, contents[i]!])), end };
}
