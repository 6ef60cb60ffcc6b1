/**
 * `grep -r` in a script at index speed: before just-bash's own grep walks the
 * tree, storage's text index names the stored files that may match, and the
 * others read as empty for the length of that one command. An empty file
 * prints nothing for the greps `indexableGrep` accepts, so the output, its
 * order, the errors (denied paths, directories) and the exit code are the
 * full scan's, without fetching or scanning what cannot match. Where that is
 * provably the same, directories holding only such files are not even listed.
 */
import { type Command, defineCommand } from "just-bash";
import { type GrepQuery, ROOT_INO } from "../backend.js";
import type { Journal } from "../journal.js";
import type { ReadNarrowing } from "../narrowing.js";
import type { Vfs } from "../vfs.js";
import { GREP_COMMANDS, type GrepCommand, indexableGrep } from "./grep-args.js";

/** grep, egrep and fgrep narrowed by `vfs`'s index; none when it has no index. */
export function indexedGrepCommands(vfs: Vfs): Command[] {
  if (!vfs.candidates) return [];
  return (Object.keys(GREP_COMMANDS) as GrepCommand[]).map((name) =>
    defineCommand(name, async (args, ctx) => {
      const original = ctx.origCommand;
      if (!original) throw new Error(`${name}: the bundled command is missing`);
      const grep = indexableGrep(name, args);
      if (!grep || vfs.narrowing) return original(args);
      const skipped = await unmatchable(vfs, grep.query);
      if (!skipped) return original(args);
      const narrowing: ReadNarrowing = { skipped };
      // The walk's limits count entries: leaving some out must not spare a walk that would fail.
      const { maxGlobOperations, maxArrayElements } = ctx.limits;
      const budget = Math.min(maxGlobOperations, maxArrayElements) / (2 * grep.operands);
      if (!vfs.deny && treeInodes(vfs.journal) < budget - 1000) {
        narrowing.hidden = silentEntries(vfs.journal, skipped);
      }
      // Commands run one at a time (pipelines and `&` included), so only this grep reads meanwhile.
      vfs.narrowing = narrowing;
      try {
        return await original(args);
      } finally {
        vfs.narrowing = undefined;
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

/** At most how many inodes the journal's tree holds. */
function treeInodes(journal: Journal): number {
  return journal.base.usage.files + journal.changedInodes;
}

/**
 * Files that read as empty, and directories with nothing else below them: a
 * walk that skips them prints the same. Undefined when the tree holds a
 * symlink, since a walk may then reach a directory more than once.
 */
function silentEntries(journal: Journal, skipped: ReadonlySet<string>): Set<number> | undefined {
  const hidden = new Set<number>();
  let symlink = false;
  // Whether anything below `ino` may print (post-order; depth is bounded by MAX_PATH_DEPTH).
  const visit = (ino: number): boolean => {
    let kept = false;
    for (const child of journal.children(ino).values()) {
      const inode = journal.inode(child);
      if (!inode) continue;
      let keep: boolean;
      if (inode.kind === "directory") keep = visit(child);
      else if (inode.kind === "symlink") {
        symlink = true;
        keep = true;
      } else {
        const blob = inode.blob;
        keep =
          inode.size > 0 &&
          blob !== null &&
          (!skipped.has(blob) || journal.pendingBlob(blob) !== undefined);
      }
      if (keep) kept = true;
      else hidden.add(child);
    }
    return kept;
  };
  visit(ROOT_INO);
  return symlink ? undefined : hidden;
}
