/**
 * Cases for the limits every server applies (GET /v1/limits), and what hitting one looks like:
 * a sandbox's quota (EDQUOT, enforced per commit so concurrent writers cannot overshoot), path
 * depth, and the request body. Cases that would need more than ~64 MB skip on a server whose
 * limits are larger.
 */
import type { Schemas } from "@cairn/spec";
import { defineCases } from "../../case.js";
import type { CaseContext } from "../../context.js";
import { assert, expectProblem, expectStatus } from "../../harness/assert.js";

type Limits = Schemas["Limits"];
const CHEAP_BYTES = 64 << 20;
const CHEAP_FILES = 5000;
/** Rates that a server may turn off with 0. */
const OFF_AT_ZERO = new Set(["rateLimitPerSecond", "authFailuresPerSecond"]);

async function limitsOf(ctx: CaseContext): Promise<Limits> {
  const res = await ctx.request("GET", "/v1/limits");
  expectStatus(res, 200);
  return res.json<Limits>();
}

/** The limits, when filling `share` of the byte quota fits one request and the cheap bound. */
async function fillableQuota(ctx: CaseContext, share: number): Promise<{ size: number }> {
  const { sandboxMaxBytes, maxBodyBytes } = await limitsOf(ctx);
  const size = Math.floor(sandboxMaxBytes * share) + 1;
  if (sandboxMaxBytes > CHEAP_BYTES || size > maxBodyBytes) {
    return ctx.skip(`sandboxMaxBytes ${sandboxMaxBytes} is too large to fill`);
  }
  return { size };
}

const deepPath = (depth: number) => `/${Array.from({ length: depth }, () => "d").join("/")}`;

export default defineCases("system", "limits", {
  "reported-as-positive-numbers": [
    "GET /v1/limits answers every bound as a whole number, positive except a rate of 0 (off).",
    async (ctx) => {
      const limits = await limitsOf(ctx);
      for (const [name, value] of Object.entries(limits)) {
        assert.ok(Number.isSafeInteger(value), `${name} is a whole number`);
        if (!OFF_AT_ZERO.has(name)) assert.ok(value > 0, `${name} is positive`);
      }
    },
  ],
  "needs-a-key": [
    "GET /v1/limits without a key is 401.",
    async (ctx) => {
      expectProblem(await ctx.request("GET", "/v1/limits", { auth: false }), 401, "unauthorized");
    },
  ],
  "file-quota-stops-a-script": [
    "A script that creates one entry more than sandboxMaxFiles sees EDQUOT, and none of its changes are kept (commit reason quota).",
    async (ctx) => {
      const { sandboxMaxFiles } = await limitsOf(ctx);
      if (sandboxMaxFiles > CHEAP_FILES)
        return ctx.skip(`sandboxMaxFiles ${sandboxMaxFiles} is too many to create`);
      const sb = await ctx.sandbox();
      const version = await sb.version();
      // The directory plus sandboxMaxFiles files: one over.
      const r = await sb.exec(
        `mkdir /q && for i in $(seq ${sandboxMaxFiles}); do : > /q/f$i; done`,
      );
      assert.notEqual(r.exitCode, 0);
      assert.match(r.stderr, /quota/i);
      assert.deepEqual(r.commit, { status: "discarded", version, reason: "quota" });
      assert.equal(await sb.version(), version);
    },
  ],
  "byte-quota-refuses-a-write": [
    "With half the byte quota plus one already stored, writing as much again is 507 EDQUOT and stores nothing; after a delete it fits.",
    async (ctx) => {
      const { size: half } = await fillableQuota(ctx, 0.5);
      const sb = await ctx.sandbox();
      await sb.write("/a.bin", new Uint8Array(half));
      const version = await sb.version();
      expectProblem(await sb.writeRaw("/b.bin", new Uint8Array(half)), 507, "EDQUOT");
      assert.equal(await sb.version(), version);
      expectProblem(
        await sb.request("GET", "/fs/stat", { query: { path: "/b.bin" } }),
        404,
        "ENOENT",
      );
      expectStatus(await sb.request("DELETE", "/files", { query: { path: "/a.bin" } }), 200);
      await sb.write("/b.bin", new Uint8Array(half));
    },
  ],
  "concurrent-writers-cannot-overshoot": [
    "Two writes of 60% of the byte quota each, sent at once, cannot both land: one succeeds, the other is 507 EDQUOT.",
    async (ctx) => {
      const { size } = await fillableQuota(ctx, 0.6);
      const sb = await ctx.sandbox();
      const [a, b] = await Promise.all([
        sb.writeRaw("/a.bin", new Uint8Array(size)),
        sb.writeRaw("/b.bin", new Uint8Array(size).fill(1)),
      ]);
      assert.deepEqual([a.status, b.status].sort(), [201, 507]);
      expectProblem(a.status === 507 ? a : b, 507, "EDQUOT");
    },
  ],
  "hard-links-count-once": [
    "A second name for a file (ln) adds no bytes to the quota: linking a file of 60% of it succeeds.",
    async (ctx) => {
      const { size } = await fillableQuota(ctx, 0.6);
      const sb = await ctx.sandbox();
      await sb.write("/a.bin", new Uint8Array(size));
      const r = await sb.exec("ln /a.bin /b.bin");
      assert.equal(r.exitCode, 0, r.stderr);
      assert.equal(r.commit.status, "committed");
    },
  ],
  "path-depth-bounded": [
    "A path of maxPathDepth names is accepted; one more is 400 ENAMETOOLONG, through the file API and in a script.",
    async (ctx) => {
      const { maxPathDepth } = await limitsOf(ctx);
      const sb = await ctx.sandbox();
      await sb.write(`${deepPath(maxPathDepth - 1)}/f`, "ok");
      expectProblem(await sb.writeRaw(`${deepPath(maxPathDepth)}/f`, "no"), 400, "ENAMETOOLONG");
      const r = await sb.exec(`mkdir -p ${deepPath(maxPathDepth + 1)}`);
      assert.notEqual(r.exitCode, 0);
    },
  ],
  "body-over-limit-413": [
    "A file body one byte over maxBodyBytes is 413 payload_too_large and writes nothing.",
    async (ctx) => {
      const { maxBodyBytes } = await limitsOf(ctx);
      if (maxBodyBytes > CHEAP_BYTES)
        return ctx.skip(`maxBodyBytes ${maxBodyBytes} is too large to send`);
      const sb = await ctx.sandbox();
      expectProblem(
        await sb.writeRaw("/big.bin", new Uint8Array(maxBodyBytes + 1)),
        413,
        "payload_too_large",
      );
      expectProblem(
        await sb.request("GET", "/fs/stat", { query: { path: "/big.bin" } }),
        404,
        "ENOENT",
      );
    },
  ],
});
