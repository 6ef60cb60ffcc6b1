/** Cases for importArchive (POST /v1/sandboxes/{id}/archive): a tar or tar.gz as one commit. */
import { gzipSync } from "node:zlib";
import type { Schemas } from "@cairn/spec";
import { defineCases } from "../../case.js";
import type { CaseContext } from "../../context.js";
import { assert, expectBytes, expectProblem, expectStatus } from "../../harness/assert.js";
import type { SandboxHandle } from "../../harness/sandbox.js";
import { allBytes, rootWith } from "../support.js";
import { DEFAULT_MTIME_MS, lazyBody, type TarItem, tar, tarHeader } from "./tar-support.js";

type ImportResult = Schemas["ArchiveImportResult"];

const TAR = { "content-type": "application/x-tar" };

function importRaw(
  sb: SandboxHandle,
  body: Uint8Array | ReadableStream<Uint8Array>,
  options: { path?: string; headers?: Record<string, string> } = {},
) {
  return sb.request("POST", "/archive", {
    query: { path: options.path },
    headers: { ...TAR, ...options.headers },
    body,
  });
}

async function importOk(sb: SandboxHandle, items: TarItem[], path?: string): Promise<ImportResult> {
  const res = await importRaw(sb, tar(items), { path });
  expectStatus(res, 200);
  return res.json<ImportResult>();
}

/** Refused with `code`, and the sandbox is exactly as before: same version, same listing. */
async function expectRefusedUntouched(
  ctx: CaseContext,
  items: TarItem[] | Uint8Array,
  status: number,
  code: Schemas["ErrorCode"] | Schemas["ErrorCode"][],
) {
  const sb = await ctx.sandbox({ files: [{ path: "/keep.txt", content: "kept" }] });
  const before = await sb.version();
  const body = items instanceof Uint8Array ? items : tar(items);
  expectProblem(await importRaw(sb, body), status, code);
  assert.equal(await sb.version(), before, "a refused archive must not change the version");
  assert.deepEqual(
    await sb.names("/"),
    rootWith("keep.txt"),
    "a refused archive must write nothing",
  );
  assert.equal(await sb.readText("/keep.txt"), "kept");
}

