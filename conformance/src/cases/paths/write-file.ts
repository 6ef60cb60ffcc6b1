/** Path rules as writeFile shows them: normalization and the exact length limits. */
import type { Schemas } from "@cairn/spec";
import { defineCases } from "../../case.js";
import { assert, expectProblem, expectStatus } from "../../harness/assert.js";
import { rootWith } from "../support.js";

export default defineCases("paths", "write-file", {
  "slashes-normalized": [
    "Writing //x///y.txt/ creates /x/y.txt, and the result says so.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const res = await sb.writeRaw("//x///y.txt", "y");
      expectStatus(res, 201);
      assert.equal(res.json<Schemas["WriteResult"]>().file.path, "/x/y.txt");
      assert.equal(await sb.readText("/x/y.txt"), "y");
    },
  ],
  "dot-segments-normalized": [
    "Writing /./x/./y.txt creates /x/y.txt.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      expectStatus(await sb.writeRaw("/./x/./y.txt", "y"), 201);
      assert.equal(await sb.readText("/x/y.txt"), "y");
    },
  ],
  "dot-dot-creates-nothing": [
    "A write to /a/../b is rejected without creating /a or /b.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      expectProblem(await sb.writeRaw("/a/../b", "x"), 400);
      assert.deepEqual([await sb.exists("/a"), await sb.exists("/b")], [false, false]);
    },
  ],
  "segment-of-255-bytes-accepted": [
    "A segment of exactly 255 bytes is accepted.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const name = "n".repeat(255);
      expectStatus(await sb.writeRaw(`/${name}`, "x"), 201);
      assert.deepEqual(await sb.names("/"), rootWith(name));
    },
  ],
  "path-of-4096-bytes-accepted": [
    "A path of exactly 4096 bytes (16 segments of 255 bytes) is accepted.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const path = `/${"p".repeat(255)}`.repeat(16);
      assert.equal(Buffer.byteLength(path), 4096);
      expectStatus(await sb.writeRaw(path, "deep"), 201);
      assert.equal(await sb.readText(path), "deep");
    },
  ],
  "missing-path-400": [
    "A write without the path query parameter is 400 invalid_request.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const res = await sb.request("PUT", "/files", { body: new TextEncoder().encode("x") });
      expectProblem(res, 400, "invalid_request");
    },
  ],
  "case-sensitive": [
    "/A.txt and /a.txt are different files.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/A.txt", "upper");
      await sb.write("/a.txt", "lower");
      assert.deepEqual(
        [await sb.readText("/A.txt"), await sb.readText("/a.txt")],
        ["upper", "lower"],
      );
    },
  ],
  "unicode-not-normalized": [
    "NFC é (U+00E9) and NFD e+U+0301 name different files: names are bytes, not normalized.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/\u00e9", "nfc");
      await sb.write("/e\u0301", "nfd");
      assert.deepEqual(
        [await sb.readText("/\u00e9"), await sb.readText("/e\u0301")],
        ["nfc", "nfd"],
      );
    },
  ],
});
