/** Cases for readLines (GET /v1/sandboxes/{id}/fs/read): line ranges of text files, limits, terminators. */
import { defineCases } from "../../case.js";
import { assert, expectProblem, expectStatus, utf8 } from "../../harness/assert.js";
import { allBytes, sha256Etag } from "../support.js";
import { binaryFile, readLines, readLinesRaw, textFiles } from "../text-support.js";

const five = "l1\nl2\nl3\nl4\nl5\n";

export default defineCases("files", "read-lines", {
  "line-range": [
    "startLine..endLine (1-based, inclusive) returns those lines with the file's total line count.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: textFiles({ "/f.txt": five }) });
      const res = await readLines(sb, { path: "/f.txt", startLine: 2, endLine: 4 });
      assert.deepEqual(
        {
          path: res.path,
          binary: res.binary,
          text: res.text,
          startLine: res.startLine,
          endLine: res.endLine,
          totalLines: res.totalLines,
          truncated: res.truncated,
        },
        {
          path: "/f.txt",
          binary: false,
          text: "l2\nl3\nl4\n",
          startLine: 2,
          endLine: 4,
          totalLines: 5,
          truncated: false,
        },
      );
    },
  ],
  "single-line": [
    "startLine = endLine returns that one line.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: textFiles({ "/f.txt": five }) });
      const res = await readLines(sb, { path: "/f.txt", startLine: 3, endLine: 3 });
      assert.deepEqual([res.text, res.startLine, res.endLine], ["l3\n", 3, 3]);
    },
  ],
  "whole-file-by-default": [
    "Without a range, the whole file is returned (lines 1 to totalLines).",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: textFiles({ "/f.txt": five }) });
      const res = await readLines(sb, { path: "/f.txt" });
      assert.deepEqual(
        [res.text, res.startLine, res.endLine, res.totalLines, res.truncated],
        [five, 1, 5, 5, false],
      );
    },
  ],
  "start-line-only": [
    "startLine alone reads from that line to the end.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: textFiles({ "/f.txt": five }) });
      const res = await readLines(sb, { path: "/f.txt", startLine: 4 });
      assert.deepEqual([res.text, res.startLine, res.endLine], ["l4\nl5\n", 4, 5]);
    },
  ],
  "end-line-past-end-clamped": [
    "An endLine past the last line stops at the last line.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: textFiles({ "/f.txt": five }) });
      const res = await readLines(sb, { path: "/f.txt", startLine: 4, endLine: 99 });
      assert.deepEqual(
        [res.text, res.endLine, res.totalLines, res.truncated],
        ["l4\nl5\n", 5, 5, false],
      );
    },
  ],
  "start-line-past-end-empty": [
    "A startLine past the last line is 200 with empty text, the total line count, and not truncated.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: textFiles({ "/f.txt": five }) });
      const res = await readLines(sb, { path: "/f.txt", startLine: 9 });
      assert.deepEqual([res.text, res.totalLines, res.truncated], ["", 5, false]);
    },
  ],
  "start-after-end-400": [
    "startLine greater than endLine is 400 invalid_request.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: textFiles({ "/f.txt": five }) });
      const res = await readLinesRaw(sb, { path: "/f.txt", startLine: 4, endLine: 2 });
      expectProblem(res, 400, "invalid_request");
    },
  ],
  "invalid-bounds-400": [
    "startLine 0, endLine 0 and maxBytes 0 are 400 invalid_request.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: textFiles({ "/f.txt": five }) });
      for (const bad of [{ startLine: 0 }, { endLine: 0 }, { maxBytes: 0 }]) {
        expectProblem(await readLinesRaw(sb, { path: "/f.txt", ...bad }), 400, "invalid_request");
      }
    },
  ],
  "missing-path-parameter-400": [
    "A request without `path` is 400 invalid_request.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      expectProblem(await readLinesRaw(sb, {}), 400, "invalid_request");
    },
  ],
  "max-bytes-cuts-at-line-boundary": [
    "maxBytes cuts the text at a line boundary: the lines that fit, truncated: true, endLine the last line returned.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: textFiles({ "/f.txt": "aaaa\nbbbb\ncccc\ndddd\n" }) });
      const res = await readLines(sb, { path: "/f.txt", maxBytes: 12 });
      assert.deepEqual(
        [res.text, res.startLine, res.endLine, res.totalLines, res.truncated],
        ["aaaa\nbbbb\n", 1, 2, 4, true],
      );
      const exact = await readLines(sb, { path: "/f.txt", maxBytes: 10 });
      assert.deepEqual([exact.text, exact.endLine, exact.truncated], ["aaaa\nbbbb\n", 2, true]);
      const all = await readLines(sb, { path: "/f.txt", maxBytes: 20 });
      assert.deepEqual(
        [all.text, all.endLine, all.truncated],
        ["aaaa\nbbbb\ncccc\ndddd\n", 4, false],
      );
    },
  ],
  "max-bytes-counts-utf8-bytes": [
    "maxBytes counts UTF-8 bytes, not characters.",
    async (ctx) => {
      // "éé\n" is 5 bytes; two lines are 10.
      const sb = await ctx.sandbox({ files: textFiles({ "/u.txt": "éé\néé\néé\n" }) });
      const res = await readLines(sb, { path: "/u.txt", maxBytes: 9 });
      assert.deepEqual([res.text, res.endLine, res.truncated], ["éé\n", 1, true]);
      assert.ok(utf8(res.text).byteLength <= 9);
    },
  ],
  "crlf-shown-as-lf": [
    "CRLF line terminators are shown as LF, and each CRLF counts as one line end.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: textFiles({ "/w.txt": "one\r\ntwo\r\nthree\r\n" }) });
      const res = await readLines(sb, { path: "/w.txt" });
      assert.deepEqual([res.text, res.totalLines], ["one\ntwo\nthree\n", 3]);
      const second = await readLines(sb, { path: "/w.txt", startLine: 2, endLine: 2 });
      assert.equal(second.text, "two\n");
    },
  ],
  "lone-cr-shown-as-lf": [
    "A lone CR ends a line and is shown as LF (mixed with LF and CRLF too).",
    async (ctx) => {
      const sb = await ctx.sandbox({
        files: textFiles({ "/cr.txt": "a\rb\rc", "/mixed.txt": "a\nb\r\nc\rd\n" }),
      });
      const cr = await readLines(sb, { path: "/cr.txt" });
      assert.deepEqual([cr.text, cr.totalLines], ["a\nb\nc", 3]);
      const mixed = await readLines(sb, { path: "/mixed.txt", startLine: 3 });
      assert.deepEqual([mixed.text, mixed.totalLines, mixed.endLine], ["c\nd\n", 4, 4]);
    },
  ],
  "no-final-newline": [
    "A last line without a terminator counts as a line and is returned without one.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: textFiles({ "/n.txt": "a\nb" }) });
      const res = await readLines(sb, { path: "/n.txt" });
      assert.deepEqual([res.text, res.totalLines, res.endLine], ["a\nb", 2, 2]);
    },
  ],
  "empty-file": [
    "An empty file has no lines: empty text and totalLines 0.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/empty.txt", new Uint8Array(0));
      const res = await readLines(sb, { path: "/empty.txt" });
      assert.deepEqual(
        [res.text, res.totalLines, res.binary, res.truncated],
        ["", 0, false, false],
      );
    },
  ],
  "unicode-lines": [
    "Non-ASCII lines (é, 中文, emoji) are returned as they are.",
    async (ctx) => {
      const text = "café\n中文\n😀 emoji\n";
      const sb = await ctx.sandbox({ files: textFiles({ "/u.txt": text }) });
      const res = await readLines(sb, { path: "/u.txt", startLine: 2 });
      assert.deepEqual([res.text, res.totalLines], ["中文\n😀 emoji\n", 3]);
    },
  ],
  "binary-file": [
    "A binary file is 200 with binary: true and empty text.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: [binaryFile("/b.bin", allBytes())] });
      const res = await readLines(sb, { path: "/b.bin" });
      assert.deepEqual([res.binary, res.text], [true, ""]);
    },
  ],
  "etag-matches-read-file": [
    "The etag is the file's ETag, as GET /files sends it (the quoted sha256 of the content).",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: textFiles({ "/f.txt": five }) });
      const get = await sb.readRaw("/f.txt");
      expectStatus(get, 200);
      const res = await readLines(sb, { path: "/f.txt", startLine: 2, endLine: 2 });
      assert.equal(res.etag, get.header("etag"));
      assert.equal(res.etag, sha256Etag(utf8(five)));
    },
  ],
  "etag-of-binary-file": [
    "A binary file's result carries its ETag too.",
    async (ctx) => {
      const bytes = allBytes();
      const sb = await ctx.sandbox({ files: [binaryFile("/b.bin", bytes)] });
      assert.equal((await readLines(sb, { path: "/b.bin" })).etag, sha256Etag(bytes));
    },
  ],
  "normalized-path": [
    "The path in the result is the normalized path (`//d/./f.txt` → `/d/f.txt`).",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: textFiles({ "/d/f.txt": "x\n" }) });
      assert.equal((await readLines(sb, { path: "//d/./f.txt" })).path, "/d/f.txt");
    },
  ],
  "directory-409-eisdir": [
    "Reading lines of a directory is 409 EISDIR.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.mkdir("/d");
      expectProblem(await readLinesRaw(sb, { path: "/d" }), 409, "EISDIR");
    },
  ],
  "missing-404-enoent": [
    "Reading lines of a path with nothing there is 404 ENOENT.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      expectProblem(await readLinesRaw(sb, { path: "/nope.txt" }), 404, "ENOENT");
    },
  ],
});
