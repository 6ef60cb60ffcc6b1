/**
 * "No false negatives", as a property on real Postgres: for generated files and
 * patterns, every file with a line the JavaScript regex matches is among the
 * candidates the trigram pushdown returns; and ranked search, which reads only
 * those candidates, answers exactly as a search that reads every file.
 */
import { createHash } from "node:crypto";
import { compileGrep, decodeText, SandboxService, search, splitLines } from "@cairn/core";
import { describe, expect, it } from "vitest";
import { createPostgresBackend } from "./postgres-backend.js";
import { useTestDatabase } from "./test-database.js";
import { pick, rng } from "./test-random.js";

const WORDS = [
  "\u00a0",
  "\u202f",
  "\ufeff",
  "\u212a",
  "\u017f",
  "k",
  "s",
  "aéb",
  "٣",
  "foo",
  "bar",
  "Foo",
  "baz_1",
  "a",
  "b",
  "ab",
  "é",
  "x.y",
  "(p)",
  "{q}",
  " ",
  "\t",
  "42",
  "-",
  "ÉCOLE",
];
const ENDINGS = ["\n", "\r\n", "\r"];
const TOKENS = [
  "\\s\\d",
  "a[^\\w]b",
  "[^\\d]",
  "k",
  "s",
  "[a-z]",
  ":\\s",
  "foo",
  "bar",
  "a",
  "b",
  ".",
  ".*",
  "[ab]",
  "[^a]",
  "\\s",
  "\\d",
  "\\w+",
  "^",
  "$",
  "a|b",
  "(foo|bar)",
  "\\bfoo",
  "x?",
  "a{1,2}",
  "\\.",
  "[0-9]+",
  "é",
  "\\(p\\)",
  "o+",
  "(?:ba)",
  "\\t",
  "f{x}",
];

describe("grep pushdown never loses a match", () => {
  const db = useTestDatabase();

  it("on generated files and patterns", async () => {
    const backend = createPostgresBackend({ sql: db().sql });
    const service = new SandboxService({ backend });
    const scope = { tenantId: "prop" };
    const r = rng(20261121);
    const files = Array.from({ length: 60 }, (_, i) => {
      let text = "";
      const lines = 1 + Math.floor(r() * 6);
      for (let l = 0; l < lines; l++) {
        const words = Math.floor(r() * 5);
        for (let w = 0; w < words; w++) text += pick(r, WORDS);
        text += pick(r, ENDINGS);
      }
      return { path: `/f${i}.txt`, text };
    });
    const enc = new TextEncoder();
    await service.create(scope, {
      files: files.map((f) => ({ path: f.path, bytes: enc.encode(f.text) })),
    });
    await backend.idle?.();
    const hashOf = (text: string) => createHash("sha256").update(enc.encode(text)).digest("hex");
    const hashes = [...new Set(files.map((f) => hashOf(f.text)))];

    let narrowed = 0;
    for (let trial = 0; trial < 600; trial++) {
      const pattern = Array.from({ length: 1 + Math.floor(r() * 3) }, () => pick(r, TOKENS)).join(
        "",
      );
      const ignoreCase = r() < 0.3;
      const fixedString = r() < 0.15;
      let matches: (line: string) => boolean;
      try {
        matches = compileGrep({ pattern, fixedString, ignoreCase });
      } catch {
        continue;
      }
      const candidates = await backend.grepCandidates!(scope.tenantId, hashes, {
        pattern,
        fixedString,
        ignoreCase,
      });
      if (candidates === undefined) continue;
      if (candidates.size < hashes.length) narrowed++;
      for (const f of files) {
        // Decoded as grep decodes (a leading byte order mark is not text).
        if (splitLines(decodeText(enc.encode(f.text)) ?? "").some(matches)) {
          expect(
            candidates.has(hashOf(f.text)),
            `${JSON.stringify(pattern)} i=${ignoreCase} fixed=${fixedString} missed ${JSON.stringify(f.text)}`,
          ).toBe(true);
        }
      }
    }
    // The property means something only if the index really narrows the files.
    expect(narrowed).toBeGreaterThan(50);
  }, 120_000);
});

/** Words for search documents: identifiers, plurals, case, the Kelvin sign, non-ASCII. */
const SEARCH_WORDS = [
  "parseConfig",
  "CONFIGS",
  "config",
  "HTTPServer",
  "server",
  "tests",
  "test",
  "max_retries",
  "retry",
  "\u212aelvin",
  "kelvin",
  "école",
  "ÉCOLE",
  "ΣΟΦΙΑΣ",
  "σοφιας",
  "utf8",
  "x",
  "a-b",
];

describe("search reads only index candidates without changing an answer", () => {
  const db = useTestDatabase();

  it("on generated files and queries", async () => {
    const backend = createPostgresBackend({ sql: db().sql });
    const service = new SandboxService({ backend });
    const scope = { tenantId: "prop-search" };
    const r = rng(20261122);
    const enc = new TextEncoder();
    const files = Array.from({ length: 40 }, (_, i) => {
      const lines = Array.from({ length: 1 + Math.floor(r() * 4) }, () =>
        Array.from({ length: Math.floor(r() * 4) }, () => pick(r, SEARCH_WORDS)).join(" "),
      );
      return { path: `/d${i % 4}/f${i}.txt`, bytes: enc.encode(lines.join(pick(r, ENDINGS))) };
    });
    const sb = await service.create(scope, { files });
    await backend.idle?.();
    let narrowed = 0;
    for (let trial = 0; trial < 150; trial++) {
      const query = Array.from({ length: 1 + Math.floor(r() * 3) }, () =>
        pick(r, SEARCH_WORDS),
      ).join(" ");
      let read = 0;
      // A service each, so neither search starts from word counts the other remembered.
      const { value: plain } = await new SandboxService({ backend }).read(scope, sb.id, (vfs) =>
        search(vfs, { query }),
      );
      const { value: indexed } = await new SandboxService({ backend }).read(scope, sb.id, (vfs) =>
        search(vfs, { query }, async (list, q) => {
          const found = await backend.grepCandidates!(
            scope.tenantId,
            list.map((f) => f.hash),
            q,
          );
          read = found?.size ?? list.length;
          return found;
        }),
      );
      if (read > 0 && read < files.length) narrowed++;
      expect(indexed, JSON.stringify({ trial, query })).toEqual(plain);
    }
    expect(narrowed).toBeGreaterThan(20);
  }, 120_000);
});
