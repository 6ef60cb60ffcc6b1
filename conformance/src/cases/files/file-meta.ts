/** Cases for getFileMeta / setFileMeta (GET and PUT /v1/sandboxes/{id}/fs/meta): tags and a summary. */
import { defineCases } from "../../case.js";
import { assert, expectProblem } from "../../harness/assert.js";
import { getMeta, setMeta, setMetaRaw, textFiles } from "../text-support.js";

export default defineCases("files", "file-meta", {
  "set-then-get": [
    "PUT stores tags (deduplicated, in order) and a trimmed summary; GET returns them with the file's ETag.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: textFiles({ "/main.ts": "x\n" }) });
      const put = await setMeta(sb, "/main.ts", {
        tags: ["entry", "lang:ts", "entry"],
        summary: "  Starts the server.  ",
      });
      assert.deepEqual([put.tags, put.summary], [["entry", "lang:ts"], "Starts the server."]);
      const got = await getMeta(sb, "/main.ts");
      assert.deepEqual(got, { ...put, version: got.version });
      assert.equal(got.version, put.version);
    },
  ],
  "fresh-file-has-none": [
    "A file nobody tagged has empty tags and a null summary.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: textFiles({ "/f": "x" }) });
      const got = await getMeta(sb, "/f");
      assert.deepEqual([got.path, got.tags, got.summary], ["/f", [], null]);
    },
  ],
  "empty-body-clears": [
    "PUT `{}` (or empty tags and a null summary) clears what was set.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: textFiles({ "/f": "x" }) });
      await setMeta(sb, "/f", { tags: ["a"], summary: "s" });
      await setMeta(sb, "/f", {});
      assert.deepEqual((await getMeta(sb, "/f")).tags, []);
      await setMeta(sb, "/f", { tags: ["b"] });
      await setMeta(sb, "/f", { tags: [], summary: null });
      const got = await getMeta(sb, "/f");
      assert.deepEqual([got.tags, got.summary], [[], null]);
    },
  ],
  "commits-without-touching-content": [
    "Setting meta bumps the sandbox version but keeps the ETag, size, mode and mtime.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: textFiles({ "/f": "x" }) });
      const before = await sb.stat("/f");
      const version = await sb.version();
      const put = await setMeta(sb, "/f", { tags: ["t"] });
      assert.equal(put.version, version + 1);
      assert.deepEqual(await sb.stat("/f"), before);
    },
  ],
  "follows-moves-links-copies-and-rewrites": [
    "Meta belongs to the file: it follows a move, a hard link and a copy, and stays when the content is replaced.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: textFiles({ "/a": "x" }) });
      await setMeta(sb, "/a", { tags: ["t"], summary: "S." });
      await sb.request("POST", "/fs/move", { body: { from: "/a", to: "/b" } });
      await sb.request("POST", "/fs/copy", { body: { from: "/b", to: "/c" } });
      await sb.exec("ln /b /d && echo changed > /b");
      await sb.write("/c", "rewritten");
      for (const path of ["/b", "/c", "/d"]) {
        const got = await getMeta(sb, path);
        assert.deepEqual([got.tags, got.summary], [["t"], "S."], path);
      }
    },
  ],
  "through-a-symlink": [
    "PUT and GET through a symlink reach the file it points at.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: textFiles({ "/real": "x" }) });
      await sb.exec("ln -s /real /link");
      await setMeta(sb, "/link", { tags: ["via-link"] });
      const got = await getMeta(sb, "/real");
      assert.deepEqual([got.path, got.tags], ["/real", ["via-link"]]);
    },
  ],
  "directory-and-missing-path": [
    "A directory is 409 EISDIR and a missing file 404 ENOENT, for GET and PUT.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: textFiles({ "/d/f": "x" }) });
      expectProblem(await sb.request("GET", "/fs/meta", { query: { path: "/d" } }), 409, "EISDIR");
      expectProblem(await setMetaRaw(sb, "/d", { tags: ["t"] }), 409, "EISDIR");
      expectProblem(
        await sb.request("GET", "/fs/meta", { query: { path: "/nope" } }),
        404,
        "ENOENT",
      );
      expectProblem(await setMetaRaw(sb, "/nope", { tags: ["t"] }), 404, "ENOENT");
    },
  ],
  "invalid-meta-400-changes-nothing": [
    "A tag with a space, a tag over 64 characters, 33 tags, a two-line summary or an unknown field is 400 and changes nothing.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: textFiles({ "/f": "x" }) });
      await setMeta(sb, "/f", { tags: ["kept"] });
      const version = await sb.version();
      for (const body of [
        { tags: ["two words"] },
        { tags: ["x".repeat(65)] },
        { tags: Array.from({ length: 33 }, (_, i) => `t${i}`) },
        { summary: "line one\nline two" },
        { tags: ["ok"], colour: "red" },
        { tags: "not-an-array" },
      ]) {
        expectProblem(await setMetaRaw(sb, "/f", body), 400, "invalid_request");
      }
      assert.equal(await sb.version(), version);
      assert.deepEqual((await getMeta(sb, "/f")).tags, ["kept"]);
    },
  ],
  "if-match-guards-the-content-read": [
    "With If-Match, a stale ETag is 412 and changes nothing; the current one sets the meta.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: textFiles({ "/f": "x" }) });
      const { etag } = await getMeta(sb, "/f");
      await sb.write("/f", "changed");
      const stale = await setMetaRaw(sb, "/f", { tags: ["t"] }, { "If-Match": etag });
      expectProblem(stale, 412);
      assert.deepEqual((await getMeta(sb, "/f")).tags, []);
      const current = (await getMeta(sb, "/f")).etag;
      const ok = await setMetaRaw(sb, "/f", { tags: ["t"] }, { "If-Match": current });
      assert.equal(ok.status, 200);
    },
  ],
});
