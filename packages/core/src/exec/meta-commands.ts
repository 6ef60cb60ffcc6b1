/**
 * `tag`, `untag`, `tags` and `summary` inside scripts: a file's tags and
 * one-line summary (what GET/PUT .../fs/meta read and set, and what search
 * weighs). Changes go through the script's journal like any write.
 */
import { type Command, defineCommand } from "just-bash";
import type { FileMeta } from "../backend.js";
import type { CairnBashFs } from "../bash-fs.js";
import { COMMAND_DIRS } from "../command-dirs.js";
import { FsError } from "../errors.js";
import { resolvePath } from "../paths.js";
import { normalizeFileMeta } from "../text/meta.js";
import { done, failure, parseArgs, UsageError } from "./command-args.js";

const HELP = {
  tag: `Usage: tag FILE TAG...
Add tags to FILE (kept in order, each once). A tag is one word of printable
characters without spaces (auth, entry-point, lang:ts); a file has at most 32.
Tags are weighed by search and kept when the file is moved, copied or rewritten.
The change commits with the script. Exit status: 0 on success, 1 when FILE
cannot be changed (missing, a directory, read-only), 2 for a bad argument.
`,
  untag: `Usage: untag FILE TAG...
Remove tags from FILE (tags it does not have are ignored). Exit status as for tag.
`,
  tags: `Usage: tags FILE...
Print the tags of each FILE: one per line for a single FILE, and
"FILE: TAG TAG..." lines for several. Exit status: 0, or 1 when a FILE is
missing or a directory.
`,
  summary: `Usage: summary FILE            print FILE's one-line summary (nothing if none)
  or:  summary FILE TEXT...    set it (the words joined by spaces; at most 500 characters)
  or:  summary --clear FILE    remove it
The summary is weighed by search. A change commits with the script. Exit status:
0 on success, 1 when FILE is missing, a directory or cannot be changed, 2 for a
bad argument.
`,
} as const;

type Name = keyof typeof HELP;

/** Runs one meta command: `--help`, argument checks and error answers are the same for all four. */
function metaCommand(
  name: Name,
  flags: readonly string[],
  body: (parsed: { operands: string[]; flags: Set<string> }, cwd: string) => Promise<string>,
): Command {
  return defineCommand(name, async (args, ctx) => {
    try {
      const parsed = parseArgs(args, { flags: ["help", ...flags], aliases: { h: "help" } });
      if (parsed.flags.has("help")) return done(HELP[name]);
      return done(await body(parsed, ctx.cwd));
    } catch (error) {
      return failure(name, error);
    }
  });
}

/** The file's meta, read as the API's GET .../fs/meta does (symlinks followed; no directories). */
async function metaOf(fs: CairnBashFs, path: string, syscall: string): Promise<FileMeta> {
  if (COMMAND_DIRS.some((dir) => path === dir || path.startsWith(`${dir}/`))) {
    // The command stubs are Cairn's, not the sandbox's: they have no tags and take none.
    const stat = await fs.stat(path);
    if (syscall === "setmeta") throw new FsError("EROFS", syscall, path);
    if (stat.isDirectory) throw new FsError("EISDIR", syscall, path);
    return { tags: [], summary: null };
  }
  const stat = fs.vfs.stat(path, true);
  if (stat.kind === "directory") throw new FsError("EISDIR", syscall, path);
  return stat.meta ?? { tags: [], summary: null };
}

function needs(count: number, operands: readonly string[], what: string): void {
  if (operands.length < count) throw new UsageError(`missing ${what}`);
}

export function metaCommands(fs: CairnBashFs): Command[] {
  const changeTags = (name: "tag" | "untag") =>
    metaCommand(name, [], async ({ operands }, cwd) => {
      needs(1, operands, "FILE");
      needs(2, operands, "TAG");
      const path = resolvePath(cwd, operands[0]!);
      const given = normalizeFileMeta({ tags: operands.slice(1) }).tags;
      const meta = await metaOf(fs, path, "setmeta");
      const tags =
        name === "tag"
          ? [...meta.tags, ...given.filter((t) => !meta.tags.includes(t))]
          : meta.tags.filter((t) => !given.includes(t));
      await fs.setMeta(path, normalizeFileMeta({ tags, summary: meta.summary }));
      return "";
    });

  const tags = metaCommand("tags", [], async ({ operands }, cwd) => {
    needs(1, operands, "FILE");
    if (operands.length === 1) {
      const { tags } = await metaOf(fs, resolvePath(cwd, operands[0]!), "getmeta");
      return tags.map((t) => `${t}\n`).join("");
    }
    let out = "";
    for (const operand of operands) {
      const { tags } = await metaOf(fs, resolvePath(cwd, operand), "getmeta");
      out += `${operand}:${tags.map((t) => ` ${t}`).join("")}\n`;
    }
    return out;
  });

  const summary = metaCommand("summary", ["clear"], async ({ operands, flags }, cwd) => {
    needs(1, operands, "FILE");
    const path = resolvePath(cwd, operands[0]!);
    const meta = await metaOf(fs, path, flags.has("clear") ? "setmeta" : "getmeta");
    if (flags.has("clear")) {
      if (operands.length > 1) throw new UsageError("--clear takes only FILE");
      await fs.setMeta(path, { tags: meta.tags, summary: null });
      return "";
    }
    if (operands.length === 1) return meta.summary === null ? "" : `${meta.summary}\n`;
    const text = operands.slice(1).join(" ");
    await fs.setMeta(path, normalizeFileMeta({ tags: meta.tags, summary: text }));
    return "";
  });

  return [changeTags("tag"), changeTags("untag"), tags, summary];
}
