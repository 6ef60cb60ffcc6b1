/** Cases for globFiles (GET /v1/sandboxes/{id}/fs/glob): pattern syntax, scope, order and limits. */
import { defineCases } from "../../case.js";
import type { CaseContext } from "../../context.js";
import { assert, expectProblem, expectStatus } from "../../harness/assert.js";
import { glob, globRaw, textFiles } from "../text-support.js";

/** A small project tree; every case that uses it matches against the same paths. */
const tree = textFiles({
  "/src/a.ts": "a",
  "/src/b.tsx": "b",
  "/src/util/c.ts": "c",
  "/src/util/deep/d.ts": "d",
  "/test/e.ts": "e",
  "/README.md": "readme",
  "/.env": "SECRET=1",
  "/.git/config": "[core]",
  "/docs/x1.md": "x1",
  "/docs/x2.md": "x2",
  "/docs/x10.md": "x10",
  "/docs/y1.md": "y1",
});

const project = (ctx: CaseContext) => ctx.sandbox({ files: tree });

export default defineCases("search", "glob-files", {
  "globstar-any-depth": [
    "`**/*.ts` matches .ts files at every depth (and not .tsx), sorted.",
    async (ctx) => {
      const sb = await project(ctx);
      const { paths, truncated } = await glob(sb, { pattern: "**/*.ts" });
      assert.deepEqual(paths, ["/src/a.ts", "/src/util/c.ts", "/src/util/deep/d.ts", "/test/e.ts"]);
      assert.equal(truncated, null);
    },
  ],
  "globstar-zero-directories": [
    "`src/**/*.ts` matches /src/a.ts too: `**` spans zero directories as well as several.",
    async (ctx) => {
      const sb = await project(ctx);
      const { paths } = await glob(sb, { pattern: "src/**/*.ts" });
      assert.deepEqual(paths, ["/src/a.ts", "/src/util/c.ts", "/src/util/deep/d.ts"]);
    },
  ],
  "star-stays-within-a-name": [
    "`src/*.ts` matches only direct children of /src: `*` never crosses a `/`.",
    async (ctx) => {
      const sb = await project(ctx);
      assert.deepEqual((await glob(sb, { pattern: "src/*.ts" })).paths, ["/src/a.ts"]);
      assert.deepEqual((await glob(sb, { pattern: "*/*/c.ts" })).paths, ["/src/util/c.ts"]);
    },
  ],
  "directories-match": [
    "Directories are paths too: `src/*` lists /src's files and its subdirectory.",
    async (ctx) => {
      const sb = await project(ctx);
      const { paths } = await glob(sb, { pattern: "src/*" });
      assert.deepEqual(paths, ["/src/a.ts", "/src/b.tsx", "/src/util"]);
    },
  ],
  "question-mark-one-character": [
    "`?` matches exactly one character: `docs/x?.md` matches x1 and x2, not x10.",
    async (ctx) => {
      const sb = await project(ctx);
      const { paths } = await glob(sb, { pattern: "docs/x?.md" });
      assert.deepEqual(paths, ["/docs/x1.md", "/docs/x2.md"]);
    },
  ],
  "question-mark-non-ascii-character": [
    "`?` matches one non-ASCII character (é, 中) as one character.",
    async (ctx) => {
      const sb = await ctx.sandbox({
        files: textFiles({ "/é.txt": "1", "/中.txt": "2", "/ab.txt": "3", "/a.txt": "4" }),
      });
      const { paths } = await glob(sb, { pattern: "?.txt" });
      assert.deepEqual(paths.toSorted(), ["/a.txt", "/é.txt", "/中.txt"].toSorted());
    },
  ],
  "character-classes": [
    "`[xy]`, `[!1]` / `[^1]` and ranges `[0-9]` match one character from (or not from) a set.",
    async (ctx) => {
      const sb = await project(ctx);
      assert.deepEqual((await glob(sb, { pattern: "docs/[xy]1.md" })).paths, [
        "/docs/x1.md",
        "/docs/y1.md",
      ]);
      assert.deepEqual((await glob(sb, { pattern: "docs/x[!1].md" })).paths, ["/docs/x2.md"]);
      assert.deepEqual((await glob(sb, { pattern: "docs/x[^1].md" })).paths, ["/docs/x2.md"]);
      assert.deepEqual((await glob(sb, { pattern: "docs/x[0-9][0-9].md" })).paths, [
        "/docs/x10.md",
      ]);
    },
  ],
  "braces-alternatives": [
    "`{src,test}/**/*.{ts,tsx}` matches each alternative, once, sorted.",
    async (ctx) => {
      const sb = await project(ctx);
      const { paths } = await glob(sb, { pattern: "{src,test}/**/*.{ts,tsx}" });
      assert.deepEqual(paths, [
        "/src/a.ts",
        "/src/b.tsx",
        "/src/util/c.ts",
        "/src/util/deep/d.ts",
        "/test/e.ts",
      ]);
    },
  ],
  "overlapping-braces-no-duplicates": [
    "A path matched by two alternatives (`{*.ts,a.*}`) is listed once.",
    async (ctx) => {
      const sb = await project(ctx);
      const { paths } = await glob(sb, { pattern: "src/{*.ts,a.*}" });
      assert.deepEqual(paths, ["/src/a.ts"]);
    },
  ],
  "dotfiles-match": [
    "Names starting with a dot match like any other: `*` finds /.env and /.git, `**/config` finds /.git/config.",
    async (ctx) => {
      const sb = await project(ctx);
      const top = (await glob(sb, { pattern: "*" })).paths;
      assert.ok(top.includes("/.env"), `* should match /.env: ${JSON.stringify(top)}`);
      assert.ok(top.includes("/.git"), `* should match /.git: ${JSON.stringify(top)}`);
      assert.deepEqual((await glob(sb, { pattern: "**/config" })).paths, ["/.git/config"]);
      assert.deepEqual((await glob(sb, { pattern: "**/*.env" })).paths, ["/.env"]);
    },
  ],
  "scoped-by-path": [
    "With `path`, the pattern is matched relative to that directory and the results are absolute paths under it.",
    async (ctx) => {
      const sb = await project(ctx);
      assert.deepEqual((await glob(sb, { pattern: "*.ts", path: "/src" })).paths, ["/src/a.ts"]);
      assert.deepEqual((await glob(sb, { pattern: "**/*.ts", path: "/src/util" })).paths, [
        "/src/util/c.ts",
        "/src/util/deep/d.ts",
      ]);
    },
  ],
  "absolute-pattern": [
    "A pattern starting with `/` is matched against absolute paths.",
    async (ctx) => {
      const sb = await project(ctx);
      assert.deepEqual((await glob(sb, { pattern: "/src/*.ts" })).paths, ["/src/a.ts"]);
      assert.deepEqual((await glob(sb, { pattern: "/src/util/*.ts", path: "/src" })).paths, [
        "/src/util/c.ts",
      ]);
    },
  ],
  "results-sorted": [
    "Results are sorted, whatever order the files were created in (a.txt, a-b.txt, a/x.txt, B.txt ...).",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const names = ["/b.txt", "/a/x.txt", "/a.txt", "/B.txt", "/a-b.txt", "/a b.txt", "/_.txt"];
      for (const name of names) await sb.write(name, "x");
      const { paths } = await glob(sb, { pattern: "**/*.txt" });
      const sorted = names.toSorted((x, y) => (x < y ? -1 : x > y ? 1 : 0));
      assert.deepEqual(paths, sorted);
    },
  ],
  "no-match-empty": [
    "A pattern that matches nothing is 200 with no paths and truncated null.",
    async (ctx) => {
      const sb = await project(ctx);
      assert.deepEqual(await glob(sb, { pattern: "**/*.rs" }), { paths: [], truncated: null });
    },
  ],
  "limit-truncates": [
    'With `limit`, the first `limit` paths of the sorted result are returned with truncated {reason: "limit", limit}.',
    async (ctx) => {
      const sb = await project(ctx);
      const all = (await glob(sb, { pattern: "**/*.md" })).paths;
      assert.equal(all.length, 5);
      const cut = await glob(sb, { pattern: "**/*.md", limit: 2 });
      assert.deepEqual(cut.paths, all.slice(0, 2));
      assert.deepEqual(cut.truncated, { reason: "limit", limit: 2 });
    },
  ],
  "limit-exactly-reached-not-truncated": [
    "A result with exactly `limit` paths is not cut: truncated is null.",
    async (ctx) => {
      const sb = await project(ctx);
      const res = await glob(sb, { pattern: "docs/*.md", limit: 4 });
      assert.equal(res.paths.length, 4);
      assert.equal(res.truncated, null);
    },
  ],
  "max-entries-truncates": [
    'With `maxEntries` smaller than the tree, the walk stops: truncated {reason: "entries", limit}, and the paths returned are a sorted part of the full result.',
    async (ctx) => {
      const files: Record<string, string> = {};
      for (let i = 0; i < 20; i++) files[`/many/f${String(i).padStart(2, "0")}.txt`] = "x";
      const sb = await ctx.sandbox({ files: textFiles(files) });
      const all = (await glob(sb, { pattern: "**" })).paths;
      const res = await glob(sb, { pattern: "**", maxEntries: 5 });
      assert.deepEqual(res.truncated, { reason: "entries", limit: 5 });
      assert.ok(res.paths.length <= 5, `at most 5 paths: ${JSON.stringify(res.paths)}`);
      for (const path of res.paths) assert.ok(all.includes(path), `${path} should be a match`);
      assert.deepEqual(
        res.paths,
        all.filter((p) => res.paths.includes(p)),
      );
    },
  ],
  "unclosed-bracket-400": [
    "A pattern with an unclosed `[` is 400 invalid_request.",
    async (ctx) => {
      const sb = await project(ctx);
      expectProblem(await globRaw(sb, { pattern: "src/[ab.ts" }), 400, "invalid_request");
    },
  ],
  "unclosed-brace-400": [
    "A pattern with an unclosed `{` is 400 invalid_request.",
    async (ctx) => {
      const sb = await project(ctx);
      expectProblem(await globRaw(sb, { pattern: "src/{a,b.ts" }), 400, "invalid_request");
    },
  ],
  "missing-or-empty-pattern-400": [
    "A missing or empty `pattern` is 400 invalid_request.",
    async (ctx) => {
      const sb = await project(ctx);
      expectProblem(await globRaw(sb, {}), 400, "invalid_request");
      expectProblem(await globRaw(sb, { pattern: "" }), 400, "invalid_request");
    },
  ],
  "invalid-limit-400": [
    "`limit` 0 or over 10000, and `maxEntries` 0, are 400 invalid_request.",
    async (ctx) => {
      const sb = await project(ctx);
      expectProblem(await globRaw(sb, { pattern: "*", limit: 0 }), 400, "invalid_request");
      expectProblem(await globRaw(sb, { pattern: "*", limit: 10_001 }), 400, "invalid_request");
      expectProblem(await globRaw(sb, { pattern: "*", maxEntries: 0 }), 400, "invalid_request");
    },
  ],
  "missing-path-404-enoent": [
    "A `path` with nothing there is 404 ENOENT.",
    async (ctx) => {
      const sb = await project(ctx);
      expectProblem(await globRaw(sb, { pattern: "*", path: "/nope" }), 404, "ENOENT");
    },
  ],
  "sees-latest-write": [
    "A file written just before the glob is found, and one deleted just before is not.",
    async (ctx) => {
      const sb = await project(ctx);
      await sb.write("/src/new.ts", "new");
      expectStatus(await sb.request("DELETE", "/files", { query: { path: "/src/a.ts" } }), 200);
      assert.deepEqual((await glob(sb, { pattern: "src/*.ts" })).paths, ["/src/new.ts"]);
    },
  ],
});
