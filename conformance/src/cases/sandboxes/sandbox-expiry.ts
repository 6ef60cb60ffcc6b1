/** Cases for sandbox expiry: ttl, expiresAt and idleTimeout on create and PATCH; expired is 404. */
import type { Sandbox } from "@cairn/spec";
import { defineCases } from "../../case.js";
import { assert, expectProblem, expectStatus } from "../../harness/assert.js";
import { snapshot } from "../history/snapshots.js";
import { watch } from "../history/watch-support.js";
import { createSandboxRaw, sleep } from "../support.js";
import { textFiles } from "../text-support.js";

const HOUR = 3600;
const ms = (iso: string | null) => (iso === null ? Number.NaN : Date.parse(iso));

/** Whether `iso` is `seconds` after a moment between `before` and `after` (ms), give or take 2 s. */
function secondsAfter(iso: string | null, seconds: number, before: number, after: number): boolean {
  const at = ms(iso);
  return at >= before + seconds * 1000 - 2000 && at <= after + seconds * 1000 + 2000;
}

export default defineCases("sandboxes", "sandbox-expiry", {
  "no-expiry-by-default": [
    "A sandbox created without ttl, expiresAt or idleTimeout never expires: all three are null.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const { expiresAt, idleTimeout, idleExpiresAt } = sb.created;
      assert.deepEqual(
        { expiresAt, idleTimeout, idleExpiresAt },
        {
          expiresAt: null,
          idleTimeout: null,
          idleExpiresAt: null,
        },
      );
    },
  ],
  "ttl-and-idle-timeout-set-expiry": [
    "ttl sets expiresAt that many seconds after creation; idleTimeout sets idleExpiresAt as far after it; GET shows both.",
    async (ctx) => {
      const before = Date.now();
      const sb = await ctx.sandbox({ ttl: HOUR, idleTimeout: 600 });
      const after = Date.now();
      assert.ok(
        secondsAfter(sb.created.expiresAt, HOUR, before, after),
        String(sb.created.expiresAt),
      );
      assert.equal(sb.created.idleTimeout, 600);
      assert.ok(secondsAfter(sb.created.idleExpiresAt, 600, before, after));
      const got = await sb.get();
      assert.equal(ms(got.expiresAt), ms(sb.created.expiresAt));
      assert.equal(got.idleTimeout, 600);
    },
  ],
  "expires-at-kept": [
    "An expiresAt in the future is stored as given.",
    async (ctx) => {
      const at = new Date(Date.now() + 2 * HOUR * 1000);
      at.setUTCMilliseconds(0);
      const sb = await ctx.sandbox({ expiresAt: at.toISOString() });
      assert.equal(ms(sb.created.expiresAt), at.getTime());
      assert.equal(sb.created.idleTimeout, null);
    },
  ],
  "patch-changes-and-clears-expiry": [
    "PATCH ttl re-arms expiresAt from now, idleTimeout changes the idle timeout, null clears either; each is a commit.",
    async (ctx) => {
      const sb = await ctx.sandbox({ ttl: HOUR });
      const before = Date.now();
      const longer = await sb.update({ ttl: 3 * HOUR, idleTimeout: 900 });
      const after = Date.now();
      assert.ok(secondsAfter(longer.expiresAt, 3 * HOUR, before, after), String(longer.expiresAt));
      assert.equal(longer.idleTimeout, 900);
      assert.ok(secondsAfter(longer.idleExpiresAt, 900, before, after));
      assert.equal(longer.version, sb.created.version + 1);
      const cleared = await sb.update({ expiresAt: null, idleTimeout: null });
      assert.deepEqual(
        [cleared.expiresAt, cleared.idleTimeout, cleared.idleExpiresAt],
        [null, null, null],
      );
      const kept = await sb.update({ name: "other" });
      assert.deepEqual([kept.expiresAt, kept.idleTimeout], [null, null]);
    },
  ],
  "invalid-expiry-400": [
    "ttl together with expiresAt, an expiresAt in the past, a ttl or idleTimeout below 1 or not a number: 400 invalid_request, nothing created or changed.",
    async (ctx) => {
      const past = new Date(Date.now() - 60_000).toISOString();
      const future = new Date(Date.now() + 60_000).toISOString();
      for (const body of [
        { ttl: 60, expiresAt: future },
        { expiresAt: past },
        { expiresAt: "tomorrow" },
        { ttl: 0 },
        { ttl: "60" },
        { ttl: 1.5 },
        { idleTimeout: 0 },
      ]) {
        expectProblem(await createSandboxRaw(ctx, { body }), 400, "invalid_request");
      }
      const sb = await ctx.sandbox({ ttl: HOUR });
      for (const body of [
        { ttl: 60, expiresAt: future },
        { expiresAt: past },
        { idleTimeout: -1 },
      ]) {
        expectProblem(await sb.updateRaw(body), 400, "invalid_request");
      }
      const got = await sb.get();
      assert.deepEqual(
        [got.version, ms(got.expiresAt)],
        [sb.created.version, ms(sb.created.expiresAt)],
      );
    },
  ],
  "forks-do-not-take-the-source-expiry": [
    "A fork has the expiry its own request asks for, not its source's.",
    async (ctx) => {
      const source = await ctx.sandbox({ ttl: HOUR, idleTimeout: 600 });
      const plain = await createSandboxRaw(ctx, { body: { from: { sandboxId: source.id } } });
      expectStatus(plain, 201);
      assert.deepEqual(
        [plain.json<Sandbox>().expiresAt, plain.json<Sandbox>().idleTimeout],
        [null, null],
      );
      const timed = await createSandboxRaw(ctx, {
        body: { from: { sandboxId: source.id }, idleTimeout: 120 },
      });
      expectStatus(timed, 201);
      assert.deepEqual(
        [timed.json<Sandbox>().expiresAt, timed.json<Sandbox>().idleTimeout],
        [null, 120],
      );
    },
  ],
  "expired-sandbox-is-404-at-once": [
    "Once its ttl has passed, a sandbox answers 404 sandbox_not_found to every route (before any sweep), leaves the listing, and its snapshots go with it.",
    async (ctx) => {
      const sb = await ctx.sandbox({ ttl: 1, files: textFiles({ "/a.txt": "a" }) });
      const snap = await snapshot(sb);
      await sleep(1500);
      expectProblem(await sb.request("GET", ""), 404, "sandbox_not_found");
      expectProblem(await sb.readRaw("/a.txt"), 404, "sandbox_not_found");
      expectProblem(await sb.execRaw({ script: "ls" }), 404, "sandbox_not_found");
      expectProblem(await sb.updateRaw({ ttl: HOUR }), 404, "sandbox_not_found");
      expectProblem(await sb.request("GET", "/commits"), 404, "sandbox_not_found");
      expectProblem(await sb.request("GET", `/snapshots/${snap.id}`), 404, "sandbox_not_found");
      expectProblem(
        await createSandboxRaw(ctx, { body: { from: { snapshotId: snap.id } } }),
        404,
        "snapshot_not_found",
      );
      expectProblem(
        await createSandboxRaw(ctx, { body: { from: { sandboxId: sb.id } } }),
        404,
        "sandbox_not_found",
      );
      const list = await ctx.request("GET", "/v1/sandboxes", { query: { limit: "200" } });
      expectStatus(list, 200);
      const ids = list.json<{ items: Sandbox[] }>().items.map((s) => s.id);
      assert.ok(!ids.includes(sb.id), "an expired sandbox is not listed");
      expectProblem(
        await ctx.request("DELETE", `/v1/sandboxes/${sb.id}`),
        404,
        "sandbox_not_found",
      );
    },
  ],
  "watchers-of-an-expired-sandbox-get-deleted": [
    "A watcher of a sandbox that expires gets a deleted event and its stream ends.",
    async (ctx) => {
      const sb = await ctx.sandbox({ ttl: 1 });
      const watcher = await watch(ctx, sb.id);
      // Expires after a second; the stream looks at least once a second.
      const event = await watcher.next(10_000);
      assert.equal(event.event, "deleted");
      assert.equal(await watcher.ended(2000), true);
    },
  ],
  "idle-sandbox-is-404": [
    "A sandbox with nothing done to it for its idleTimeout answers 404 sandbox_not_found.",
    async (ctx) => {
      const sb = await ctx.sandbox({ idleTimeout: 1 });
      await sleep(1500);
      expectProblem(await sb.request("GET", ""), 404, "sandbox_not_found");
      expectProblem(await sb.readRaw("/"), 404, "sandbox_not_found");
    },
  ],
});
