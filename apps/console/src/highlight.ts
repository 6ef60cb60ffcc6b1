/**
 * Syntax highlighting as tokens, never HTML: each token becomes a text node in a span, so a
 * file's content can never become markup. A few language families by file extension.
 */

export type TokenKind = "plain" | "comment" | "string" | "number" | "keyword" | "tag" | "key";
export interface Token {
  kind: TokenKind;
  text: string;
}

interface Language {
  /** Alternatives tried in order at each position; the group that matched names the kind. */
  rules: Array<[TokenKind, string]>;
  keywords?: Set<string>;
}

const words = (list: string) => new Set(list.split(" "));

const C_LIKE_KEYWORDS = words(
  "as async await break case catch class const continue default defer delete do else enum export extends false final finally fn for from func function go if impl implements import in instanceof interface let match mod mut new nil null package private protected pub public return self static struct super switch this throw true try type typeof undefined use var void while yield",
);
const STRINGS = `"(?:[^"\\\\\\n]|\\\\.)*"?|'(?:[^'\\\\\\n]|\\\\.)*'?`;
const NUMBER = "\\b(?:0x[0-9a-fA-F_]+|\\d[\\d_]*(?:\\.\\d+)?(?:[eE][+-]?\\d+)?)\\b";
const WORD = "[A-Za-z_$][\\w$]*";
/** The end of the text (`$` is the end of a line under the `m` flag, and must not end a block comment). */
const END = "(?![\\s\\S])";

const LANGUAGES: Record<string, Language> = {
  c: {
    rules: [
      ["comment", `//[^\\n]*|/\\*[\\s\\S]*?(?:\\*/|${END})`],
      ["string", `${STRINGS}|\`(?:[^\`\\\\]|\\\\.)*\`?`],
      ["number", NUMBER],
      ["keyword", WORD],
    ],
    keywords: C_LIKE_KEYWORDS,
  },
  python: {
    rules: [
      ["comment", "#[^\\n]*"],
      ["string", `"""[\\s\\S]*?(?:"""|${END})|'''[\\s\\S]*?(?:'''|${END})|${STRINGS}`],
      ["number", NUMBER],
      ["keyword", WORD],
    ],
    keywords: words(
      "and as assert async await break class continue def del elif else except False finally for from global if import in is lambda None nonlocal not or pass raise return True try while with yield self",
    ),
  },
  shell: {
    rules: [
      ["comment", "(?:^|(?<=\\s))#[^\\n]*"],
      ["string", STRINGS],
      ["key", "\\$\\{[^}\\n]*\\}?|\\$[A-Za-z_]\\w*|\\$[0-9@#?*$!-]"],
      ["number", NUMBER],
      ["keyword", WORD],
    ],
    keywords: words(
      "if then else elif fi for while until do done case esac function in return exit export local readonly echo cd set unset shift source true false",
    ),
  },
  json: {
    rules: [
      ["key", `"(?:[^"\\\\\\n]|\\\\.)*"(?=\\s*:)`],
      ["string", STRINGS],
      ["number", "-?\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?"],
      ["keyword", WORD],
    ],
    keywords: words("true false null"),
  },
  yaml: {
    rules: [
      ["comment", "#[^\\n]*"],
      ["key", "^[ \\t-]*[\\w.-]+(?=\\s*:)"],
      ["string", STRINGS],
      ["number", NUMBER],
      ["keyword", WORD],
    ],
    keywords: words("true false null yes no on off"),
  },
  markup: {
    rules: [
      ["comment", `<!--[\\s\\S]*?(?:-->|${END})`],
      ["tag", "</?[A-Za-z][\\w:-]*|/?>"],
      ["string", STRINGS],
    ],
  },
  css: {
    rules: [
      ["comment", `/\\*[\\s\\S]*?(?:\\*/|${END})`],
      ["string", STRINGS],
      ["key", "[\\w-]+(?=\\s*:)"],
      ["number", "-?\\d+(?:\\.\\d+)?(?:px|em|rem|%|vh|vw|s|ms)?"],
    ],
  },
  sql: {
    rules: [
      ["comment", `--[^\\n]*|/\\*[\\s\\S]*?(?:\\*/|${END})`],
      ["string", "'(?:[^']|'')*'?"],
      ["number", NUMBER],
      ["keyword", WORD],
    ],
    keywords: words(
      "select from where and or not insert into values update set delete create table index primary key references join left right inner outer on group by order limit offset as null is in returning with begin commit rollback alter drop",
    ),
  },
};

const EXTENSIONS: Record<string, keyof typeof LANGUAGES> = {};
for (const [language, extensions] of Object.entries({
  c: "js mjs cjs jsx ts mts cts tsx c h cc cpp hpp go rs java kt swift cs php scala dart",
  python: "py pyi",
  shell: "sh bash zsh env",
  json: "json jsonc",
  yaml: "yaml yml toml",
  markup: "html htm xml svg vue",
  css: "css scss less",
  sql: "sql",
})) {
  for (const extension of extensions.split(" ")) EXTENSIONS[extension] = language;
}

/** The language family for a path, or undefined for plain text. */
export function languageOf(path: string): string | undefined {
  const name = path.split("/").pop() ?? "";
  if (name === "Dockerfile" || name === "Makefile") return "shell";
  const dot = name.lastIndexOf(".");
  return dot < 0 ? undefined : EXTENSIONS[name.slice(dot + 1).toLowerCase()];
}

const compiled = new Map<string, RegExp>();
function patternFor(name: string, language: Language): RegExp {
  let pattern = compiled.get(name);
  if (!pattern) {
    pattern = new RegExp(language.rules.map(([, source]) => `(${source})`).join("|"), "gm");
    compiled.set(name, pattern);
  }
  return pattern;
}

/** Splits `text` into lines of tokens; plain text (or an unknown language) is one token a line. */
export function highlightLines(text: string, language: string | undefined): Token[][] {
  const lines: Token[][] = [[]];
  const push = (kind: TokenKind, value: string) => {
    const parts = value.split(/\r\n|\r|\n/);
    parts.forEach((part, i) => {
      if (i > 0) lines.push([]);
      const line = lines[lines.length - 1];
      const last = line?.[line.length - 1];
      // Neighbours of one kind merge, so a line is as few text nodes as it can be.
      if (part && last?.kind === kind) last.text += part;
      else if (part) line?.push({ kind, text: part });
    });
  };
  const spec = language ? LANGUAGES[language] : undefined;
  if (!spec || !language) {
    push("plain", text);
    return lines;
  }
  const pattern = patternFor(language, spec);
  pattern.lastIndex = 0;
  let at = 0;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    if (match[0] === "") {
      pattern.lastIndex++;
      continue;
    }
    if (match.index > at) push("plain", text.slice(at, match.index));
    const group = match.findIndex((value, i) => i > 0 && value !== undefined);
    let kind = spec.rules[group - 1]?.[0] ?? "plain";
    if (kind === "keyword" && !spec.keywords?.has(match[0])) kind = "plain";
    push(kind, match[0]);
    at = match.index + match[0].length;
  }
  if (at < text.length) push("plain", text.slice(at));
  return lines;
}
