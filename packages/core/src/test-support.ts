/** Builds a Vfs over an empty in-memory tree, for unit tests of the core's semantics. */
import { rootInode } from "./backend.js";
import { Journal } from "./journal.js";
import { Tree } from "./tree.js";
import { Vfs } from "./vfs.js";

export function emptyTree(): Tree {
  return Tree.fromData({ version: 1, inodes: [rootInode(0)], dentries: [] });
}

/** A Vfs whose committed content lives in `blobs` (filled by `commitInto`). */
export function scratchVfs(tree: Tree = emptyTree(), blobs = new Map<string, Uint8Array>()): Vfs {
  return new Vfs(new Journal(tree), async (hashes) => {
    const found = new Map<string, Uint8Array>();
    for (const h of hashes) {
      const b = blobs.get(h);
      if (b) found.set(h, b);
    }
    return found;
  });
}

/** Applies a Vfs's journal to its base tree, as a backend commit would. */
export function commitInto(vfs: Vfs, blobs: Map<string, Uint8Array>): Tree {
  const changes = vfs.journal.toChangeSet();
  for (const b of changes.blobs) blobs.set(b.hash, b.bytes);
  return vfs.journal.base.apply(changes, vfs.journal.base.version + 1);
}

export const bytes = (text: string) => new TextEncoder().encode(text);
export const text = (data: Uint8Array) => new TextDecoder().decode(data);

export { seededRandom } from "./seeded-random.js";

/** The `code` of what `fn` throws (an errno name), or "no error". */
export function errorCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return "no error";
}
