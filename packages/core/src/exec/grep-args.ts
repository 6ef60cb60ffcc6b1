/**
 * What a just-bash `grep -r` command line looks for, as a GrepQuery a text
 * index can narrow: its options read exactly as just-bash 3.4 reads them, its
 * BRE/ERE pattern rewritten into the regex just-bash compiles. Anything whose
 * output can come from a file without a match (-v, -c, -L), patterns from
 * files, several patterns, Perl syntax or an option this does not know gives
 * undefined: that grep reads every file.
 */
import type { GrepQuery } from "../backend.js";

/** The commands just-bash runs through the same grep, and the option each implies. */
export const GREP_COMMANDS = { grep: [], egrep: ["-E"], fgrep: ["-F"] } as const;
export type GrepCommand = keyof typeof GREP_COMMANDS;

/** Options that change only how a matching file is printed, or narrow what matches. */
const HARMLESS = new Set([
  "n",
  "--line-number",
  "l",
  "--files-with-matches",
  "w",
  "--word-regexp",
  "x",
  "--line-regexp",
  "o",
  "--only-matching",
  "h",
  "--no-filename",
  "q",
  "--quiet",
  "--silent",
]);

export interface IndexableGrep {
  query: GrepQuery;
  /** How many paths it searches. */
  operands: number;
}

/**
 * The query of a recursive grep whose files without a match print nothing,
 * or undefined. `args` are the command's own (egrep/fgrep's implied option
 * is added here).
 */
