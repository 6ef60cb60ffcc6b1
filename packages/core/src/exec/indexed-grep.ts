/**
 * `grep -r` in a script at index speed: before just-bash's own grep walks the
 * tree, storage's text index names the stored files that may match, and the
 * others read as empty for the length of that one command. An empty file
 * prints nothing for the greps `indexableGrep` accepts, so the output, its
 * order, the errors (denied paths, directories) and the exit code are the
 * full scan's, without fetching or scanning what cannot match.
 */
import { type Command, defineCommand } from "just-bash";
import type { GrepQuery } from "../backend.js";
import type { Vfs } from "../vfs.js";
import { GREP_COMMANDS, type GrepCommand, indexableGrep } from "./grep-args.js";

/** grep, egrep and fgrep narrowed by `vfs`'s index; none when it has no index. */
export function indexedGrepCommands(vfs: Vfs): Command[] {
  if (!vfs.candidates) return [];
  return (Object.keys(GREP_COMMANDS) as GrepCommand[]).map((name) =>
    defineCommand(name, async (args, ctx) => {
      const original = ctx.origCommand;
      if (!original) throw new Error(`${name}: the bundled command is missing`);
      const query = indexableGrep(name, args);
      if (!query || vfs.skipped) return original(args);
      const skipped = await unmatchable(vfs, query);
      if (!skipped) return original(args);
      // Commands run one at a time (pipelines and `&` included), so only this grep reads meanwhile.
      vfs.skipped = skipped;
      try {
        return await original(args);
      } finally {
        vfs.skipped = undefined;
      }
    }),
  );
}

/**
 * Stored blobs of the tree the script started from that the index rules out,
 * or undefined when it cannot narrow them (then every file is read). Content
 * written by the script is never among them: `Vfs.content` reads the journal
 * first.
 */
async function unmatchable(vfs: Vfs, query: GrepQuery): Promise<Set<string> | undefined> {
  const tree = vfs.journal.base;
  const stored = new Set<string>();
  for (const ino of tree.inodeNumbers()) {
    const inode = tree.inode(ino);
    if (inode?.kind === "file" && inode.blob !== null && inode.size > 0) stored.add(inode.blob);
  }
  if (stored.size === 0) return undefined;
  let candidates: ReadonlySet<string> | undefined;
  try {
    candidates = await vfs.candidates!([...stored], query);
  } catch {
    // The index is an optimisation: when it fails, the full scan gives the answer (or the error).
    return undefined;
  }
  if (!candidates) return undefined;
  for (const hash of candidates) stored.delete(hash);
  return stored;
}
