/**
 * Property tests pinning "no false negatives": grep narrowed by any candidates
 * function that returns a superset of the matching files finds exactly what an
 * unnarrowed grep finds, and both agree with a naive per-line reference. The
 * Postgres candidate function plugs into the same hook.
 */
import { describe, expect, it } from "vitest";
import { bytes, commitInto, scratchVfs, seededRandom } from "../test-support.js";
import type { Vfs } from "../vfs.js";
import type { ContentCandidates } from "./contents.js";
import { compileGrep, type GrepOptions, grep } from "./grep.js";

class Gen {
  constructor(readonly next: () => number) {}
  int(max: number): number {
    return Math.floor(this.next() * max);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
}

const ATOMS = [
  "a",
  "b",
  "ab",
  "ba",
  "foo",
  "Foo",
  "FOO",
  " ",
  "\t",
  "é",
  "É",
  "😀",
  "x1",
  "_",
  "-",
  ".",
  "(",
  "*",
];
const TERMINATORS = ["\n", "\r\n", "\r"];
const PATHS = ["/a", "/b.ts", "/src/c.ts", "/src/d.js", "/src/deep/e.ts", "/x/😀.md", "/x/a b"];

function randomLine(g: Gen): string {
  let line = "";
  const n = g.int(6);
  for (let i = 0; i < n; i++) line += g.pick(ATOMS);
  return line;
}

function randomContent(g: Gen): Uint8Array {
  if (g.chance(0.05)) return new Uint8Array(0);
  if (g.chance(0.05)) return bytes(`foo\0${randomLine(g)}`);
  if (g.chance(0.03)) return Uint8Array.of(0x66, 0x6f, 0x6f, 0xff); // invalid UTF-8
  const lines = Array.from({ length: 1 + g.int(8) }, () => randomLine(g));
  let text = "";
  lines.forEach((line, i) => {
    text += line;
    if (i < lines.length - 1 || g.chance(0.6)) text += g.pick(TERMINATORS);
  });
  return bytes(text);
}

const escapeRegex = (s: string) => s.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");

/** A regex source built from pieces agents use: literals, ., .*, classes, \s, anchors, alternation, lookarounds. */
function randomRegex(g: Gen): string {
  const piece = (): string => {
    switch (g.int(13)) {
      case 0:
        return ".";
      case 1:
        return ".*";
      case 2:
        return g.pick(["[ab]", "[a-f]", "[^a]", "[^ab ]", "[éÉ]"]);
      case 3:
        return g.pick(["\\s", "\\s+", "\\S", "\\w+", "\\d", "\\W"]);
      case 4:
        return `(?:${escapeRegex(g.pick(ATOMS))}|${escapeRegex(g.pick(ATOMS))})`;
      case 5:
        return g.pick(["(?=a)", "(?!b)", "(?<=a)", "(?<!o)", "(?![\\s\\S])", "(?<![\\s\\S])"]);
      case 6:
        return g.pick(["\\b", "\\B"]);
      case 7:
        return `${escapeRegex(g.pick(ATOMS))}?`;
      case 8:
        return `(${escapeRegex(g.pick(ATOMS))})+`;
      default:
        return escapeRegex(g.pick(ATOMS));
    }
  };
  let source = g.chance(0.25) ? "^" : "";
  const n = 1 + g.int(3);
  for (let i = 0; i < n; i++) source += piece();
  if (g.chance(0.2)) source += "$";
  if (g.chance(0.1)) source = `${source}|${escapeRegex(g.pick(ATOMS))}`;
  return source;
}

function randomOptions(g: Gen): GrepOptions {
  const fixedString = g.chance(0.2);
  return {
    pattern: fixedString ? g.pick(ATOMS) + (g.chance(0.3) ? g.pick(ATOMS) : "") : randomRegex(g),
    fixedString,
    ignoreCase: g.chance(0.25),
    wholeWord: g.chance(0.15),
    context: g.int(3),
    maxResults: 10_000,
  };
}

/** Lines the slow, obvious way: \r\n, \r and \n end a line; a final terminator adds none. */
function referenceLines(text: string): string[] {
  const lines: string[] = [];
  let current = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "\r" || c === "\n") {
      lines.push(current);
      current = "";
      if (c === "\r" && text[i + 1] === "\n") i++;
    } else {
      current += c;
    }
  }
  if (current !== "") lines.push(current);
  return lines;
}

/** The per-line test, built independently of compileGrep (the generator only makes `u`-valid patterns). */
function referenceTest(options: GrepOptions): (line: string) => boolean {
  let source = options.fixedString ? escapeRegex(options.pattern) : options.pattern;
  if (options.wholeWord) source = `\\b(?:${source})\\b`;
  const re = new RegExp(source, `u${options.ignoreCase ? "i" : ""}`);
  return (line) => re.test(line);
}

function referenceDecode(data: Uint8Array): string | undefined {
  if (data.includes(0)) return undefined;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(data);
  } catch {
    return undefined;
  }
}

