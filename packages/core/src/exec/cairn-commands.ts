/** Cairn's own commands in every script: ranked search, and a file's tags and summary. */
import type { Command } from "just-bash";
import type { CairnBashFs } from "../bash-fs.js";
import { metaCommands } from "./meta-commands.js";
import { searchCommand } from "./search-command.js";

/** Their names, for /bin and /usr/bin. */
export const CAIRN_COMMANDS = ["search", "tag", "untag", "tags", "summary"] as const;

/** The commands, working on the script's own files through `fs`. */
export function cairnCommands(fs: CairnBashFs): Command[] {
  return [searchCommand(fs), ...metaCommands(fs)];
}
