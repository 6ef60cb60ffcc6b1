/** Cases for writeFile (PUT /v1/sandboxes/{id}/files): content, names, modes and versions. */
import type { Schemas } from "@cairn/spec";
import { defineCases } from "../../case.js";
import { assert, expectBytes, expectProblem, expectStatus, utf8 } from "../../harness/assert.js";
import { allBytes, sha256Etag } from "../support.js";

type WriteResult = Schemas["WriteResult"];

export default defineCases("files", "write-file", {
  "create-returns-201": [
    "Writing a new path is 201 with the new file's stat and an ETag header.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const res = await sb.writeRaw("/a.txt", "hello");
      expectStatus(res, 201);
      const { file } = res.json<WriteResult>();
      assert.deepEqual([file.path, file.type, file.size], ["/a.txt", "file", 5]);
      assert.ok(res.header("etag"), "201 must carry an ETag");
    },
  ],
  "replace-returns-200": [
    "Writing an existing file is 200 and replaces its content.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/a.txt", "old content");
      expectStatus(await sb.writeRaw("/a.txt", "new"), 200);
      assert.equal(await sb.readText("/a.txt"), "new");
    },
  ],
  "text-round-trip": [
    "UTF-8 text written is read back byte-exactly.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const text = "line 1\r\nline 2 — ünïcödé 😀\n\ttabbed";
      await sb.write("/t.txt", text);
      expectBytes(await sb.read("/t.txt"), utf8(text), "/t.txt");
    },
  ],
  "binary-round-trip": [
    "Every byte value 0–255, NULs and invalid UTF-8 round-trip byte-exactly.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const bytes = allBytes();
      const { file } = await sb.write("/bin.dat", bytes);
      assert.equal(file.size, bytes.byteLength);
      expectBytes(await sb.read("/bin.dat"), bytes, "/bin.dat");
    },
  ],
  "one-mebibyte-round-trip": [
    "A 1 MiB binary file round-trips byte-exactly.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const bytes = new Uint8Array(1024 * 1024);
      for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919 + (i >> 8)) & 0xff;
      await sb.write("/big.bin", bytes);
      expectBytes(await sb.read("/big.bin"), bytes, "/big.bin");
    },
  ],
  "empty-file": [
    "An empty body makes an empty file: size 0, and a read returns 0 bytes.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const { file } = await sb.write("/empty", new Uint8Array(0));
      assert.equal(file.size, 0);
      const res = await sb.readRaw("/empty");
      expectStatus(res, 200);
      assert.equal(res.bytes.byteLength, 0);
    },
  ],
  "unicode-name-round-trip": [
    "A path with spaces and non-ASCII characters is written and read back.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const path = "/dir with space/héllo 世界.txt";
      const { file } = await sb.write(path, "unicode");
      assert.equal(file.path, path);
      assert.equal(await sb.readText(path), "unicode");
    },
  ],
  "unicode-name-listed": [
    "A file with spaces and non-ASCII characters in its name is listed under that exact name.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/dir with space/héllo 世界.txt", "x");
      assert.deepEqual(await sb.names("/dir with space"), ["héllo 世界.txt"]);
    },
  ],
  "etag-matches-read": [
    "The ETag of a write equals the ETag of the following read.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const { etag } = await sb.write("/e.txt", "etag me");
      const res = await sb.readRaw("/e.txt");
      expectStatus(res, 200);
      assert.equal(res.header("etag"), etag);
    },
  ],
  "etag-is-quoted-sha256": [
    "A file's ETag is its content's sha256 in lowercase hex, quoted.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const bytes = utf8("hash me\n");
      const { etag } = await sb.write("/h.txt", bytes);
      assert.equal(etag, sha256Etag(bytes));
    },
  ],
  "etag-changes-with-content": [
    "Different content gives a different ETag.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const first = await sb.write("/c.txt", "one");
      const second = await sb.write("/c.txt", "two");
      assert.notEqual(second.etag, first.etag);
    },
  ],
  "creates-parent-directories": [
    "Writing /a/b/c.txt creates the missing directories /a and /a/b.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/a/b/c.txt", "deep");
      assert.equal((await sb.stat("/a")).type, "directory");
      assert.equal((await sb.stat("/a/b")).type, "directory");
      assert.equal(await sb.readText("/a/b/c.txt"), "deep");
    },
  ],
  "onto-directory-409-eisdir": [
    "Writing onto a directory is 409 EISDIR.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.mkdir("/d");
      expectProblem(await sb.writeRaw("/d", "x"), 409, "EISDIR");
    },
  ],
  "onto-directory-keeps-children": [
    "A write rejected with EISDIR leaves the directory and its children in place.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/d/child.txt", "child");
      expectProblem(await sb.writeRaw("/d", "x"), 409, "EISDIR");
      assert.equal((await sb.stat("/d")).type, "directory");
      assert.equal(await sb.readText("/d/child.txt"), "child");
    },
  ],
  "parent-is-file-409-enotdir": [
    "Writing below a file (/f.txt/x) is 409 ENOTDIR.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/f.txt", "file");
      expectProblem(await sb.writeRaw("/f.txt/x", "x"), 409, "ENOTDIR");
    },
  ],
  "default-mode-644": [
    "A new file without ?mode has mode 420 (0644).",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const { file } = await sb.write("/m.txt", "m");
      assert.equal(file.mode, 0o644);
      assert.equal((await sb.stat("/m.txt")).mode, 0o644);
    },
  ],
  "mode-sets-new-file-mode": [
    "?mode=755 on a new file gives mode 493.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/run.sh", "echo", { mode: "755" });
      assert.equal((await sb.stat("/run.sh")).mode, 0o755);
    },
  ],
  "replace-keeps-mode": [
    "Replacing a file without ?mode keeps its mode.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/run.sh", "v1", { mode: "700" });
      await sb.write("/run.sh", "v2");
      assert.equal((await sb.stat("/run.sh")).mode, 0o700);
    },
  ],
  "replace-with-mode-changes-mode": [
    "Replacing a file with ?mode=600 sets mode 384.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/k.txt", "v1");
      await sb.write("/k.txt", "v2", { mode: "600" });
      assert.equal((await sb.stat("/k.txt")).mode, 0o600);
    },
  ],
  "invalid-mode-400": [
    "?mode=999 (not octal) is 400 invalid_request and writes nothing.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      expectProblem(await sb.writeRaw("/m.txt", "m", { mode: "999" }), 400, "invalid_request");
      assert.equal(await sb.exists("/m.txt"), false);
    },
  ],
  "version-increases": [
    "A write's result version is greater than the version before it.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const before = await sb.version();
      const first = await sb.write("/v.txt", "1");
      const second = await sb.write("/v.txt", "2");
      assert.ok(first.version > before, `${first.version} > ${before}`);
      assert.ok(second.version > first.version, `${second.version} > ${first.version}`);
    },
  ],
  "version-matches-sandbox": [
    "The version a write returns is the sandbox's version afterwards.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const { version } = await sb.write("/v.txt", "1");
      assert.equal(await sb.version(), version);
    },
  ],
  "result-matches-stat": [
    "The file in a write's result matches a later stat (size, mode, type, etag).",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const { file } = await sb.write("/s.txt", "stat me");
      const stat = await sb.stat("/s.txt");
      assert.deepEqual(
        [stat.path, stat.type, stat.size, stat.mode, stat.etag],
        [file.path, file.type, file.size, file.mode, file.etag],
      );
    },
  ],
});
