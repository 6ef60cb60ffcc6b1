/** Cases for exportArchive (GET /v1/sandboxes/{id}/archive): a directory or file as tar.gz. */
import { defineCases } from "../../case.js";
import { assert, expectBytes, expectProblem, expectStatus } from "../../harness/assert.js";
import type { SandboxHandle } from "../../harness/sandbox.js";
import { allBytes } from "../support.js";
import { ownSourceTree, type TarItem, tar, untar } from "./tar-support.js";

async function exportTar(sb: SandboxHandle, path?: string) {
  const res = await sb.request("GET", "/archive", { query: { path } });
  expectStatus(res, 200);
  assert.equal(res.header("content-type"), "application/gzip");
  assert.ok(res.bytes[0] === 0x1f && res.bytes[1] === 0x8b, "the export must be gzip");
  return { res, entries: untar(res.bytes) };
}

export default defineCases("files", "export-archive", {
  "download-headers": [
    "An export is a download: nosniff, CSP sandbox, and Content-Disposition attachment named after the directory.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/src/a.txt", "a");
      const { res } = await exportTar(sb, "/src");
      assert.equal(res.header("x-content-type-options"), "nosniff");
      assert.equal(res.header("content-security-policy"), "sandbox");
      const disposition = res.header("content-disposition") ?? "";
      assert.ok(
        disposition.startsWith('attachment; filename="src.tar.gz"'),
        `Content-Disposition: ${disposition}`,
      );
    },
  ],
  "source-tree-round-trip": [
    "A real source tree imported as a tar and exported again comes back byte for byte, with its modes and mtimes.",
    async (ctx) => {
      const files = ownSourceTree();
      assert.ok(files.size >= 10, `expected a real tree, found ${files.size} files`);
      const items: TarItem[] = [...files].map(([name, content], i) => ({
        name,
        content,
        mode: i % 3 === 0 ? 0o755 : 0o644,
        mtimeMs: 1_600_000_000_000 + i * 1001,
      }));
      const sb = await ctx.sandbox();
      const imported = await sb.request("POST", "/archive", {
        query: { path: "/tree" },
        headers: { "content-type": "application/x-tar" },
        body: tar(items),
      });
      expectStatus(imported, 200);
      const { entries } = await exportTar(sb, "/tree");
      const exported = new Map(entries.filter((e) => e.type === "file").map((e) => [e.name, e]));
      assert.deepEqual([...exported.keys()].sort(), [...files.keys()].sort());
      for (const item of items) {
        const got = exported.get(item.name);
        assert.ok(got, `${item.name} missing from the export`);
        expectBytes(got.content, item.content as Uint8Array, item.name);
        assert.equal(got.mode, item.mode, `${item.name} mode`);
        assert.equal(got.mtimeMs, item.mtimeMs, `${item.name} mtime`);
      }
    },
  ],
  "directories-symlinks-and-binary": [
    "The export names entries relative to `path`, keeps binary bytes, directory modes and symlinks (not followed).",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/d/data.bin", allBytes());
      await sb.mkdir("/d/empty");
      await sb.exec("chmod 700 /d/empty; ln -s data.bin /d/link; ln -s /etc /d/abs");
      const { entries } = await exportTar(sb, "/d");
      const byName = new Map(entries.map((e) => [e.name.replace(/\/$/, ""), e]));
      assert.deepEqual([...byName.keys()].sort(), [".", "abs", "data.bin", "empty", "link"]);
      expectBytes(byName.get("data.bin")?.content ?? new Uint8Array(0), allBytes(), "data.bin");
      assert.deepEqual(
        [byName.get("empty")?.type, byName.get("empty")?.mode],
        ["directory", 0o700],
      );
      assert.deepEqual(
        [byName.get("link")?.type, byName.get("link")?.linkName],
        ["symlink", "data.bin"],
      );
      assert.deepEqual([byName.get("abs")?.type, byName.get("abs")?.linkName], ["symlink", "/etc"]);
    },
  ],
  "single-file": [
    "Exporting a file gives one entry named after it.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: [{ path: "/a/b.txt", content: "bee" }] });
      const { entries } = await exportTar(sb, "/a/b.txt");
      assert.deepEqual(
        entries.map((e) => [e.name, e.type, new TextDecoder().decode(e.content)]),
        [["b.txt", "file", "bee"]],
      );
    },
  ],
  "whole-sandbox-at-one-version": [
    "Without `path` the whole sandbox is exported, and Cairn-Sandbox-Version names the version read.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: [{ path: "/x.txt", content: "x" }] });
      const { res, entries } = await exportTar(sb);
      assert.equal(res.header("cairn-sandbox-version"), String(await sb.version()));
      assert.deepEqual(
        entries.map((e) => e.name),
        ["./", "home/", "tmp/", "x.txt", "home/user/"],
      );
    },
  ],
  "missing-path-404": [
    "Exporting a path that does not exist is 404 ENOENT.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      expectProblem(
        await sb.request("GET", "/archive", { query: { path: "/nope" } }),
        404,
        "ENOENT",
      );
    },
  ],
});
