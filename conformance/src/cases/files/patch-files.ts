/** Cases for patchFiles (POST /v1/sandboxes/{id}/fs/patch): unified diffs applied all or nothing. */
import { defineCases } from "../../case.js";
import { assert, expectBytes, expectProblem, expectStatus, utf8 } from "../../harness/assert.js";
import type { SandboxHandle } from "../../harness/sandbox.js";
import { sha256Etag } from "../support.js";
import { type PatchResult, patchRaw, textFiles } from "../text-support.js";

/** A diff from its lines, each ended with LF. */
const diff = (...lines: string[]) => `${lines.join("\n")}\n`;

/** Patches (200 expected). */
async function patch(
  sb: SandboxHandle,
  body: { patch: string; path?: string },
  headers?: Record<string, string>,
): Promise<PatchResult> {
  const res = await patchRaw(sb, body, headers);
  expectStatus(res, 200);
  return res.json<PatchResult>();
}

const twoToTWO = (path: string) =>
  diff(`--- a${path}`, `+++ b${path}`, "@@ -1,3 +1,3 @@", " one", "-two", "+TWO", " three");

export default defineCases("files", "patch-files", {
  "one-file-applies": [
    "A one-file unified diff applies: 200 with the file modified, its new ETag and the new version.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: textFiles({ "/a.txt": "one\ntwo\nthree\n" }) });
      const before = await sb.version();
      const res = await patch(sb, { patch: twoToTWO("/a.txt") });
      const expected = "one\nTWO\nthree\n";
      assert.deepEqual(res.files, [
        { path: "/a.txt", status: "modified", etag: sha256Etag(utf8(expected)) },
      ]);
      assert.ok(res.version > before, `${res.version} > ${before}`);
      assert.equal(await sb.version(), res.version);
      assert.equal(await sb.readText("/a.txt"), expected);
    },
  ],
  "git-diff-applies": [
    "A git-style diff (diff --git and index lines before the ---/+++ headers) applies.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: textFiles({ "/src/a.txt": "one\ntwo\nthree\n" }) });
      const git = `diff --git a/src/a.txt b/src/a.txt\nindex 5626abf..f719efd 100644\n${twoToTWO("/src/a.txt")}`;
      const res = await patch(sb, { patch: git });
      assert.deepEqual(
        res.files.map((f) => [f.path, f.status]),
        [["/src/a.txt", "modified"]],
      );
      assert.equal(await sb.readText("/src/a.txt"), "one\nTWO\nthree\n");
    },
  ],
  "multi-hunk": [
    "Several hunks in one file apply, each where its header (shifted by earlier hunks) says.",
    async (ctx) => {
      const text = `${Array.from({ length: 12 }, (_, i) => `line ${i + 1}`).join("\n")}\n`;
      const sb = await ctx.sandbox({ files: textFiles({ "/m.txt": text }) });
      await patch(sb, {
        patch: diff(
          "--- a/m.txt",
          "+++ b/m.txt",
          "@@ -1,3 +1,4 @@",
          " line 1",
          "+inserted",
          " line 2",
          " line 3",
          "@@ -9,3 +10,2 @@",
          " line 9",
          "-line 10",
          " line 11",
        ),
      });
      const lines = (await sb.readText("/m.txt")).split("\n");
      assert.deepEqual(lines.slice(0, 4), ["line 1", "inserted", "line 2", "line 3"]);
      assert.deepEqual(lines.slice(9), ["line 9", "line 11", "line 12", ""]);
    },
  ],
  "multi-file-applies-all": [
    "A diff of several files changes every one of them in one commit.",
    async (ctx) => {
      const sb = await ctx.sandbox({
        files: textFiles({ "/a.txt": "one\ntwo\nthree\n", "/b.txt": "one\ntwo\nthree\n" }),
      });
      const before = await sb.version();
      const res = await patch(sb, { patch: twoToTWO("/a.txt") + twoToTWO("/b.txt") });
      assert.deepEqual(
        res.files.map((f) => [f.path, f.status]),
        [
          ["/a.txt", "modified"],
          ["/b.txt", "modified"],
        ],
      );
      assert.equal(await sb.readText("/a.txt"), "one\nTWO\nthree\n");
      assert.equal(await sb.readText("/b.txt"), "one\nTWO\nthree\n");
      assert.ok(res.version > before);
    },
  ],
  "multi-file-conflict-applies-nothing": [
    "When the second file's hunk does not apply, the patch is 422 patch_conflict naming that hunk and file, and the first file is unchanged too.",
    async (ctx) => {
      const sb = await ctx.sandbox({
        files: textFiles({ "/a.txt": "one\ntwo\nthree\n", "/b.txt": "uno\ndos\ntres\n" }),
      });
      const version = await sb.version();
      const res = await patchRaw(sb, { patch: twoToTWO("/a.txt") + twoToTWO("/b.txt") });
      const problem = expectProblem(res, 422, "patch_conflict");
      assert.deepEqual([problem.hunk, problem.path], [1, "/b.txt"]);
      assert.equal(await sb.readText("/a.txt"), "one\ntwo\nthree\n");
      assert.equal(await sb.readText("/b.txt"), "uno\ndos\ntres\n");
      assert.equal(await sb.version(), version);
    },
  ],
  "conflict-names-hunk": [
    "When the second hunk of a file does not apply, the conflict names hunk 2 and nothing is changed.",
    async (ctx) => {
      const text = `${Array.from({ length: 12 }, (_, i) => `line ${i + 1}`).join("\n")}\n`;
      const sb = await ctx.sandbox({ files: textFiles({ "/m.txt": text }) });
      const res = await patchRaw(sb, {
        patch: diff(
          "--- a/m.txt",
          "+++ b/m.txt",
          "@@ -1,2 +1,2 @@",
          "-line 1",
          "+LINE 1",
          " line 2",
          "@@ -9,2 +9,2 @@",
          " line 9",
          "-line ten",
          "+LINE 10",
        ),
      });
      const problem = expectProblem(res, 422, "patch_conflict");
      assert.deepEqual([problem.hunk, problem.path], [2, "/m.txt"]);
      assert.equal(await sb.readText("/m.txt"), text);
    },
  ],
  "create-from-dev-null": [
    "A diff from /dev/null creates the file (status created), with its parent directories.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const res = await patch(sb, {
        patch: diff("--- /dev/null", "+++ b/new/file.txt", "@@ -0,0 +1,2 @@", "+hello", "+world"),
      });
      assert.deepEqual(res.files, [
        { path: "/new/file.txt", status: "created", etag: sha256Etag(utf8("hello\nworld\n")) },
      ]);
      assert.equal(await sb.readText("/new/file.txt"), "hello\nworld\n");
    },
  ],
  "create-existing-fails": [
    "A diff from /dev/null for a path that exists fails (409 EEXIST or 422 patch_conflict) and changes nothing.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: textFiles({ "/x.txt": "already\n" }) });
      const version = await sb.version();
      const res = await patchRaw(sb, {
        patch: diff("--- /dev/null", "+++ b/x.txt", "@@ -0,0 +1 @@", "+new"),
      });
      expectStatus(res, 409, 422);
      expectProblem(res, res.status, res.status === 409 ? "EEXIST" : "patch_conflict");
      assert.equal(await sb.readText("/x.txt"), "already\n");
      assert.equal(await sb.version(), version);
    },
  ],
  "delete-to-dev-null": [
    "A diff to /dev/null whose lines match the file deletes it (status deleted).",
    async (ctx) => {
      const sb = await ctx.sandbox({
        files: textFiles({ "/old.txt": "bye\nnow\n", "/keep.txt": "k\n" }),
      });
      const res = await patch(sb, {
        patch: diff("--- a/old.txt", "+++ /dev/null", "@@ -1,2 +0,0 @@", "-bye", "-now"),
      });
      assert.deepEqual(
        res.files.map((f) => [f.path, f.status]),
        [["/old.txt", "deleted"]],
      );
      assert.equal(await sb.exists("/old.txt"), false);
      assert.equal(await sb.readText("/keep.txt"), "k\n");
    },
  ],
  "delete-mismatch-422": [
    "A diff to /dev/null whose lines do not match the file is 422 patch_conflict and keeps the file.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: textFiles({ "/old.txt": "bye\nlater\n" }) });
      const res = await patchRaw(sb, {
        patch: diff("--- a/old.txt", "+++ /dev/null", "@@ -1,2 +0,0 @@", "-bye", "-now"),
      });
      const problem = expectProblem(res, 422, "patch_conflict");
      assert.equal(problem.path, "/old.txt");
      assert.equal(await sb.readText("/old.txt"), "bye\nlater\n");
    },
  ],
  "hunk-at-offset": [
    "A hunk whose lines are found a few lines away from its header's position still applies there.",
    async (ctx) => {
      const sb = await ctx.sandbox({
        files: textFiles({ "/o.txt": "x1\nx2\nx3\none\ntwo\nthree\nx4\n" }),
      });
      await patch(sb, { patch: twoToTWO("/o.txt") });
      assert.equal(await sb.readText("/o.txt"), "x1\nx2\nx3\none\nTWO\nthree\nx4\n");
    },
  ],
  "malformed-400": [
    "A body that is not a unified diff, or a hunk with fewer lines than its header says, is 400 patch_invalid and changes nothing.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: textFiles({ "/a.txt": "one\ntwo\nthree\n" }) });
      const version = await sb.version();
      expectProblem(await patchRaw(sb, { patch: "this is not a diff\n" }), 400, "patch_invalid");
      const short = diff("--- a/a.txt", "+++ b/a.txt", "@@ -1,3 +1,3 @@", " one", "-two", "+TWO");
      expectProblem(await patchRaw(sb, { patch: short }), 400, "patch_invalid");
      const noHunks = diff("--- a/a.txt", "+++ b/a.txt", "@@ nonsense @@", " one");
      expectProblem(await patchRaw(sb, { patch: noHunks }), 400, "patch_invalid");
      assert.equal(await sb.readText("/a.txt"), "one\ntwo\nthree\n");
      assert.equal(await sb.version(), version);
    },
  ],
  "invalid-body-400": [
    "A body without `patch`, with an empty patch, or with an unknown property is 400 invalid_request.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      for (const body of [{}, { patch: "" }, { patch: twoToTWO("/a.txt"), extra: 1 }]) {
        expectProblem(await patchRaw(sb, body), 400, "invalid_request");
      }
    },
  ],
  "path-option-ignores-headers": [
    "With `path`, a one-file diff applies to that file whatever its headers name.",
    async (ctx) => {
      const sb = await ctx.sandbox({
        files: textFiles({ "/real.txt": "one\ntwo\nthree\n", "/other.txt": "one\ntwo\nthree\n" }),
      });
      const res = await patch(sb, { patch: twoToTWO("/other.txt"), path: "/real.txt" });
      assert.deepEqual(
        res.files.map((f) => [f.path, f.status]),
        [["/real.txt", "modified"]],
      );
      assert.equal(await sb.readText("/real.txt"), "one\nTWO\nthree\n");
      assert.equal(await sb.readText("/other.txt"), "one\ntwo\nthree\n");
    },
  ],
  "path-option-keeps-dev-null-create-and-delete": [
    "With `path`, a diff from /dev/null creates that file and a diff to /dev/null deletes it.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: textFiles({ "/gone.txt": "bye\n" }) });
      const created = await patch(sb, {
        patch: diff("--- /dev/null", "+++ b/whatever.txt", "@@ -0,0 +1 @@", "+hello"),
        path: "/made.txt",
      });
      assert.deepEqual(
        created.files.map((f) => [f.path, f.status]),
        [["/made.txt", "created"]],
      );
      assert.equal(await sb.readText("/made.txt"), "hello\n");
      const deleted = await patch(sb, {
        patch: diff("--- a/whatever.txt", "+++ /dev/null", "@@ -1 +0,0 @@", "-bye"),
        path: "/gone.txt",
      });
      assert.deepEqual(
        deleted.files.map((f) => [f.path, f.status]),
        [["/gone.txt", "deleted"]],
      );
      assert.equal(await sb.exists("/gone.txt"), false);
    },
  ],
  "path-if-match-current-applies": [
    "With `path`, If-Match with the file's current ETag applies the diff.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const { etag } = await sb.write("/a.txt", "one\ntwo\nthree\n");
      const res = await patch(
        sb,
        { patch: twoToTWO("/a.txt"), path: "/a.txt" },
        { "if-match": etag ?? "" },
      );
      assert.equal(res.files[0]?.status, "modified");
      assert.equal(await sb.readText("/a.txt"), "one\nTWO\nthree\n");
    },
  ],
  "path-if-match-stale-412": [
    "With `path`, If-Match with a stale ETag is 412 precondition_failed and changes nothing.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const { etag: stale } = await sb.write("/a.txt", "zero\n");
      const { version } = await sb.write("/a.txt", "one\ntwo\nthree\n");
      const res = await patchRaw(
        sb,
        { patch: twoToTWO("/a.txt"), path: "/a.txt" },
        { "if-match": stale ?? "" },
      );
      expectProblem(res, 412, "precondition_failed");
      assert.equal(await sb.readText("/a.txt"), "one\ntwo\nthree\n");
      assert.equal(await sb.version(), version);
    },
  ],
  "crlf-file-keeps-crlf": [
    "A diff with LF lines applied to a CRLF file keeps CRLF on every line, added lines included.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: textFiles({ "/w.txt": "one\r\ntwo\r\nthree\r\n" }) });
      await patch(sb, {
        patch: diff(
          "--- a/w.txt",
          "+++ b/w.txt",
          "@@ -1,3 +1,4 @@",
          " one",
          "-two",
          "+TWO",
          "+extra",
          " three",
        ),
      });
      expectBytes(await sb.read("/w.txt"), utf8("one\r\nTWO\r\nextra\r\nthree\r\n"), "/w.txt");
    },
  ],
  "keeps-mode": [
    "A patched file keeps its mode.",
    async (ctx) => {
      const sb = await ctx.sandbox({
        files: [{ path: "/run.sh", content: "one\ntwo\nthree\n", mode: "755" }],
      });
      await patch(sb, { patch: twoToTWO("/run.sh") });
      assert.equal((await sb.stat("/run.sh")).mode, 0o755);
    },
  ],
  "keeps-byte-order-mark": [
    "A UTF-8 byte order mark at the start of a patched file is kept.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/bom.txt", "\uFEFFone\ntwo\nthree\n");
      await patch(sb, { patch: twoToTWO("/bom.txt") });
      expectBytes(await sb.read("/bom.txt"), utf8("\uFEFFone\nTWO\nthree\n"), "/bom.txt");
    },
  ],
  "no-newline-at-end-of-file": [
    "`\\ No newline at end of file` markers are honoured: a last line without a terminator stays so, and a diff can add one.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: textFiles({ "/n.txt": "a\nb" }) });
      await patch(sb, {
        patch: diff(
          "--- a/n.txt",
          "+++ b/n.txt",
          "@@ -1,2 +1,2 @@",
          " a",
          "-b",
          "\\ No newline at end of file",
          "+c",
          "\\ No newline at end of file",
        ),
      });
      assert.equal(await sb.readText("/n.txt"), "a\nc");
      await patch(sb, {
        patch: diff(
          "--- a/n.txt",
          "+++ b/n.txt",
          "@@ -1,2 +1,2 @@",
          " a",
          "-c",
          "\\ No newline at end of file",
          "+c",
        ),
      });
      assert.equal(await sb.readText("/n.txt"), "a\nc\n");
    },
  ],
  "missing-file-404": [
    "A diff that modifies a file that does not exist is 404 ENOENT and changes nothing.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const version = await sb.version();
      const res = await patchRaw(sb, { patch: twoToTWO("/nope.txt") });
      expectProblem(res, 404, "ENOENT");
      assert.equal(await sb.version(), version);
    },
  ],
});
