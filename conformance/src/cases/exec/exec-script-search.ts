/**
 * Cases for Cairn's own commands in scripts: `search` ranks as GET .../fs/search does, and
 * `tag`/`untag`/`tags`/`summary` write a file's meta through the script's commit.
 */
import { defineCases } from "../../case.js";
import { assert } from "../../harness/assert.js";
import { getMeta, type SearchResult, searchSettled, setMeta, textFiles } from "../text-support.js";

const FILES = textFiles({
  "/src/retry.ts": "export function retry() {}\n// retry with exponential backoff\n",
  "/src/once.ts": "retry once, no backoff\n",
  "/src/net/client.ts": "import { retry } from '../retry';\nretry(fetch);\nretry(send);\n",
  "/docs/retry.md": "How retry works.\n",
  "/docs/other.md": "nothing to see\n",
});

export default defineCases("exec", "exec-script", {
  "search-command-matches-api": [
    "`search --json` in a script answers exactly what GET /fs/search answers for the same query, tags, path, glob and limit.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: FILES });
      await setMeta(sb, "/docs/other.md", { tags: ["net"], summary: "Backoff policy notes." });
      const queries: Array<[string, Parameters<typeof searchSettled>[1]]> = [
        ["search --json retry backoff", { q: "retry backoff" }],
        ["search --json --limit 2 retry", { q: "retry", limit: 2 }],
        [
          "search --json --path /src --glob '**/*.ts' retry",
          { q: "retry", path: "/src", glob: "**/*.ts" },
        ],
        ["search --json --tag net", { tag: ["net"] }],
      ];
      for (const [script, query] of queries) {
        const api = await searchSettled(sb, query);
        const r = await sb.exec(script);
        assert.equal(r.exitCode, 0, `${script}: ${r.stderr}`);
        assert.deepEqual(JSON.parse(r.stdout) as SearchResult, api, script);
      }
    },
  ],
  "search-command-text-ranking": [
    "`search` prints one `path  score` line per hit in the API's order, then its tags, summary and best lines.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: FILES });
      await setMeta(sb, "/src/once.ts", { tags: ["net"], summary: "One try." });
      const api = await searchSettled(sb, { q: "retry backoff" });
      const r = await sb.exec("search retry backoff");
      assert.equal(r.exitCode, 0);
      const heads = r.stdout.split("\n").filter((line) => line.startsWith("/"));
      assert.deepEqual(
        heads,
        api.hits.map((h) => `${h.path}  ${h.score}`),
      );
      assert.match(
        r.stdout,
        /\/src\/once\.ts {2}[\d.]+\n {2}tags: net\n {2}summary: One try\.\n {2}1: retry once, no backoff\n/,
      );
    },
  ],
  "search-command-exit-codes": [
    "`search` exits 1 when nothing matches and 2 for a bad option, with a message on stderr.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: FILES });
      const none = await sb.exec("search zzzabsent");
      assert.deepEqual([none.exitCode, none.stdout], [1, ""]);
      const bad = await sb.exec("search --limit many retry");
      assert.equal(bad.exitCode, 2);
      assert.match(bad.stderr, /^search: --limit must be a whole number/);
    },
  ],
  "tag-command-commits-with-script": [
    "Tags and a summary set by `tag` and `summary` in a script are visible through GET /fs/meta and search after the commit.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: FILES });
      const r = await sb.exec(
        "tag /docs/other.md zebra ops && untag /docs/other.md ops && summary /docs/other.md Notes on zebras. && tags /docs/other.md",
      );
      assert.deepEqual([r.exitCode, r.stdout, r.commit.status], [0, "zebra\n", "committed"]);
      const meta = await getMeta(sb, "/docs/other.md");
      assert.deepEqual([meta.tags, meta.summary], [["zebra"], "Notes on zebras."]);
      const found = await searchSettled(sb, { tag: ["zebra"] });
      assert.deepEqual(
        found.hits.map((h) => h.path),
        ["/docs/other.md"],
      );
      const read = await sb.exec("tags /docs/other.md; summary /docs/other.md");
      assert.equal(read.stdout, "zebra\nNotes on zebras.\n");
    },
  ],
  "tag-command-discarded-on-failure": [
    "With commit on_success, tags set by a script that then fails are not kept.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: FILES });
      const before = await sb.version();
      const r = await sb.exec({
        script: "tag /src/once.ts kept && summary /src/once.ts S && false",
        commit: "on_success",
      });
      assert.deepEqual([r.exitCode, r.commit.status], [1, "discarded"]);
      const meta = await getMeta(sb, "/src/once.ts");
      assert.deepEqual([meta.tags, meta.summary], [[], null]);
      assert.equal(await sb.version(), before);
    },
  ],
  "tag-command-read-only": [
    "`tag` and `summary` fail with EROFS (exit 1) in a read-only exec and in a read-only sandbox; nothing commits.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: FILES });
      await setMeta(sb, "/src/once.ts", { tags: ["a"] });
      const r = await sb.exec({
        script:
          "tag /src/once.ts b; echo rc=$?; summary /src/once.ts S; echo rc=$?; tags /src/once.ts",
        readOnly: true,
      });
      assert.equal(r.stdout, "rc=1\nrc=1\na\n");
      assert.match(r.stderr, /^tag: EROFS/);
      assert.equal(r.commit.status, "unchanged");
      const locked = await ctx.sandbox({ files: FILES, policy: { readOnly: true } });
      const refused = await locked.exec("untag /src/once.ts a || echo refused");
      assert.deepEqual([refused.stdout, refused.commit.status], ["refused\n", "unchanged"]);
      assert.match(refused.stderr, /EROFS/);
      assert.deepEqual((await getMeta(sb, "/src/once.ts")).tags, ["a"]);
    },
  ],
  "tag-command-policy-denied": [
    "`tag` on a path the sandbox's policy denies fails with EACCES.",
    async (ctx) => {
      const sb = await ctx.sandbox({
        files: textFiles({ "/secrets/k.txt": "k\n" }),
        policy: { denyGlobs: ["secrets/**"] },
      });
      const r = await sb.exec("tag /secrets/k.txt x");
      assert.equal(r.exitCode, 1);
      assert.match(r.stderr, /EACCES/);
    },
  ],
  "commands-listed-in-bin": [
    "search, tag, untag, tags and summary are in /usr/bin and /bin, and each has --help.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const r = await sb.exec(
        "for c in search tag untag tags summary; do test -x /usr/bin/$c && test -x /bin/$c && $c --help | head -1; done",
      );
      assert.equal(r.exitCode, 0);
      assert.deepEqual(
        r.stdout.split("\n").map((line) => line.split(" ")[1]),
        ["search", "tag", "untag", "tags", "summary", undefined],
      );
    },
  ],
});
