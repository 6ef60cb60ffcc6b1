/** Cases for readFile (GET /v1/sandboxes/{id}/files): bytes, errors, ranges and If-None-Match. */
import { defineCases } from "../../case.js";
import { assert, expectBytes, expectProblem, expectStatus, utf8 } from "../../harness/assert.js";
import { essence } from "../../harness/media-type.js";

const ten = "0123456789";

export default defineCases("files", "read-file", {
  "download-headers": [
    "A read is a download: nosniff, Content-Disposition attachment with the file's name, and CSP sandbox, also for a range.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/page.html", "<script>alert(1)</script>");
      for (const res of [
        await sb.readRaw("/page.html"),
        await sb.readRaw("/page.html", { range: "bytes=0-3" }),
      ]) {
        expectStatus(res, 200, 206);
        assert.equal(res.header("x-content-type-options"), "nosniff");
        assert.equal(res.header("content-security-policy"), "sandbox");
        assert.equal(res.header("content-type"), "application/octet-stream");
        const disposition = res.header("content-disposition") ?? "";
        assert.ok(
          /^attachment;/.test(disposition) && disposition.includes('filename="page.html"'),
          `Content-Disposition: ${disposition}`,
        );
      }
    },
  ],
  "inline-safe-types": [
    "With inline=true, a PNG is served as image/png and a .txt as text/plain, both inline, still nosniff and CSP sandbox.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/logo.png", new Uint8Array([0x89, 0x50, 0x4e, 0x47]));
      await sb.write("/notes.txt", "hello");
      for (const [path, type] of [
        ["/logo.png", "image/png"],
        ["/notes.txt", "text/plain"],
      ] as const) {
        const res = await sb.request("GET", "/files", { query: { path, inline: "true" } });
        expectStatus(res, 200);
        assert.equal(essence(res.header("content-type") ?? ""), type, path);
        assert.ok((res.header("content-disposition") ?? "").startsWith("inline;"), path);
        assert.equal(res.header("x-content-type-options"), "nosniff");
        assert.equal(res.header("content-security-policy"), "sandbox");
      }
    },
  ],
  "inline-refused-for-unsafe-types": [
    "With inline=true, HTML, SVG, scripts and unknown types are still octet-stream attachments.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      for (const path of ["/page.html", "/image.svg", "/app.js", "/data", "/x.PNG.html"]) {
        await sb.write(path, "<script>alert(1)</script>");
        const res = await sb.request("GET", "/files", { query: { path, inline: "true" } });
        expectStatus(res, 200);
        assert.equal(res.header("content-type"), "application/octet-stream", path);
        assert.ok((res.header("content-disposition") ?? "").startsWith("attachment;"), path);
      }
    },
  ],
  "inline-invalid-400": [
    "An inline value other than true/false is 400 invalid_request.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/a.txt", "a");
      const res = await sb.request("GET", "/files", { query: { path: "/a.txt", inline: "maybe" } });
      expectProblem(res, 400, "invalid_request");
    },
  ],
  "download-name-quoted-safely": [
    "A file name with quotes, semicolons or non-ASCII stays inside the Content-Disposition's filename parameters.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const name = 'a"b;c\\d é.txt';
      await sb.write(`/${name}`, "x");
      const res = await sb.readRaw(`/${name}`);
      expectStatus(res, 200);
      const disposition = res.header("content-disposition") ?? "";
      assert.equal(
        disposition,
        `attachment; filename="a_b_c_d _.txt"; filename*=UTF-8''${encodeURIComponent(name)}`,
      );
    },
  ],
  "content-length": [
    "A read's Content-Length is the file's size in bytes.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/a.txt", "héllo");
      const res = await sb.readRaw("/a.txt");
      expectStatus(res, 200);
      assert.equal(res.header("content-length"), String(utf8("héllo").byteLength));
    },
  ],
  "missing-404-enoent": [
    "Reading a path with nothing there is 404 ENOENT.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      expectProblem(await sb.readRaw("/nope.txt"), 404, "ENOENT");
    },
  ],
  "directory-409-eisdir": [
    "Reading a directory is 409 EISDIR.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.mkdir("/d");
      expectProblem(await sb.readRaw("/d"), 409, "EISDIR");
    },
  ],
  "below-file-409-enotdir": [
    "Reading below a file (/f.txt/x) is 409 ENOTDIR.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/f.txt", "f");
      expectProblem(await sb.readRaw("/f.txt/x"), 409, "ENOTDIR");
    },
  ],
  "range-first-bytes": [
    "Range: bytes=0-3 is 206 with the first four bytes and Content-Range bytes 0-3/10.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/r.txt", ten);
      const res = await sb.readRaw("/r.txt", { range: "bytes=0-3" });
      expectStatus(res, 206);
      assert.equal(res.header("content-range"), "bytes 0-3/10");
      expectBytes(res.bytes, utf8("0123"), "range body");
    },
  ],
  "range-suffix": [
    "Range: bytes=-2 is 206 with the last two bytes and Content-Range bytes 8-9/10.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/r.txt", ten);
      const res = await sb.readRaw("/r.txt", { range: "bytes=-2" });
      expectStatus(res, 206);
      assert.equal(res.header("content-range"), "bytes 8-9/10");
      expectBytes(res.bytes, utf8("89"), "range body");
    },
  ],
  "range-open-ended": [
    "Range: bytes=7- is 206 with bytes 7 to the end.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/r.txt", ten);
      const res = await sb.readRaw("/r.txt", { range: "bytes=7-" });
      expectStatus(res, 206);
      assert.equal(res.header("content-range"), "bytes 7-9/10");
      expectBytes(res.bytes, utf8("789"), "range body");
    },
  ],
  "range-end-clamped": [
    "Range: bytes=5-100 on a 10-byte file is 206 with bytes 5-9.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/r.txt", ten);
      const res = await sb.readRaw("/r.txt", { range: "bytes=5-100" });
      expectStatus(res, 206);
      assert.equal(res.header("content-range"), "bytes 5-9/10");
      expectBytes(res.bytes, utf8("56789"), "range body");
    },
  ],
  "range-binary": [
    "A range of a binary file returns exactly those bytes.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/b.bin", new Uint8Array([0, 255, 0, 128, 10, 13]));
      const res = await sb.readRaw("/b.bin", { range: "bytes=1-3" });
      expectStatus(res, 206);
      expectBytes(res.bytes, new Uint8Array([255, 0, 128]), "range body");
    },
  ],
  "range-unsatisfiable-416": [
    "Range: bytes=100-200 on a 10-byte file is 416 range_not_satisfiable.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/r.txt", ten);
      const res = await sb.readRaw("/r.txt", { range: "bytes=100-200" });
      expectProblem(res, 416, "range_not_satisfiable");
    },
  ],
  "range-keeps-etag": [
    "A 206 carries the same ETag as the whole file.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const { etag } = await sb.write("/r.txt", ten);
      const res = await sb.readRaw("/r.txt", { range: "bytes=0-0" });
      expectStatus(res, 206);
      assert.equal(res.header("etag"), etag);
    },
  ],
  "if-none-match-current-304": [
    "If-None-Match with the current ETag is 304 with no body.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const { etag } = await sb.write("/c.txt", "cache me");
      const res = await sb.readRaw("/c.txt", { "if-none-match": etag ?? "" });
      expectStatus(res, 304);
      assert.equal(res.bytes.byteLength, 0);
    },
  ],
  "if-none-match-stale-200": [
    "If-None-Match with an old ETag is 200 with the current content.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const { etag } = await sb.write("/c.txt", "old");
      await sb.write("/c.txt", "new");
      const res = await sb.readRaw("/c.txt", { "if-none-match": etag ?? "" });
      expectStatus(res, 200);
      assert.equal(res.text, "new");
    },
  ],
});