export default defineCases("files", "import-archive", {
  "files-modes-mtimes-and-symlinks-kept": [
    "A plain tar's files (binary-exact), directories, modes, mtimes and symlinks are kept, in one commit.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const before = await sb.version();
      const result = await importOk(sb, [
        { name: "bin/", type: "directory", mode: 0o750, mtimeMs: 1_500_000_000_000 },
        {
          name: "bin/run.sh",
          content: "#!/bin/sh\necho hi\n",
          mode: 0o755,
          mtimeMs: 1_600_000_000_000,
        },
        { name: "data.bin", content: allBytes(), mode: 0o600, mtimeMs: 1_600_000_000_500 },
        { name: "run", type: "symlink", linkName: "bin/run.sh" },
      ]);
      const { changes, ...counts } = result;
      assert.deepEqual(counts, {
        version: before + 1,
        path: "/",
        files: 2,
        directories: 1,
        symlinks: 1,
        hardLinks: 0,
        bytes: 18 + allBytes().length,
      });
      // The answer lists what the commit changed, as the commit log does.
      assert.deepEqual(
        changes?.map((c) => `${c.kind} ${c.type} ${c.path}`),
        [
          "created directory /bin",
          "created file /bin/run.sh",
          "created file /data.bin",
          "created symlink /run",
        ],
      );
      expectBytes(await sb.read("/data.bin"), allBytes(), "/data.bin");
      const run = await sb.stat("/bin/run.sh");
      assert.deepEqual([run.mode, run.mtime], [0o755, new Date(1_600_000_000_000).toISOString()]);
      const data = await sb.stat("/data.bin");
      assert.deepEqual([data.mode, data.mtime], [0o600, new Date(1_600_000_000_500).toISOString()]);
      const bin = await sb.stat("/bin");
      assert.deepEqual([bin.mode, bin.mtime], [0o750, new Date(1_500_000_000_000).toISOString()]);
      const link = sb.request("GET", "/fs/stat", {
        query: { path: "/run", followSymlinks: false },
      });
      const linkStat = (await link).json<Schemas["FileStat"]>();
      assert.deepEqual([linkStat.type, linkStat.target], ["symlink", "bin/run.sh"]);
      assert.equal(await sb.readText("/run"), "#!/bin/sh\necho hi\n");
    },
  ],
  "gzip-tar": [
    "A gzip-compressed tar sent as application/gzip is unpacked like a plain one.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const body = gzipSync(tar([{ name: "a/b.txt", content: "zipped" }]));
      const res = await importRaw(sb, new Uint8Array(body), {
        headers: { "content-type": "application/gzip" },
      });
      expectStatus(res, 200);
      assert.equal(await sb.readText("/a/b.txt"), "zipped");
    },
  ],
  "hard-links-share-an-inode": [
    "A hard link to an earlier entry of the archive is a second name of the same file.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const result = await importOk(sb, [
        { name: "one", content: "same" },
        { name: "two", type: "hardlink", linkName: "one" },
      ]);
      assert.equal(result.hardLinks, 1);
      await sb.write("/one", "changed");
      assert.equal(await sb.readText("/two"), "changed");
    },
  ],
  "empty-archive": [
    "An empty archive (just the end marker) is 200 and changes nothing.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const before = await sb.version();
      const res = await importRaw(sb, new Uint8Array(1024));
      expectStatus(res, 200);
      const result = res.json<ImportResult>();
      assert.deepEqual([result.version, result.files], [before, 0]);
      assert.deepEqual(await sb.names("/"), rootWith());
    },
  ],
  "into-subdirectory": [
    "`path` unpacks below that directory, creating it; the result names it.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const result = await importOk(sb, [{ name: "./src/x.ts", content: "x" }], "/work/proj");
      assert.equal(result.path, "/work/proj");
      assert.equal(await sb.readText("/work/proj/src/x.ts"), "x");
      assert.deepEqual(await sb.names("/"), rootWith("work"));
    },
  ],
  "replaces-files-keeps-the-rest": [
    "Files at the archive's paths are replaced; everything else stays.",
    async (ctx) => {
      const sb = await ctx.sandbox({
        files: [
          { path: "/a.txt", content: "old" },
          { path: "/other.txt", content: "other" },
        ],
      });
      await importOk(sb, [{ name: "a.txt", content: "new" }]);
      assert.equal(await sb.readText("/a.txt"), "new");
      assert.equal(await sb.readText("/other.txt"), "other");
    },
  ],
  "dot-dot-entry-refused": [
    "An entry named `../evil` is 422 archive_unsafe_entry, and nothing of the archive is written.",
    (ctx) =>
      expectRefusedUntouched(
        ctx,
        [
          { name: "fine.txt", content: "x" },
          { name: "../evil", content: "x" },
        ],
        422,
        "archive_unsafe_entry",
      ),
  ],
  "absolute-entry-refused": [
    "An entry with an absolute name (`/etc/passwd`) is 422 archive_unsafe_entry.",
    (ctx) =>
      expectRefusedUntouched(
        ctx,
        [{ name: "/etc/passwd", content: "x" }],
        422,
        "archive_unsafe_entry",
      ),
  ],
  "symlink-to-etc-refused": [
    "A symlink with an absolute target (`/etc`) is 422 archive_unsafe_entry.",
    (ctx) =>
      expectRefusedUntouched(
        ctx,
        [{ name: "etc", type: "symlink", linkName: "/etc" }],
        422,
        "archive_unsafe_entry",
      ),
  ],
  "symlink-escaping-refused": [
    "A relative symlink that resolves outside the destination is refused, also through another link.",
    async (ctx) => {
      await expectRefusedUntouched(
        ctx,
        [{ name: "a/up", type: "symlink", linkName: "../../x" }],
        422,
        "archive_unsafe_entry",
      );
      await expectRefusedUntouched(
        ctx,
        [
          { name: "d/", type: "directory" },
          { name: "d/f", type: "symlink", linkName: ".." },
          { name: "d/e", type: "symlink", linkName: "f/../.." },
        ],
        422,
        "archive_unsafe_entry",
      );
    },
  ],
  "write-through-symlink-refused": [
    "An entry below a symlink of the same archive (`l -> .`, then `l/x`) is refused: nothing is written through a link.",
    (ctx) =>
      expectRefusedUntouched(
        ctx,
        [
          { name: "l", type: "symlink", linkName: "." },
          { name: "l/x", content: "x" },
        ],
        422,
        "archive_unsafe_entry",
      ),
  ],
  "hard-link-outside-refused": [
    "A hard link to a path outside the archive (`../x`, or a file it does not contain) is refused.",
    async (ctx) => {
      await expectRefusedUntouched(
        ctx,
        [{ name: "h", type: "hardlink", linkName: "../keep.txt" }],
        422,
        "archive_unsafe_entry",
      );
      await expectRefusedUntouched(
        ctx,
        [{ name: "h", type: "hardlink", linkName: "keep.txt" }],
        422,
        "archive_unsafe_entry",
      );
    },
  ],
  "special-file-refused": [
    "A FIFO entry is 422 archive_unsupported_entry.",
    (ctx) =>
      expectRefusedUntouched(ctx, [{ name: "p", type: "fifo" }], 422, "archive_unsupported_entry"),
  ],
  "late-bad-entry-applies-nothing": [
    "Good entries followed by one that cannot be applied (a file onto a directory) leave the sandbox untouched.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: [{ path: "/dir/inside.txt", content: "in" }] });
      const before = await sb.version();
      const items: TarItem[] = Array.from({ length: 50 }, (_, i) => ({
        name: `new/f${i}.txt`,
        content: `file ${i}`,
      }));
      items.push({ name: "dir", content: "a file where a directory is" });
      const res = await importRaw(sb, tar(items));
      expectProblem(res, 409, "EISDIR");
      assert.equal(await sb.version(), before);
      assert.deepEqual(await sb.names("/"), rootWith("dir"));
      assert.equal(await sb.readText("/dir/inside.txt"), "in");
    },
  ],
  "invalid-archive-refused": [
    "A body that is not a tar (bad header checksum) or is cut short is 400 archive_invalid.",
    async (ctx) => {
      await expectRefusedUntouched(ctx, new Uint8Array(1536).fill(0x41), 400, "archive_invalid");
      const whole = tar([{ name: "a.txt", content: "x".repeat(2000) }]);
      await expectRefusedUntouched(ctx, whole.subarray(0, 1000), 400, "archive_invalid");
    },
  ],
  "one-gibibyte-stream-refused-early": [
    "A ~1 GiB stream whose first header claims a 1 GiB file is refused with 413 archive_entry_too_large long before the stream ends.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const header = tarHeader({ name: "huge.bin", claimedSize: 2 ** 30 });
      const stream = lazyBody(header, 2 ** 30 + 1024);
      const res = await importRaw(sb, stream.body);
      const pulled = stream.pulled();
      stream.stop();
      expectProblem(res, 413, "archive_entry_too_large");
      assert.ok(
        pulled < 128 << 20,
        `the server read ${pulled} bytes of a 1 GiB stream before refusing it`,
      );
      assert.deepEqual(await sb.names("/"), rootWith());
    },
  ],
  "unsupported-media-type": [
    "A body sent as anything but application/x-tar or application/gzip is 415.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const res = await importRaw(sb, tar([{ name: "a", content: "a" }]), {
        headers: { "content-type": "application/zip" },
      });
      expectProblem(res, 415, "unsupported_media_type");
    },
  ],
  "if-match-version": [
    'If-Match: "<version>" imports only at that sandbox version (412 otherwise, nothing applied).',
    async (ctx) => {
      const sb = await ctx.sandbox();
      const version = await sb.version();
      const body = tar([{ name: "a", content: "a" }]);
      const stale = await importRaw(sb, body, { headers: { "if-match": `"${version + 5}"` } });
      expectProblem(stale, 412, "precondition_failed");
      assert.deepEqual(await sb.names("/"), rootWith());
      const current = await importRaw(sb, body, { headers: { "if-match": `"${version}"` } });
      expectStatus(current, 200);
    },
  ],
  "idempotent-replay": [
    "With an Idempotency-Key the same archive is replayed, and another archive under the key is 422.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const key = `archive-${Math.random().toString(36).slice(2)}`;
      const body = tar([{ name: "a.txt", content: "once", mtimeMs: DEFAULT_MTIME_MS }]);
      const first = await importRaw(sb, body, { headers: { "idempotency-key": key } });
      expectStatus(first, 200);
      const again = await importRaw(sb, body, { headers: { "idempotency-key": key } });
      expectStatus(again, 200);
      assert.equal(again.header("idempotent-replayed"), "true");
      assert.deepEqual(again.json(), first.json());
      const other = tar([{ name: "a.txt", content: "twice" }]);
      expectProblem(
        await importRaw(sb, other, { headers: { "idempotency-key": key } }),
        422,
        "idempotency_key_mismatch",
      );
      assert.equal(await sb.readText("/a.txt"), "once");
    },
  ],
});