export function indexableGrep(
  command: GrepCommand,
  args: readonly string[],
): IndexableGrep | undefined {
  const all = [...GREP_COMMANDS[command], ...args];
  let ignoreCase = false;
  let recursive = false;
  let extended = false;
  let perl = false;
  let fixed = false;
  let pattern: string | undefined;
  const operands: string[] = [];
  let options = true;
  for (let i = 0; i < all.length; i++) {
    const arg = all[i]!;
    if (options && arg === "--") {
      options = false;
      continue;
    }
    if (!options || !arg.startsWith("-") || arg === "-") {
      operands.push(arg);
      continue;
    }
    if (arg === "--help") return undefined;
    if (arg === "-e" && i + 1 < all.length) {
      pattern = all[++i];
      continue;
    }
    if (/^--(include|exclude|exclude-dir|max-count)=/.test(arg) || /^-m\d+$/.test(arg)) continue;
    if (/^-[ABC]\d+$/.test(arg)) continue;
    if ((arg === "-m" || arg === "-A" || arg === "-B" || arg === "-C") && i + 1 < all.length) {
      i++;
      continue;
    }
    if (arg.startsWith("--file=")) return undefined;
    for (const flag of arg.startsWith("--") ? [arg] : arg.slice(1).split("")) {
      if (flag === "i" || flag === "--ignore-case") ignoreCase = true;
      else if (flag === "r" || flag === "R" || flag === "--recursive") recursive = true;
      else if (flag === "E" || flag === "--extended-regexp") extended = true;
      else if (flag === "P" || flag === "--perl-regexp") perl = true;
      else if (flag === "F" || flag === "--fixed-strings") fixed = true;
      else if (!HARMLESS.has(flag)) return undefined; // -v, -c, -L, -f, or an error grep reports
    }
  }
  pattern ??= operands.shift();
  if (!recursive || operands.length === 0 || !pattern || pattern.includes("\n")) return undefined;
  const found = (query: GrepQuery) => ({ query, operands: operands.length });
  if (fixed) return found({ pattern, fixedString: true, ignoreCase });
  if (!extended && perl) return undefined;
  const expanded = expandPosixClasses(pattern);
  const regex = extended ? expanded : basicToExtended(expanded);
  // A `\` before these is an operator to GNU grep and unclear to just-bash's engine.
  if (/\\[<>`']/.test(regex)) return undefined;
  return found({ pattern: regex, fixedString: false, ignoreCase });
}

const POSIX_CLASSES = new Map([
  ["alpha", "a-zA-Z"],
  ["digit", "0-9"],
  ["alnum", "a-zA-Z0-9"],
  ["lower", "a-z"],
  ["upper", "A-Z"],
  ["xdigit", "0-9A-Fa-f"],
  ["space", " \\t\\n\\r\\f\\v"],
  ["blank", " \\t"],
  ["punct", "!-/:-@\\[-`{-~"],
  ["graph", "!-~"],
  ["print", " -~"],
  ["cntrl", "\\x00-\\x1F\\x7F"],
  ["ascii", "\\x00-\\x7F"],
  ["word", "a-zA-Z0-9_"],
]);

/** just-bash's first step for BRE and ERE: `[[:name:]]` spelled out, `[[:<:]]` as `\b`. */
function expandPosixClasses(pattern: string): string {
  let out = "";
  let i = 0;
  while (i < pattern.length) {
    if (pattern.startsWith("[[:<:]]", i) || pattern.startsWith("[[:>:]]", i)) {
      out += "\\b";
      i += 7;
      continue;
    }
    if (pattern[i] === "[") {
      let cls = "[";
      i++;
      if (i < pattern.length && (pattern[i] === "^" || pattern[i] === "!")) {
        cls += "^";
        i++;
      }
      if (i < pattern.length && pattern[i] === "]") {
        cls += "\\]";
        i++;
      }
      while (i < pattern.length && pattern[i] !== "]") {
        if (pattern[i] === "[" && pattern[i + 1] === ":") {
          const end = pattern.indexOf(":]", i + 2);
          const named = end === -1 ? undefined : POSIX_CLASSES.get(pattern.slice(i + 2, end));
          if (named !== undefined) {
            cls += named;
            i = end + 2;
            continue;
          }
        }
        if (pattern[i] === "\\" && i + 1 < pattern.length) {
          cls += pattern[i]! + pattern[i + 1]!;
          i += 2;
          continue;
        }
        cls += pattern[i];
        i++;
      }
      if (i < pattern.length && pattern[i] === "]") {
        cls += "]";
        i++;
      }
      out += cls;
      continue;
    }
    if (pattern[i] === "\\" && i + 1 < pattern.length) {
      out += pattern[i]! + pattern[i + 1]!;
      i += 2;
      continue;
    }
    out += pattern[i];
    i++;
  }
  return out;
}

/** just-bash's BRE rewrite: `\(`, `\|`, `\{m,n\}` become operators, `+?|(){}` literals. */
function basicToExtended(pattern: string): string {
  let out = "";
  let i = 0;
  let atStart = true;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === "[") {
      out += c;
      i++;
      if (i < pattern.length && (pattern[i] === "^" || pattern[i] === "!")) out += pattern[i++];
      if (i < pattern.length && pattern[i] === "]") out += pattern[i++];
      while (i < pattern.length && pattern[i] !== "]") {
        if (pattern[i] === "\\" && i + 1 < pattern.length) {
          out += pattern[i]! + pattern[i + 1]!;
          i += 2;
        } else out += pattern[i++];
      }
      if (i < pattern.length && pattern[i] === "]") out += pattern[i++];
      atStart = false;
      continue;
    }
    if (c === "\\" && i + 1 < pattern.length) {
      const next = pattern[i + 1]!;
      i += 2;
      if (next === "|" || next === "(") {
        out += next;
        atStart = true;
      } else if (next === ")") {
        out += next;
        atStart = false;
      } else if (next === "{") {
        const bound = /^\\\{(\d+)(,(\d*)?)?\\\}/.exec(pattern.slice(i - 2));
        if (bound) {
          out += bound[2] !== undefined ? `{${bound[1]},${bound[3] ?? ""}}` : `{${bound[1]}}`;
          i += bound[0].length - 2;
        } else out += "\\{";
        atStart = false;
      } else {
        out += c + next;
        atStart = false;
      }
      continue;
    }
    i++;
    if (c === "*" && atStart) {
      out += "\\*";
      continue;
    }
    if (c === "^") {
      out += atStart ? "^" : "\\^";
      continue;
    }
    if (c === "$") {
      const last = i === pattern.length;
      const closes = pattern[i] === "\\" && pattern[i + 1] === ")";
      out += last || closes ? "$" : "\\$";
      atStart = false;
      continue;
    }
    out += "+?|(){}".includes(c) ? `\\${c}` : c;
    atStart = false;
  }
  return out;
}
