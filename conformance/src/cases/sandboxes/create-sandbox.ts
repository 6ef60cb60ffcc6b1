/** Cases for createSandbox (POST /v1/sandboxes). */
import type { Sandbox } from "@cairn/spec";
import { defineCases } from "../../case.js";
import { assert, expectBytes, expectProblem, expectStatus, utf8 } from "../../harness/assert.js";
import { allBytes, createSandboxRaw } from "../support.js";

export default defineCases("sandboxes", "create-sandbox", {
  "returns-201": [
    "An empty JSON body creates a sandbox: 201 with a Sandbox body.",
    async (ctx) => {
      const res = await createSandboxRaw(ctx, { body: {} });
      expectStatus(res, 201);
      assert.ok(Number.isInteger(res.json<Sandbox>().version));
    },
  ],
  "location-points-to-sandbox": [
    "The 201's Location header resolves to the new sandbox's URL.",
    async (ctx) => {
      const res = await createSandboxRaw(ctx, { body: {} });
      expectStatus(res, 201);
      const { id } = res.json<Sandbox>();
      const location = res.header("location");
      assert.ok(location, "201 must carry a Location header");
      const url = new URL(location, res.url);
      assert.equal(url.pathname, `/v1/sandboxes/${id}`, `Location ${location}`);
      const got = await ctx.request("GET", url.pathname);
      expectStatus(got, 200);
      assert.equal(got.json<Sandbox>().id, id);
    },
  ],
  "without-body": [
    "The request body is optional: a POST with no body creates a sandbox.",
    async (ctx) => {
      expectStatus(await createSandboxRaw(ctx, {}), 201);
    },
  ],
  "name-kept": [
    "A given name is returned by create and by get.",
    async (ctx) => {
      const sb = await ctx.sandbox({ name: "conformance name ✓" });
      assert.equal(sb.created.name, "conformance name ✓");
      assert.equal((await sb.get()).name, "conformance name ✓");
    },
  ],
  "name-null-by-default": [
    "Without a name, name is null.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      assert.equal(sb.created.name, null);
    },
  ],
  "env-kept": [
    "A given env is returned by create and by get.",
    async (ctx) => {
      const env = { GREETING: "hello world", _X1: "" };
      const sb = await ctx.sandbox({ env });
      assert.deepEqual(sb.created.env, env);
      assert.deepEqual((await sb.get()).env, env);
    },
  ],
  "env-empty-by-default": [
    "Without env, env is an empty object.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      assert.deepEqual(sb.created.env, {});
    },
  ],
  "seed-utf8-readable": [
    "A seed file with utf8 content reads back as those UTF-8 bytes.",
    async (ctx) => {
      const content = "héllo, 世界\nline 2\n";
      const sb = await ctx.sandbox({ files: [{ path: "/seed.txt", content, encoding: "utf8" }] });
      expectBytes(await sb.read("/seed.txt"), utf8(content), "/seed.txt");
    },
  ],
  "seed-encoding-defaults-to-utf8": [
    "A seed file without encoding is taken as UTF-8 text.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: [{ path: "/plain.txt", content: "aGk=" }] });
      assert.equal(await sb.readText("/plain.txt"), "aGk=");
    },
  ],
  "seed-base64-readable": [
    "A seed file with base64 content reads back byte-exactly (all 256 byte values).",
    async (ctx) => {
      const bytes = allBytes();
      const content = Buffer.from(bytes).toString("base64");
      const sb = await ctx.sandbox({ files: [{ path: "/bin.dat", content, encoding: "base64" }] });
      expectBytes(await sb.read("/bin.dat"), bytes, "/bin.dat");
    },
  ],
  "seed-mode-kept": [
    "A seed file's mode `755` shows as 493 in stat.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: [{ path: "/run.sh", content: "echo", mode: "755" }] });
      assert.equal((await sb.stat("/run.sh")).mode, 0o755);
    },
  ],
  "seed-default-mode-644": [
    "A seed file without mode has mode 420 (0644).",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: [{ path: "/a.txt", content: "a" }] });
      assert.equal((await sb.stat("/a.txt")).mode, 0o644);
    },
  ],
  "invalid-json-400": [
    "A body that is not JSON is 400 invalid_request.",
    async (ctx) => {
      const res = await createSandboxRaw(ctx, {
        body: '{"name": "x",',
        headers: { "content-type": "application/json" },
      });
      expectProblem(res, 400, "invalid_request");
    },
  ],
  "unknown-property-400": [
    "An unknown property (additionalProperties: false) is 400 invalid_request.",
    async (ctx) => {
      expectProblem(
        await createSandboxRaw(ctx, { body: { nmae: "typo" } }),
        400,
        "invalid_request",
      );
    },
  ],
  "wrong-type-400": [
    "A property of the wrong type (name: 42) is 400 invalid_request.",
    async (ctx) => {
      expectProblem(await createSandboxRaw(ctx, { body: { name: 42 } }), 400, "invalid_request");
    },
  ],
  "empty-name-400": [
    "An empty name (minLength 1) is 400 invalid_request.",
    async (ctx) => {
      expectProblem(await createSandboxRaw(ctx, { body: { name: "" } }), 400, "invalid_request");
    },
  ],
  "invalid-env-name-400": [
    "An env variable name that does not match ^[A-Za-z_][A-Za-z0-9_]*$ is 400 invalid_request.",
    async (ctx) => {
      const res = await createSandboxRaw(ctx, { body: { env: { "1BAD": "x" } } });
      expectProblem(res, 400, "invalid_request");
    },
  ],
  "seed-invalid-base64-400": [
    "A base64 seed whose content is not base64 is 400 invalid_request.",
    async (ctx) => {
      const files = [{ path: "/x", content: "!!not base64!!", encoding: "base64" }];
      expectProblem(await createSandboxRaw(ctx, { body: { files } }), 400, "invalid_request");
    },
  ],
  "seed-unknown-encoding-400": [
    "A seed encoding outside utf8/base64 is 400 invalid_request.",
    async (ctx) => {
      const files = [{ path: "/x", content: "x", encoding: "hex" }];
      expectProblem(await createSandboxRaw(ctx, { body: { files } }), 400, "invalid_request");
    },
  ],
  "non-json-content-type-415": [
    "A JSON text sent as text/plain is 415 unsupported_media_type.",
    async (ctx) => {
      const res = await createSandboxRaw(ctx, {
        body: '{"name":"x"}',
        headers: { "content-type": "text/plain" },
      });
      expectProblem(res, 415, "unsupported_media_type");
    },
  ],
});
