/** Cases for listDirectory (GET /v1/sandboxes/{id}/fs/list). */
import type { Schemas } from "@cairn/spec";
import { defineCases } from "../../case.js";
import { assert, compareCodePoints, expectProblem, expectStatus } from "../../harness/assert.js";

type DirectoryEntry = Schemas["DirectoryEntry"];

export default defineCases("files", "list-directory", {
  "sorted-by-code-point": [
    "Entries are sorted by name in Unicode code point order (not UTF-16 order, not locale).",
    async (ctx) => {
      const sb = await ctx.sandbox();
      // U+FF5E sorts before U+1F600 by code point, after it by UTF-16 code unit.
      const names = ["b", "B", "a", "é", "Z", "10", "2", "～", "😀", "_x", ".hidden"];
      for (const name of names) await sb.write(`/s/${name}`, name);
      const expected = [...names].sort(compareCodePoints);
      assert.deepEqual(await sb.names("/s"), expected);
    },
  ],
  "entry-fields": [
    "Entries carry name, type, size and mode for files and directories.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/e/file.txt", "abc");
      await sb.mkdir("/e/sub");
      const { entries } = await sb.list("/e");
      const pick = (e: DirectoryEntry | undefined) => e && [e.name, e.type, e.size];
      assert.deepEqual(entries.map(pick), [
        ["file.txt", "file", 3],
        ["sub", "directory", 0],
      ]);
      assert.equal(entries[0]?.mode, 0o644);
    },
  ],
  "only-direct-children": [
    "A listing shows only the directory's own entries, not deeper ones.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/top/a.txt", "a");
      await sb.write("/top/sub/deep.txt", "d");
      assert.deepEqual(await sb.names("/top"), ["a.txt", "sub"]);
    },
  ],
  "root-lists-top-level": [
    "Listing / shows the top-level entries.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/one.txt", "1");
      await sb.mkdir("/two");
      const names = await sb.names("/");
      assert.ok(names.includes("one.txt") && names.includes("two"), `got ${names.join(", ")}`);
    },
  ],
  "empty-directory": [
    "An empty directory lists no entries and a null nextCursor.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.mkdir("/empty");
      const listing = await sb.list("/empty");
      assert.deepEqual([listing.path, listing.entries, listing.nextCursor], ["/empty", [], null]);
    },
  ],
  "cursor-pagination": [
    "With limit=2, following nextCursor yields every entry once, in order, then a null cursor.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const names = ["a", "b", "c", "d", "e"];
      for (const n of names) await sb.write(`/p/${n}`, n);
      const pages: string[][] = [];
      let cursor: string | undefined;
      for (let i = 0; i < 10; i++) {
        const page = await sb.list("/p", cursor ? { limit: 2, cursor } : { limit: 2 });
        pages.push(page.entries.map((e) => e.name));
        if (page.nextCursor === null) break;
        cursor = page.nextCursor;
      }
      assert.deepEqual(pages, [["a", "b"], ["c", "d"], ["e"]]);
    },
  ],
  "file-409-enotdir": [
    "Listing a file is 409 ENOTDIR.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/f.txt", "f");
      expectProblem(await sb.listRaw("/f.txt"), 409, "ENOTDIR");
    },
  ],
  "missing-404-enoent": [
    "Listing a path with nothing there is 404 ENOENT (not an empty list).",
    async (ctx) => {
      const sb = await ctx.sandbox();
      expectProblem(await sb.listRaw("/nope"), 404, "ENOENT");
    },
  ],
  "limit-zero-400": [
    "limit=0 (minimum 1) is 400 invalid_request.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      expectProblem(await sb.listRaw("/", { limit: 0 }), 400, "invalid_request");
    },
  ],
  "invalid-cursor-400": [
    "A cursor the server never issued is 400 invalid_request.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const res = await sb.listRaw("/", { cursor: "not-a-cursor!" });
      expectProblem(res, 400, "invalid_request");
    },
  ],
  "reflects-delete": [
    "A deleted file no longer appears in its directory's listing.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/l/a", "a");
      await sb.write("/l/b", "b");
      expectStatus(await sb.request("DELETE", "/files", { query: { path: "/l/a" } }), 200);
      assert.deepEqual(await sb.names("/l"), ["b"]);
    },
  ],
});
