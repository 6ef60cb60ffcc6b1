/** Cases for editFile (POST /v1/sandboxes/{id}/fs/edit): exact-string replacement in one commit. */
import { defineCases } from "../../case.js";
import type { CaseContext } from "../../context.js";
import { assert, expectBytes, expectProblem, expectStatus, utf8 } from "../../harness/assert.js";
import type { SandboxHandle } from "../../harness/sandbox.js";
import { allBytes, sha256Etag } from "../support.js";
import { binaryFile, type EditResult, editRaw, textFiles } from "../text-support.js";

/** A sandbox holding one text file. */
async function withFile(ctx: CaseContext, path: string, content: string): Promise<SandboxHandle> {
  return ctx.sandbox({ files: textFiles({ [path]: content }) });
}

/** Edits (200 expected). */
async function edit(
  sb: SandboxHandle,
  body: object,
  headers?: Record<string, string>,
): Promise<EditResult & { etagHeader: string | null }> {
  const res = await editRaw(sb, body, headers);
  expectStatus(res, 200);
  return { ...res.json<EditResult>(), etagHeader: res.header("etag") };
}

/** Fails unless the file still holds `content` and the sandbox is still at `version`. */
async function expectUnchanged(
  sb: SandboxHandle,
  path: string,
  content: string,
  version: number,
): Promise<void> {
  assert.equal(await sb.readText(path), content, `${path} should be unchanged`);
  assert.equal(await sb.version(), version, "the sandbox version should be unchanged");
}

