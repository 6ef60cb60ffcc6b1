/** The documentation as data: which Markdown files, their fenced code blocks and their links. */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const DOCS = join(ROOT, "docs");

/** The root README and every page in docs/, as paths relative to the repository root. */
export function documentationFiles(): string[] {
  const pages = readdirSync(DOCS)
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => relative(ROOT, join(DOCS, name)));
  return ["README.md", ...pages];
}

export interface CodeBlock {
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The language: the info string's first word (`ts`, `sh`, ...). */
  lang: string;
  /** The info string's other words: `no-run`, `no-check`, a block's name. */
  flags: string[];
  code: string;
}

/** Fenced code blocks (``` only), in order. */
export function codeBlocks(file: string): CodeBlock[] {
  const lines = readFileSync(join(ROOT, file), "utf8").split("\n");
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*(.*)$/.exec(lines[i] ?? "");
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i] ?? ""); i++) body.push(lines[i] ?? "");
    if (i >= lines.length) throw new Error(`${file}:${start + 1}: code block never closed`);
    blocks.push({
      file,
      line: start + 1,
      lang: open[1] ?? "",
      flags: (open[2] ?? "").split(/\s+/).filter(Boolean),
      code: `${body.join("\n")}\n`,
    });
  }
  return blocks;
}

export interface Link {
  file: string;
  line: number;
  target: string;
}

/** Inline links `[text](target)` outside code blocks and code spans. */
export function links(file: string): Link[] {
  const text = readFileSync(join(ROOT, file), "utf8");
  const found: Link[] = [];
  let fenced = false;
  text.split("\n").forEach((line, index) => {
    if (/^```/.test(line)) fenced = !fenced;
    if (fenced) return;
    const prose = line.replace(/`[^`]*`/g, "``");
    for (const match of prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      found.push({ file, line: index + 1, target: match[1] ?? "" });
    }
  });
  return found;
}

/** GitHub's anchor for a heading: lowercase, punctuation dropped, spaces to hyphens. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/ /g, "-");
}

/** The anchors a Markdown file offers (duplicates get -1, -2, ... as on GitHub). */
export function anchors(path: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  let fenced = false;
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (/^```/.test(line)) fenced = !fenced;
    const heading = fenced ? null : /^#{1,6}\s+(.*)$/.exec(line);
    if (!heading) continue;
    const base = slug(heading[1] ?? "");
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    result.add(count === 0 ? base : `${base}-${count}`);
  }
  return result;
}
