/**
 * Where CairnBashFs (memory and Postgres, directly and through execScript)
 * and just-bash's InMemoryFs answer a corpus script differently, each with
 * its reason. The differential test fails on any difference not listed here.
 * This is the one list of them; docs/shell.md points here.
 */

export interface KnownDifference {
  /** The corpus script ids it applies to (see corpus.ts). */
  ids: string[];
  /** What differs. */
  field: "stdout" | "stderr" | "exitCode" | "tree";
  reason: string;
  /**
   * The difference depends on the clock (e.g. whole seconds of an mtime), so runs that fall
   * in the same second agree: its absence is not a stale entry.
   */
  clockDependent?: boolean;
}

export const KNOWN_DIFFERENCES: KnownDifference[] = [
  {
    ids: ["cp/link lcopy", "hand/53"],
    field: "tree",
    reason:
      "`cp link dest` copies the file the symlink points to (as GNU cp does without -r or -P); " +
      "InMemoryFs.cp copies the symlink itself.",
  },
  {
    ids: ["chmod/+x b.txt"],
    field: "tree",
    reason:
      "A hard link is one inode in Cairn, so chmod on b.txt changes b-hard too (POSIX); " +
      "InMemoryFs keeps a mode per name.",
  },
  {
    ids: ["hand/24"],
    field: "tree",
    reason:
      "`sed -i` writes the file in place through just-bash's writeFile: in Cairn that keeps the " +
      "inode, so the hard link b-hard sees the edit (like `echo > file` on Linux); InMemoryFs " +
      "replaces the name's entry and breaks the link (which happens to match GNU sed -i).",
  },
  {
    ids: ["hand/32"],
    field: "stdout",
    reason:
      "`ls /` on InMemoryFs shows just-bash's default /dev and /proc; Cairn serves /dev/null and " +
      "friends as devices without listing a /dev, and has no /proc.",
  },
  {
    ids: ["hand/54"],
    field: "stderr",
    reason:
      "`ln dir dirlink` fails on both (exit 1); the wording differs: InMemoryFs says 'hard link " +
      "not allowed for directory', Cairn reports EISDIR.",
  },
  {
    ids: ["time/true 2>/dev/null"],
    field: "stderr",
    reason: "`time` prints elapsed times, which differ from run to run.",
    // Both print 0m0.000s when `true` runs in under a millisecond on each side.
    clockDependent: true,
  },
  {
    ids: [
      "tar/-cf t.tar a.txt b.txt && tar -tf t.tar",
      "tar/-czf t.tgz dir && tar -tzf t.tgz | sort",
      "hand/39",
    ],
    field: "tree",
    reason:
      "The archive written records each file's mtime: the seed's clock time, different per run.",
    clockDependent: true,
  },
];