export default defineCases("files", "edit-file", {
  "replaces-exact-string": [
    "Replacing a string that occurs once is 200: the file holds the new content and replacements is 1.",
    async (ctx) => {
      const sb = await withFile(ctx, "/a.txt", "hello world\nbye world!\n");
      const res = await edit(sb, { path: "/a.txt", oldString: "world\n", newString: "there\n" });
      assert.equal(res.replacements, 1);
      assert.equal(await sb.readText("/a.txt"), "hello there\nbye world!\n");
      assert.deepEqual(
        [res.file.path, res.file.type, res.file.size],
        ["/a.txt", "file", utf8("hello there\nbye world!\n").byteLength],
      );
    },
  ],
  "version-and-etag": [
    "An edit advances the version to the sandbox's new version, and its ETag header and etag are the new content's ETag.",
    async (ctx) => {
      const sb = await withFile(ctx, "/a.txt", "v = 1;\n");
      const before = await sb.version();
      const res = await edit(sb, { path: "/a.txt", oldString: "1", newString: "2" });
      assert.ok(res.version > before, `${res.version} > ${before}`);
      assert.equal(await sb.version(), res.version);
      const expected = sha256Etag(utf8("v = 2;\n"));
      assert.equal(res.etag, expected);
      assert.equal(res.etagHeader, expected);
      const get = await sb.readRaw("/a.txt");
      assert.equal(get.header("etag"), expected);
    },
  ],
  "no-match-422": [
    "An oldString that is not in the file is 422 edit_no_match and changes nothing.",
    async (ctx) => {
      const sb = await withFile(ctx, "/a.txt", "alpha\n");
      const version = await sb.version();
      const res = await editRaw(sb, { path: "/a.txt", oldString: "beta", newString: "gamma" });
      expectProblem(res, 422, "edit_no_match");
      await expectUnchanged(sb, "/a.txt", "alpha\n", version);
    },
  ],
  "ambiguous-422": [
    "An oldString found twice is 422 edit_ambiguous and changes nothing.",
    async (ctx) => {
      const sb = await withFile(ctx, "/a.txt", "x = 1;\ny = 1;\n");
      const version = await sb.version();
      const res = await editRaw(sb, { path: "/a.txt", oldString: "= 1", newString: "= 2" });
      expectProblem(res, 422, "edit_ambiguous");
      await expectUnchanged(sb, "/a.txt", "x = 1;\ny = 1;\n", version);
    },
  ],
  "replace-all": [
    "With replaceAll, every occurrence is replaced and replacements counts them.",
    async (ctx) => {
      const sb = await withFile(ctx, "/a.txt", "x = 1;\ny = 1;\nz = 1;\n");
      const res = await edit(sb, {
        path: "/a.txt",
        oldString: "= 1",
        newString: "= 2",
        replaceAll: true,
      });
      assert.equal(res.replacements, 3);
      assert.equal(await sb.readText("/a.txt"), "x = 2;\ny = 2;\nz = 2;\n");
    },
  ],
  "replace-all-single-occurrence": [
    "replaceAll with a single occurrence replaces it (replacements 1).",
    async (ctx) => {
      const sb = await withFile(ctx, "/a.txt", "one two\n");
      const res = await edit(sb, {
        path: "/a.txt",
        oldString: "two",
        newString: "2",
        replaceAll: true,
      });
      assert.equal(res.replacements, 1);
      assert.equal(await sb.readText("/a.txt"), "one 2\n");
    },
  ],
  "replace-all-no-match-422": [
    "replaceAll with no occurrence is 422 edit_no_match.",
    async (ctx) => {
      const sb = await withFile(ctx, "/a.txt", "alpha\n");
      const res = await editRaw(sb, {
        path: "/a.txt",
        oldString: "beta",
        newString: "x",
        replaceAll: true,
      });
      expectProblem(res, 422, "edit_no_match");
    },
  ],
  "if-match-current-applies": [
    "If-Match with the file's current ETag applies the edit.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const { etag } = await sb.write("/a.txt", "old\n");
      const res = await edit(
        sb,
        { path: "/a.txt", oldString: "old", newString: "new" },
        { "if-match": etag ?? "" },
      );
      assert.equal(res.replacements, 1);
      assert.equal(await sb.readText("/a.txt"), "new\n");
    },
  ],
  "if-match-stale-412": [
    "If-Match with a stale ETag is 412 precondition_failed and changes nothing.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const { etag: stale } = await sb.write("/a.txt", "first old\n");
      const { version } = await sb.write("/a.txt", "second old\n");
      const res = await editRaw(
        sb,
        { path: "/a.txt", oldString: "old", newString: "new" },
        { "if-match": stale ?? "" },
      );
      expectProblem(res, 412, "precondition_failed");
      await expectUnchanged(sb, "/a.txt", "second old\n", version);
    },
  ],
  "keeps-mode": [
    "The edited file keeps its mode.",
    async (ctx) => {
      const sb = await ctx.sandbox({
        files: [{ path: "/run.sh", content: "echo hi\n", mode: "755" }],
      });
      const res = await edit(sb, { path: "/run.sh", oldString: "hi", newString: "bye" });
      assert.equal(res.file.mode, 0o755);
      assert.equal((await sb.stat("/run.sh")).mode, 0o755);
    },
  ],
  "keeps-other-bytes": [
    "Bytes outside the replaced text are kept exactly, including a UTF-8 byte order mark and mixed line endings.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const before = "\uFEFFfirst\r\nsecond\rthird\n";
      await sb.write("/bom.txt", before);
      await edit(sb, { path: "/bom.txt", oldString: "second", newString: "2nd" });
      expectBytes(await sb.read("/bom.txt"), utf8("\uFEFFfirst\r\n2nd\rthird\n"), "/bom.txt");
    },
  ],
  "new-string-literal": [
    "newString is inserted literally: `$&`, `$1` and `$$` mean nothing special.",
    async (ctx) => {
      const sb = await withFile(ctx, "/a.txt", "price: X\n");
      await edit(sb, { path: "/a.txt", oldString: "X", newString: "$& $1 $$ $'" });
      assert.equal(await sb.readText("/a.txt"), "price: $& $1 $$ $'\n");
    },
  ],
  "empty-new-string-deletes": [
    "An empty newString deletes the old text.",
    async (ctx) => {
      const sb = await withFile(ctx, "/a.txt", "keep remove-me keep\n");
      await edit(sb, { path: "/a.txt", oldString: " remove-me", newString: "" });
      assert.equal(await sb.readText("/a.txt"), "keep keep\n");
    },
  ],
  unicode: [
    "Non-ASCII old and new strings (é, 中文, emoji) are matched and written as UTF-8.",
    async (ctx) => {
      const sb = await withFile(ctx, "/u.txt", "naïve café 😀 中文\n");
      const res = await edit(sb, { path: "/u.txt", oldString: "café 😀", newString: "thé 🍵" });
      assert.equal(res.replacements, 1);
      const expected = utf8("naïve thé 🍵 中文\n");
      expectBytes(await sb.read("/u.txt"), expected, "/u.txt");
      assert.equal(res.file.size, expected.byteLength);
    },
  ],
  "crlf-old-string": [
    "In a CRLF file, an oldString spanning lines with CRLF matches and the CRLF newString is written as given.",
    async (ctx) => {
      const sb = await withFile(ctx, "/w.txt", "a\r\nb\r\nc\r\n");
      await edit(sb, { path: "/w.txt", oldString: "a\r\nb", newString: "x\r\ny" });
      expectBytes(await sb.read("/w.txt"), utf8("x\r\ny\r\nc\r\n"), "/w.txt");
    },
  ],
  "crlf-file-lf-old-string-no-match": [
    "Matching is exact: in a CRLF file, an oldString with a bare LF between lines is 422 edit_no_match.",
    async (ctx) => {
      const sb = await withFile(ctx, "/w.txt", "a\r\nb\r\n");
      const res = await editRaw(sb, { path: "/w.txt", oldString: "a\nb", newString: "x" });
      expectProblem(res, 422, "edit_no_match");
    },
  ],
  "binary-400": [
    "Editing a binary file is 400 invalid_request and changes nothing.",
    async (ctx) => {
      const bytes = allBytes();
      const sb = await ctx.sandbox({ files: [binaryFile("/b.bin", bytes)] });
      const version = await sb.version();
      const res = await editRaw(sb, { path: "/b.bin", oldString: "A", newString: "B" });
      expectProblem(res, 400, "invalid_request");
      expectBytes(await sb.read("/b.bin"), bytes, "/b.bin");
      assert.equal(await sb.version(), version);
    },
  ],
  "missing-404-enoent": [
    "Editing a path with nothing there is 404 ENOENT and creates nothing.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const res = await editRaw(sb, { path: "/nope.txt", oldString: "a", newString: "b" });
      expectProblem(res, 404, "ENOENT");
      assert.equal(await sb.exists("/nope.txt"), false);
    },
  ],
  "directory-409-eisdir": [
    "Editing a directory is 409 EISDIR.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.mkdir("/d");
      const res = await editRaw(sb, { path: "/d", oldString: "a", newString: "b" });
      expectProblem(res, 409, "EISDIR");
    },
  ],
  "invalid-body-400": [
    "A body without oldString, with an empty oldString, or with an unknown property is 400 invalid_request.",
    async (ctx) => {
      const sb = await withFile(ctx, "/a.txt", "a\n");
      for (const body of [
        { path: "/a.txt", newString: "b" },
        { path: "/a.txt", oldString: "", newString: "b" },
        { path: "/a.txt", oldString: "a", newString: "b", extra: true },
        { oldString: "a", newString: "b" },
      ]) {
        expectProblem(await editRaw(sb, body), 400, "invalid_request");
      }
      assert.equal(await sb.readText("/a.txt"), "a\n");
    },
  ],
});
