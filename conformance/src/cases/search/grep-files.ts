/**
 * Cases for grepFiles (GET /v1/sandboxes/{id}/fs/grep): regex and literal matching line by line,
 * options, limits, skipped files, line terminators, unicode, and the same answer on every backend
 * whether or not the server has indexed the content yet.
 */
import { defineCases } from "../../case.js";
import { assert, expectProblem, utf8 } from "../../harness/assert.js";
import {
  binaryFile,
  type GrepQuery,
  type GrepResult,
  grep,
  grepRaw,
  grepSettled,
  grepSettledAll,
  matchedLines,
  textFiles,
} from "../text-support.js";

const lines = (...texts: string[]) => `${texts.join("\n")}\n`;

export default defineCases("search", "grep-files", {
  "literal-match": [
    "A plain pattern finds every line containing it, with its path, 1-based line number and text.",
    async (ctx) => {
      const sb = await ctx.sandbox({
        files: textFiles({ "/a.txt": lines("hello world", "nothing", "say hello again") }),
      });
      const res = await grepSettled(sb, { pattern: "hello" });
      assert.deepEqual(res.matches, [
        { path: "/a.txt", line: 1, text: "hello world", cut: false, before: [], after: [] },
        { path: "/a.txt", line: 3, text: "say hello again", cut: false, before: [], after: [] },
      ]);
      assert.deepEqual(
        [res.filesSearched, res.filesMatched, res.skipped, res.truncated],
        [1, 1, { tooLarge: 0, binary: 0 }, null],
      );
    },
  ],
  "regex-dot-star": [
    "`foo.*bar` is a regular expression: it matches `foo and bar`, not `bar then foo`.",
    async (ctx) => {
      const sb = await ctx.sandbox({
        files: textFiles({ "/r.txt": lines("foo and bar", "bar then foo", "foobar") }),
      });
      const res = await grepSettled(sb, { pattern: "foo.*bar" });
      assert.deepEqual(matchedLines(res), [
        ["/r.txt", 1, "foo and bar"],
        ["/r.txt", 3, "foobar"],
      ]);
    },
  ],
  "regex-whitespace": [
    "`a\\s+b` matches runs of spaces and tabs between a and b, not `ab`.",
    async (ctx) => {
      const sb = await ctx.sandbox({
        files: textFiles({ "/w.txt": lines("a b", "a \t  b", "ab", "a-b") }),
      });
      const res = await grepSettled(sb, { pattern: "a\\s+b" });
      assert.deepEqual(matchedLines(res), [
        ["/w.txt", 1, "a b"],
        ["/w.txt", 2, "a \t  b"],
      ]);
    },
  ],
  "regex-unicode-whitespace": [
    "`\\s` is JavaScript's: it matches a no-break space (U+00A0), U+202F and an ideographic space (U+3000).",
    async (ctx) => {
      const sb = await ctx.sandbox({
        files: textFiles({
          "/nbsp.txt": lines("price:\u00a0100", "plain"),
          "/narrow.txt": lines("price:\u202f200"),
          "/ideo.txt": lines("price:\u3000300"),
        }),
      });
      const res = await grepSettled(sb, { pattern: "price:\\s\\d+" });
      assert.deepEqual(matchedLines(res), [
        ["/ideo.txt", 1, "price:\u3000300"],
        ["/narrow.txt", 1, "price:\u202f200"],
        ["/nbsp.txt", 1, "price:\u00a0100"],
      ]);
    },
  ],
  "regex-negated-class": [
    "`a[^x]c` matches `abc` but not `axc`.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: textFiles({ "/n.txt": lines("axc", "abc", "ac") }) });
      const res = await grepSettled(sb, { pattern: "a[^x]c" });
      assert.deepEqual(matchedLines(res), [["/n.txt", 2, "abc"]]);
    },
  ],
  "regex-negated-word-class-non-ascii": [
    "`\\w` is JavaScript's (ASCII only): `a[^\\w]b` matches `aéb` and `a-b`, not `a_b` or `a1b`.",
    async (ctx) => {
      // One line per file: a file is found or not on that line alone.
      const sb = await ctx.sandbox({
        files: textFiles({
          "/1.txt": "aéb\n",
          "/2.txt": "a_b\n",
          "/3.txt": "a-b\n",
          "/4.txt": "a1b\n",
        }),
      });
      const res = await grepSettled(sb, { pattern: "a[^\\w]b" });
      assert.deepEqual(matchedLines(res), [
        ["/1.txt", 1, "aéb"],
        ["/3.txt", 1, "a-b"],
      ]);
    },
  ],
  "regex-start-anchor": [
    "`^import` matches only lines that start with `import`.",
    async (ctx) => {
      const sb = await ctx.sandbox({
        files: textFiles({
          "/m.ts": lines("import a from 'a';", "  import b from 'b';", "reimport()", "import c"),
        }),
      });
      const res = await grepSettled(sb, { pattern: "^import" });
      assert.deepEqual(
        res.matches.map((m) => m.line),
        [1, 4],
      );
    },
  ],
  "regex-word-boundary": [
    "`\\bcat\\b` matches the word cat, not concat, cats or cat_food.",
    async (ctx) => {
      const sb = await ctx.sandbox({
        files: textFiles({
          "/c.txt": lines("cat", "the cat sat", "concat", "cats", "cat_food", "(cat)"),
        }),
      });
      const res = await grepSettled(sb, { pattern: "\\bcat\\b" });
      assert.deepEqual(
        res.matches.map((m) => m.line),
        [1, 2, 6],
      );
    },
  ],
  "ignore-case": [
    "`ignoreCase` matches regardless of case (literals, `.` and classes); without it the match is case-sensitive.",
    async (ctx) => {
      const sb = await ctx.sandbox({
        files: textFiles({
          "/h.txt": lines("Hello", "HELLO world", "help", "hello"),
          "/lower.txt": "hello there\n",
        }),
      });
      const results = await grepSettledAll(sb, [
        { pattern: "hello" },
        { pattern: "HELLO", ignoreCase: true },
        { pattern: "^H.LLO$", ignoreCase: true },
        { pattern: "^[A-H]ELLO\\b", ignoreCase: true },
      ]);
      assert.deepEqual(
        results.map((r) => r.matches.map((m) => [m.path, m.line])),
        [
          [
            ["/h.txt", 4],
            ["/lower.txt", 1],
          ],
          [
            ["/h.txt", 1],
            ["/h.txt", 2],
            ["/h.txt", 4],
            ["/lower.txt", 1],
          ],
          [
            ["/h.txt", 1],
            ["/h.txt", 4],
          ],
          [
            ["/h.txt", 1],
            ["/h.txt", 2],
            ["/h.txt", 4],
            ["/lower.txt", 1],
          ],
        ],
      );
    },
  ],
  "regex-braces": [
    "`{n}` is a quantifier (`ba{2}b` matches `baab`); a brace that cannot be one is a literal (`= {}` matches `= {}`).",
    async (ctx) => {
      const sb = await ctx.sandbox({
        files: textFiles({ "/q.txt": "baab\n", "/q1.txt": "bab\n", "/obj.js": "const o = {};\n" }),
      });
      const [quantifier, literal] = await grepSettledAll(sb, [
        { pattern: "ba{2}b" },
        { pattern: "= {}" },
      ]);
      assert.deepEqual(matchedLines(quantifier!), [["/q.txt", 1, "baab"]]);
      assert.deepEqual(matchedLines(literal!), [["/obj.js", 1, "const o = {};"]]);
    },
  ],
  "fixed-string-metacharacters-literal": [
    "With `fixedString`, regex metacharacters are literal: `a.b*(c)` matches only that text.",
    async (ctx) => {
      const sb = await ctx.sandbox({
        files: textFiles({ "/f.txt": lines("call a.b*(c) here", "aXbbc", "a.b*(c", "[x]{2}") }),
      });
      const [fixed, regex, brackets] = await grepSettledAll(sb, [
        { pattern: "a.b*(c)", fixedString: true },
        { pattern: "a.b*(c)" },
        { pattern: "[x]{2}", fixedString: true },
      ]);
      assert.deepEqual(matchedLines(fixed!), [["/f.txt", 1, "call a.b*(c) here"]]);
      assert.ok(
        regex!.matches.some((m) => m.line === 2),
        "as a regex, a.b*(c) matches aXbbc",
      );
      assert.deepEqual(matchedLines(brackets!), [["/f.txt", 4, "[x]{2}"]]);
    },
  ],
  "fixed-string-invalid-regex-ok": [
    "With `fixedString`, a pattern that is not a valid regex (`(`) is searched for literally.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: textFiles({ "/p.txt": lines("f(x", "fx") }) });
      const res = await grepSettled(sb, { pattern: "(", fixedString: true });
      assert.deepEqual(matchedLines(res), [["/p.txt", 1, "f(x"]]);
    },
  ],
  "fixed-string-ignore-case": [
    "`fixedString` with `ignoreCase` matches the literal text in any case.",
    async (ctx) => {
      const sb = await ctx.sandbox({
        files: textFiles({ "/f.txt": lines("Value: A.B", "value: a.b", "value: aXb") }),
      });
      const res = await grepSettled(sb, {
        pattern: "VALUE: A.B",
        fixedString: true,
        ignoreCase: true,
      });
      assert.deepEqual(
        res.matches.map((m) => m.line),
        [1, 2],
      );
    },
  ],
  "whole-word": [
    "`wholeWord` matches only where the pattern is a whole word.",
    async (ctx) => {
      const sb = await ctx.sandbox({
        files: textFiles({
          "/c.txt": lines("cat", "the cat sat", "concat", "cats", "cat_food", "(cat)"),
        }),
      });
      const res = await grepSettled(sb, { pattern: "cat", wholeWord: true });
      assert.deepEqual(
        res.matches.map((m) => m.line),
        [1, 2, 6],
      );
    },
  ],
  "whole-word-fixed-string": [
    "`wholeWord` with `fixedString`: `a.b` matches in `x a.b y`, not in `a.bc` or `xa.b`.",
    async (ctx) => {
      const sb = await ctx.sandbox({
        files: textFiles({ "/w.txt": lines("x a.b y", "a.bc", "xa.b", "aXb") }),
      });
      const res = await grepSettled(sb, { pattern: "a.b", wholeWord: true, fixedString: true });
      assert.deepEqual(matchedLines(res), [["/w.txt", 1, "x a.b y"]]);
    },
  ],
  "context-lines": [
    "`context` N gives each match up to N lines before and after, with their line numbers, clipped at the file's ends.",
    async (ctx) => {
      const text = lines(...Array.from({ length: 10 }, (_, i) => `line ${i + 1}`));
      const sb = await ctx.sandbox({ files: textFiles({ "/ctx.txt": text }) });
      const [middle, ends] = await grepSettledAll(sb, [
        { pattern: "^line 5$", context: 2 },
        { pattern: "^line (1|10)$", context: 2 },
      ]);
      assert.deepEqual(middle!.matches, [
        {
          path: "/ctx.txt",
          line: 5,
          text: "line 5",
          cut: false,
          before: [
            { line: 3, text: "line 3" },
            { line: 4, text: "line 4" },
          ],
          after: [
            { line: 6, text: "line 6" },
            { line: 7, text: "line 7" },
          ],
        },
      ]);
      assert.deepEqual(
        ends!.matches.map((m) => [m.line, m.before, m.after]),
        [
          [
            1,
            [],
            [
              { line: 2, text: "line 2" },
              { line: 3, text: "line 3" },
            ],
          ],
          [
            10,
            [
              { line: 8, text: "line 8" },
              { line: 9, text: "line 9" },
            ],
            [],
          ],
        ],
      );
    },
  ],
  "context-lines-crlf": [
    "Context lines of a CRLF file are shown without their terminators.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: textFiles({ "/w.txt": "one\r\ntwo\r\nthree\r\n" }) });
      const res = await grepSettled(sb, { pattern: "two", context: 1 });
      assert.deepEqual(
        res.matches.map((m) => [m.text, m.before, m.after]),
        [["two", [{ line: 1, text: "one" }], [{ line: 3, text: "three" }]]],
      );
    },
  ],
  "glob-filter": [
    "`glob` keeps only files whose path relative to `path` matches it.",
    async (ctx) => {
      const sb = await ctx.sandbox({
        files: textFiles({
          "/src/a.ts": "needle\n",
          "/src/b.js": "needle\n",
          "/src/sub/c.ts": "needle\n",
          "/docs/d.md": "needle\n",
        }),
      });
      const results = await grepSettledAll(sb, [
        { pattern: "needle", glob: "**/*.ts" },
        { pattern: "needle", path: "/src", glob: "*.js" },
        { pattern: "needle", path: "/src", glob: "*.ts" },
      ]);
      assert.deepEqual(
        results.map((r) => r.matches.map((m) => m.path)),
        [["/src/a.ts", "/src/sub/c.ts"], ["/src/b.js"], ["/src/a.ts"]],
      );
    },
  ],
  "path-directory-scope": [
    "`path` limits the search to that directory; files elsewhere are neither matched nor counted.",
    async (ctx) => {
      const sb = await ctx.sandbox({
        files: textFiles({
          "/src/a.txt": "needle\n",
          "/src/deep/b.txt": "needle\n",
          "/srcx/c.txt": "needle\n",
          "/other/d.txt": "needle\n",
        }),
      });
      const res = await grepSettled(sb, { pattern: "needle", path: "/src" });
      assert.deepEqual(
        res.matches.map((m) => m.path),
        ["/src/a.txt", "/src/deep/b.txt"],
      );
      assert.deepEqual([res.filesSearched, res.filesMatched], [2, 2]);
    },
  ],
  "path-single-file": [
    "`path` naming a file searches that file alone.",
    async (ctx) => {
      const sb = await ctx.sandbox({
        files: textFiles({ "/a.txt": "needle 1\n", "/b.txt": "needle 2\n" }),
      });
      const res = await grepSettled(sb, { pattern: "needle", path: "/b.txt" });
      assert.deepEqual(matchedLines(res), [["/b.txt", 1, "needle 2"]]);
      assert.equal(res.filesSearched, 1);
    },
  ],
  "sorted-by-path-then-line": [
    "Matches are sorted by path, then by line number, whatever order the files were written in.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      for (const path of ["/b.txt", "/a/c.txt", "/a.txt", "/a-b.txt"]) {
        await sb.write(path, "hit one\nmiss\nhit two\n");
      }
      const res = await grepSettled(sb, { pattern: "hit" });
      const expected = ["/a-b.txt", "/a.txt", "/a/c.txt", "/b.txt"].flatMap((p) => [
        [p, 1],
        [p, 3],
      ]);
      assert.deepEqual(
        res.matches.map((m) => [m.path, m.line]),
        expected,
      );
    },
  ],
  "same-content-in-two-files": [
    "Two files with identical content are both matched.",
    async (ctx) => {
      const sb = await ctx.sandbox({
        files: textFiles({ "/one.txt": "shared needle\n", "/two.txt": "shared needle\n" }),
      });
      const res = await grepSettled(sb, { pattern: "needle" });
      assert.deepEqual(
        res.matches.map((m) => m.path),
        ["/one.txt", "/two.txt"],
      );
    },
  ],
  "max-results-truncated": [
    'With `maxResults`, the first N matches in order are returned with truncated {reason: "results", limit: N}.',
    async (ctx) => {
      const sb = await ctx.sandbox({
        files: textFiles({ "/a.txt": lines("hit 1", "hit 2", "hit 3"), "/b.txt": lines("hit 4") }),
      });
      const [cut, exact] = await grepSettledAll(sb, [
        { pattern: "hit", maxResults: 2 },
        { pattern: "hit", maxResults: 4 },
      ]);
      assert.deepEqual(matchedLines(cut!), [
        ["/a.txt", 1, "hit 1"],
        ["/a.txt", 2, "hit 2"],
      ]);
      assert.deepEqual(cut!.truncated, { reason: "results", limit: 2 });
      assert.equal(exact!.matches.length, 4);
      assert.equal(exact!.truncated, null, "exactly maxResults matches is not truncated");
    },
  ],
  "max-line-bytes-cut": [
    "A matching line longer than `maxLineBytes` (default 500) is cut to its first bytes, whole characters only, with cut: true.",
    async (ctx) => {
      const long = `needle ${"x".repeat(593)}`;
      const accents = `needle ${"é".repeat(10)}`;
      const sb = await ctx.sandbox({
        files: textFiles({ "/l.txt": lines(long, "needle short", accents) }),
      });
      const [byDefault, small] = await grepSettledAll(sb, [
        { pattern: "needle" },
        { pattern: "needle", maxLineBytes: 10 },
      ]);
      assert.deepEqual(
        byDefault!.matches.map((m) => [m.line, m.text.length, m.cut]),
        [
          [1, 500, true],
          [2, "needle short".length, false],
          [3, accents.length, false],
        ],
      );
      assert.equal(byDefault!.matches[0]?.text, long.slice(0, 500));
      assert.deepEqual(
        small!.matches.map((m) => [m.text, m.cut]),
        [
          ["needle xxx", true],
          ["needle sho", true],
          ["needle é", true],
        ],
      );
    },
  ],
  "max-file-bytes-skips": [
    "A file over `maxFileBytes` is skipped and counted in skipped.tooLarge; a file of exactly that size is searched.",
    async (ctx) => {
      const sb = await ctx.sandbox({
        files: textFiles({
          "/big.txt": `needle ${"y".repeat(193)}`,
          "/exact.txt": `needle ${"z".repeat(93)}`,
          "/small.txt": "needle\n",
        }),
      });
      const res = await grepSettled(sb, { pattern: "needle", maxFileBytes: 100 });
      assert.deepEqual(
        res.matches.map((m) => m.path),
        ["/exact.txt", "/small.txt"],
      );
      assert.deepEqual(
        [res.filesSearched, res.filesMatched, res.skipped],
        [2, 2, { tooLarge: 1, binary: 0 }],
      );
    },
  ],
  "binary-files-skipped": [
    "Binary files (a NUL byte, or not UTF-8) are not searched and are counted in skipped.binary.",
    async (ctx) => {
      const sb = await ctx.sandbox({
        files: [
          ...textFiles({ "/text.txt": "needle\n" }),
          binaryFile("/nul.bin", utf8("needle\0needle\n")),
          binaryFile("/latin1.txt", new Uint8Array([...utf8("needle caf"), 0xe9, 0x0a])),
        ],
      });
      const res = await grepSettled(sb, { pattern: "needle" });
      assert.deepEqual(matchedLines(res), [["/text.txt", 1, "needle"]]);
      assert.deepEqual(
        [res.filesSearched, res.filesMatched, res.skipped],
        [1, 1, { tooLarge: 0, binary: 2 }],
      );
    },
  ],
  "crlf-lines": [
    "In a CRLF file, line numbers count CRLF as one terminator, `^`/`$` anchor at each line, and the text has no CR.",
    async (ctx) => {
      const sb = await ctx.sandbox({
        files: textFiles({ "/crlf.txt": "alpha\r\nbeta\r\ngamma\r\n" }),
      });
      const [beta, ends] = await grepSettledAll(sb, [{ pattern: "^beta$" }, { pattern: "a$" }]);
      assert.deepEqual(matchedLines(beta!), [["/crlf.txt", 2, "beta"]]);
      assert.deepEqual(
        ends!.matches.map((m) => [m.line, m.text]),
        [
          [1, "alpha"],
          [2, "beta"],
          [3, "gamma"],
        ],
      );
    },
  ],
  "lone-cr-lines": [
    "A lone CR ends a line too: line numbers and `^`/`$` anchors follow it, mixed with LF and CRLF.",
    async (ctx) => {
      const sb = await ctx.sandbox({
        files: textFiles({
          "/cr.txt": "alpha\rbeta\rgamma",
          "/mixed.txt": "one\ntwo\r\nthree\rfour",
        }),
      });
      const results = await grepSettledAll(sb, [
        { pattern: "^beta$" },
        { pattern: "^gamma$" },
        { pattern: "^t", path: "/mixed.txt" },
        { pattern: "^four$" },
      ]);
      assert.deepEqual(results.map(matchedLines), [
        [["/cr.txt", 2, "beta"]],
        [["/cr.txt", 3, "gamma"]],
        [
          ["/mixed.txt", 2, "two"],
          ["/mixed.txt", 3, "three"],
        ],
        [["/mixed.txt", 4, "four"]],
      ]);
    },
  ],
  "no-match-across-lines": [
    "A match never spans lines: `a.b`, `a\\nb`, `a\\sb`, `a[^z]b`, `a\\s*b` and `a\\r` find nothing when a ends one line and b starts the next (LF, CRLF or CR).",
    async (ctx) => {
      const sb = await ctx.sandbox({
        files: textFiles({
          "/lf.txt": "xa\nbx\n",
          "/crlf.txt": "xa\r\nbx\r\n",
          "/cr.txt": "xa\rbx\r",
        }),
      });
      const patterns = ["a.b", "a\\nb", "a\\r\\nb", "a\\sb", "a[^z]b", "a\\s*b", "a\\r"];
      const results = await grepSettledAll(sb, [
        ...patterns.map((pattern) => ({ pattern })),
        { pattern: "a$" },
      ]);
      for (const [i, pattern] of patterns.entries()) {
        assert.deepEqual(matchedLines(results[i]!), [], `pattern ${pattern}`);
        assert.equal(results[i]!.filesSearched, 3, `pattern ${pattern}: filesSearched`);
      }
      assert.deepEqual(
        results.at(-1)!.matches.map((m) => [m.path, m.line]),
        [
          ["/cr.txt", 1],
          ["/crlf.txt", 1],
          ["/lf.txt", 1],
        ],
      );
    },
  ],
  "unicode-text": [
    "Non-ASCII text (é, 中文, emoji) matches as literal and as regex, and ignoreCase folds É to é.",
    async (ctx) => {
      const sb = await ctx.sandbox({
        files: textFiles({ "/u.txt": lines("café crème", "中文字符", "smile 😀 please", "CAFÉ") }),
      });
      const queries: GrepQuery[] = [
        { pattern: "café" },
        { pattern: "中文" },
        { pattern: "😀" },
        { pattern: "😀 please", fixedString: true },
        { pattern: "caf.\\s" },
        { pattern: "中.字" },
        { pattern: "café", ignoreCase: true },
      ];
      const results = await grepSettledAll(sb, queries);
      assert.deepEqual(
        results.map((r) => r.matches.map((m) => [m.line, m.text])),
        [
          [[1, "café crème"]],
          [[2, "中文字符"]],
          [[3, "smile 😀 please"]],
          [[3, "smile 😀 please"]],
          [[1, "café crème"]],
          [[2, "中文字符"]],
          [
            [1, "café crème"],
            [4, "CAFÉ"],
          ],
        ],
      );
    },
  ],
  "empty-pattern-400": [
    "A missing or empty pattern is 400 invalid_request.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      expectProblem(await grepRaw(sb, {}), 400, "invalid_request");
      expectProblem(await grepRaw(sb, { pattern: "" }), 400, "invalid_request");
    },
  ],
  "invalid-regex-400": [
    "A pattern that is not a valid regular expression (`(`, `[z-a]`) is 400 invalid_request.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: textFiles({ "/a.txt": "(\n" }) });
      expectProblem(await grepRaw(sb, { pattern: "(" }), 400, "invalid_request");
      expectProblem(await grepRaw(sb, { pattern: "[z-a]" }), 400, "invalid_request");
    },
  ],
  "invalid-options-400": [
    "Out-of-range options (context 21, maxResults 0, maxLineBytes 0, maxFileBytes 0) and a malformed glob are 400 invalid_request.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: textFiles({ "/a.txt": "a\n" }) });
      for (const bad of [
        { context: 21 },
        { maxResults: 0 },
        { maxLineBytes: 0 },
        { maxFileBytes: 0 },
        { glob: "[ab" },
      ]) {
        const res = await grepRaw(sb, { pattern: "a", ...bad });
        expectProblem(res, 400, "invalid_request");
      }
    },
  ],
  "missing-path-404-enoent": [
    "A `path` with nothing there is 404 ENOENT.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      expectProblem(await grepRaw(sb, { pattern: "x", path: "/nope" }), 404, "ENOENT");
    },
  ],
  "ten-megabyte-file": [
    "A 10 MB text file (under the default maxFileBytes) is searched to its end, with exact line numbers.",
    async (ctx) => {
      const count = 100_000;
      const rows: string[] = [];
      for (let i = 1; i <= count; i++) {
        let row = `row ${String(i).padStart(7, "0")} `;
        if (i === 1) row = "NEEDLE first ";
        if (i === 54_321) row = "NEEDLE middle ";
        if (i === count) row = "NEEDLE last ";
        rows.push(row.padEnd(99, "lorem ipsum dolor sit amet "));
      }
      const text = lines(...rows);
      assert.equal(text.length, 10_000_000);
      const sb = await ctx.sandbox();
      await sb.write("/big.txt", text);
      const fixed = await grep(sb, { pattern: "NEEDLE", fixedString: true });
      assert.deepEqual(
        fixed.matches.map((m) => m.line),
        [1, 54_321, count],
        `filesSearched ${fixed.filesSearched}, truncated ${JSON.stringify(fixed.truncated)}`,
      );
      assert.deepEqual([fixed.filesSearched, fixed.skipped.tooLarge], [1, 0]);
      const regex = await grep(sb, { pattern: "^NEEDLE (first|last)\\b" });
      assert.deepEqual(
        regex.matches.map((m) => m.line),
        [1, count],
      );
      const none = await grep(sb, { pattern: "needle" });
      assert.equal(none.matches.length, 0);
    },
  ],
  "file-api-and-exec-identical": [
    "Content written through the file API and the same lines written by a script give the same grep results.",
    async (ctx) => {
      // The files differ in their last line only, so that each is stored (and indexed) on its own.
      const body = "alpha beta\r\ngamma\rdelta é 中文\nfoo bar baz\n\nend\n";
      const sb = await ctx.sandbox();
      await sb.write("/api.txt", `${body}#1`);
      const run = await sb.exec(
        "printf 'alpha beta\\r\\ngamma\\rdelta é 中文\\nfoo bar baz\\n\\nend\\n#2' > /exec.txt",
      );
      assert.equal(run.exitCode, 0, run.stderr);
      assert.equal(await sb.readText("/exec.txt"), `${body}#2`, "the script wrote these bytes");
      const expected: Record<string, number> = {
        "^gamma$": 1,
        delta: 1,
        "é\\s中": 1,
        "^$": 1,
        "foo.*baz": 1,
        end$: 1,
        "a\\b": 3,
        "gamma.delta": 0,
      };
      const patterns = Object.keys(expected);
      const results = await grepSettledAll(
        sb,
        ["/api.txt", "/exec.txt"].flatMap((path) => patterns.map((pattern) => ({ pattern, path }))),
      );
      const withoutPath = (r: GrepResult) => ({
        ...r,
        matches: r.matches.map((m) => ({ ...m, path: "" })),
      });
      for (const [i, pattern] of patterns.entries()) {
        const api = results[i]!;
        const exec = results[i + patterns.length]!;
        assert.deepEqual(withoutPath(exec), withoutPath(api), `pattern ${pattern}`);
        assert.equal(api.matches.length, expected[pattern], `pattern ${pattern}: matches`);
      }
    },
  ],
  "finds-just-written-content": [
    "A grep right after a write finds the new content and no longer finds the replaced content.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/note.txt", "old marker alpha\n");
      assert.deepEqual(matchedLines(await grep(sb, { pattern: "marker \\w+" })), [
        ["/note.txt", 1, "old marker alpha"],
      ]);
      await sb.write("/note.txt", "new marker omega\n");
      assert.deepEqual(matchedLines(await grep(sb, { pattern: "marker \\w+" })), [
        ["/note.txt", 1, "new marker omega"],
      ]);
      assert.deepEqual(matchedLines(await grepSettled(sb, { pattern: "alpha" })), []);
      assert.deepEqual(matchedLines(await grepSettled(sb, { pattern: "omega$" })), [
        ["/note.txt", 1, "new marker omega"],
      ]);
    },
  ],
  "finds-content-written-by-exec": [
    "A grep right after a script wrote a file finds its content.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const run = await sb.exec("mkdir -p /out && echo 'built by script 42' > /out/log.txt");
      assert.equal(run.exitCode, 0, run.stderr);
      assert.deepEqual(matchedLines(await grep(sb, { pattern: "script \\d+$" })), [
        ["/out/log.txt", 1, "built by script 42"],
      ]);
      assert.deepEqual(matchedLines(await grepSettled(sb, { pattern: "^built" })), [
        ["/out/log.txt", 1, "built by script 42"],
      ]);
    },
  ],
  "many-files": [
    "Over 150 files, every match is found, in path order, and every file is counted as searched.",
    async (ctx) => {
      const files: Record<string, string> = {};
      for (let i = 0; i < 150; i++) {
        const name = `/many/f${String(i).padStart(3, "0")}.txt`;
        files[name] = i % 10 === 7 ? `file ${i}\nneedle ${i}\n` : `file ${i}\nhay\n`;
      }
      const sb = await ctx.sandbox({ files: textFiles(files) });
      const res = await grepSettled(sb, { pattern: "^needle \\d+$" });
      const expected = Array.from({ length: 15 }, (_, k) => 10 * k + 7).map((i) => [
        `/many/f${String(i).padStart(3, "0")}.txt`,
        2,
        `needle ${i}`,
      ]);
      assert.deepEqual(matchedLines(res), expected);
      assert.deepEqual([res.filesSearched, res.filesMatched], [150, 15]);
    },
  ],
  "catastrophic-regex-is-stopped": [
    "`(a+)+$` against 40 `a`s and a `!` (minutes of backtracking) answers promptly: no match, and if the server stopped the regex, truncated says `time`.",
    async (ctx) => {
      const sb = await ctx.sandbox({
        files: textFiles({ "/a.txt": "aaa\n", "/evil.txt": `${"a".repeat(40)}!\n` }),
      });
      const res = await grep(sb, { pattern: "(a+)+$" });
      assert.deepEqual(matchedLines(res), [["/a.txt", 1, "aaa"]]);
      if (res.truncated !== null) {
        assert.equal(res.truncated.reason, "time");
        assert.ok(res.truncated.limit > 0, "the time budget is given in ms");
      }
    },
  ],
  "counts-searched-and-matched": [
    "filesSearched counts the text files searched and filesMatched those with a match.",
    async (ctx) => {
      const sb = await ctx.sandbox({
        files: textFiles({ "/a.txt": "hit\nhit\n", "/b.txt": "miss\n", "/c/d.txt": "hit\n" }),
      });
      const res = await grepSettled(sb, { pattern: "hit" });
      assert.deepEqual([res.matches.length, res.filesSearched, res.filesMatched], [3, 3, 2]);
    },
  ],
});