interface Scenario {
  vfs: Vfs;
  files: Map<string, Uint8Array>;
  /** Content by hash, for candidate functions. */
  byHash: Map<string, Uint8Array>;
}

function randomScenario(g: Gen): Scenario {
  const files = new Map<string, Uint8Array>();
  for (const path of PATHS) if (g.chance(0.6)) files.set(path, randomContent(g));
  const first = scratchVfs();
  for (const [path, content] of files) first.writeFile(path, content);
  const blobs = new Map<string, Uint8Array>();
  const vfs = scratchVfs(commitInto(first, blobs), blobs);
  // Now and then a file exists only in this Vfs's journal, not in storage.
  if (g.chance(0.3)) {
    const content = randomContent(g);
    files.set("/pending.txt", content);
    vfs.writeFile("/pending.txt", content);
  }
  const byHash = new Map<string, Uint8Array>();
  for (const path of files.keys()) {
    const stat = vfs.stat(path);
    if (stat.blob) byHash.set(stat.blob, files.get(path)!);
  }
  return { vfs, files, byHash };
}

/** What grep must find: every matching line of every text file, by path then line. */
function referenceMatches(scenario: Scenario, options: GrepOptions): string[] {
  const test = referenceTest(options);
  const found: string[] = [];
  const paths = [...scenario.files.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const path of paths) {
    const text = referenceDecode(scenario.files.get(path)!);
    if (text === undefined) continue;
    referenceLines(text).forEach((line, i) => {
      if (test(line)) found.push(`${path}:${i + 1}:${line}`);
    });
  }
  return found;
}

/** A candidates function returning the truly matching hashes plus random extras (a superset). */
function supersetCandidates(g: Gen, scenario: Scenario, options: GrepOptions): ContentCandidates {
  const test = referenceTest(options);
  return async (files) => {
    if (g.chance(0.1)) return undefined;
    const hashes = new Set<string>();
    for (const file of files) {
      const text = referenceDecode(scenario.byHash.get(file.hash)!);
      const matches = text !== undefined && referenceLines(text).some(test);
      if (matches || g.chance(0.3)) hashes.add(file.hash);
    }
    return hashes;
  };
}

const summary = (result: Awaited<ReturnType<typeof grep>>) =>
  result.matches.map((m) => `${m.path}:${m.line}:${m.text}`);

describe("grep properties", () => {
  it("compileGrep agrees with a naive per-line reference", () => {
    const g = new Gen(seededRandom(1));
    for (let round = 0; round < 2000; round++) {
      const options = randomOptions(g);
      const test = compileGrep(options);
      const reference = referenceTest(options);
      for (let k = 0; k < 10; k++) {
        const line = randomLine(g);
        expect(test(line), JSON.stringify({ options, line })).toBe(reference(line));
      }
    }
  });

  it("grep finds exactly the reference matches", async () => {
    const g = new Gen(seededRandom(2));
    for (let round = 0; round < 400; round++) {
      const scenario = randomScenario(g);
      const options = randomOptions(g);
      const result = await grep(scenario.vfs, options);
      expect(summary(result), JSON.stringify({ round, options })).toEqual(
        referenceMatches(scenario, options),
      );
    }
  });

  it("grep narrowed by a superset candidates function finds exactly what grep finds alone", async () => {
    const g = new Gen(seededRandom(3));
    let narrowed = 0;
    for (let round = 0; round < 400; round++) {
      const scenario = randomScenario(g);
      const options = randomOptions(g);
      const plain = await grep(scenario.vfs, options);
      let asked = false;
      const hook = supersetCandidates(g, scenario, options);
      const withHook = await grep(scenario.vfs, options, async (files, query) => {
        asked = true;
        return hook(files, query);
      });
      if (asked) narrowed++;
      const context = JSON.stringify({ round, options });
      expect(withHook.matches, context).toEqual(plain.matches);
      expect(withHook.filesMatched, context).toBe(plain.filesMatched);
      expect(withHook.truncated, context).toEqual(plain.truncated);
    }
    expect(narrowed).toBeGreaterThan(300);
  });

  it("agrees under a small maxResults: the same first matches, the same truncation", async () => {
    const g = new Gen(seededRandom(4));
    for (let round = 0; round < 200; round++) {
      const scenario = randomScenario(g);
      const options = { ...randomOptions(g), maxResults: 1 + g.int(4) };
      const plain = await grep(scenario.vfs, options);
      const withHook = await grep(scenario.vfs, options, supersetCandidates(g, scenario, options));
      const all = referenceMatches(scenario, options);
      const context = JSON.stringify({ round, options });
      expect(summary(plain), context).toEqual(all.slice(0, options.maxResults));
      expect(plain.truncated, context).toEqual(
        all.length > options.maxResults ? { reason: "results", limit: options.maxResults } : null,
      );
      expect(withHook.matches, context).toEqual(plain.matches);
      expect(withHook.truncated, context).toEqual(plain.truncated);
    }
  });
});
