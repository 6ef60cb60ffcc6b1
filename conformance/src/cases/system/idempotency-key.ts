/** Cases for `Idempotency-Key` on mutating requests: replay, mismatch, in-progress, key rules. */
import type { Sandbox } from "@cairn/spec";
import { defineCases } from "../../case.js";
import { assert, expectProblem, expectStatus } from "../../harness/assert.js";
import { ExecEventStream } from "../../harness/event-stream.js";

let n = 0;
/** A key no other run of the suite uses. */
const freshKey = () =>
  `conformance-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}-${n++}`;
const keyed = (key: string) => ({ "Idempotency-Key": key });

export default defineCases("system", "idempotency-key", {
  "create-sandbox-replayed-not-repeated": [
    "Two POST /v1/sandboxes with one key create one sandbox; the second answer is the first, marked Idempotent-Replayed.",
    async (ctx) => {
      const key = freshKey();
      const first = await ctx.request("POST", "/v1/sandboxes", {
        body: { name: "idem" },
        headers: keyed(key),
      });
      expectStatus(first, 201);
      const created = first.json<Sandbox>();
      ctx.deleteLater(created.id);
      const second = await ctx.request("POST", "/v1/sandboxes", {
        body: { name: "idem" },
        headers: keyed(key),
      });
      expectStatus(second, 201);
      assert.equal(second.json<Sandbox>().id, created.id);
      assert.equal(second.header("idempotent-replayed"), "true");
      assert.equal(second.header("location"), first.header("location"));
      assert.equal(first.header("idempotent-replayed"), null);
    },
  ],
  "exec-applied-once": [
    "An exec of `echo x >> /f` sent twice with one key appends one line; the replay is the first result, byte for byte.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const key = freshKey();
      const send = () =>
        sb.request("POST", "/exec", {
          body: { script: "echo x >> /f; wc -l < /f" },
          headers: keyed(key),
        });
      const first = await send();
      const second = await send();
      expectStatus(first, 200);
      expectStatus(second, 200);
      assert.equal(second.text, first.text);
      assert.equal(await sb.readText("/f"), "x\n");
    },
  ],
  "streamed-exec-replayed": [
    "A streamed exec sent again with its key gets the same event stream back and runs once.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const key = freshKey();
      const send = async () => {
        // The stream is stored once it has ended; until then a repeat is told to retry.
        for (let attempt = 0; ; attempt++) {
          const res = await ctx.stream("POST", `/v1/sandboxes/${sb.id}/exec`, {
            body: { script: "echo run >> /log; echo out" },
            headers: keyed(key),
          });
          if (res instanceof ExecEventStream) {
            const { events } = await res.collect();
            return events.map(({ id, event, data }) => ({ id, event, data }));
          }
          expectProblem(res, 409, "idempotency_in_progress");
          assert.ok(attempt < 50, "the stream was never stored");
          await new Promise((r) => setTimeout(r, 100));
        }
      };
      const first = await send();
      const second = await send();
      assert.deepEqual(second, first);
      assert.equal(await sb.readText("/log"), "run\n");
    },
  ],
  "delete-replayed": [
    "DELETE of a sandbox sent twice with one key answers 204 both times (without a key the second is 404).",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const key = freshKey();
      expectStatus(
        await ctx.request("DELETE", `/v1/sandboxes/${sb.id}`, { headers: keyed(key) }),
        204,
      );
      expectStatus(
        await ctx.request("DELETE", `/v1/sandboxes/${sb.id}`, { headers: keyed(key) }),
        204,
      );
      expectProblem(
        await ctx.request("DELETE", `/v1/sandboxes/${sb.id}`),
        404,
        "sandbox_not_found",
      );
    },
  ],
  "reuse-with-another-body-422": [
    "A key reused with a different body is 422 idempotency_key_mismatch and runs nothing.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const key = freshKey();
      expectStatus(
        await sb.request("POST", "/exec", {
          body: { script: "echo a >> /f" },
          headers: keyed(key),
        }),
        200,
      );
      const res = await sb.request("POST", "/exec", {
        body: { script: "echo b >> /f" },
        headers: keyed(key),
      });
      expectProblem(res, 422, "idempotency_key_mismatch");
      assert.equal(await sb.readText("/f"), "a\n");
    },
  ],
  "reuse-on-another-path-422": [
    "A key reused on another operation is 422 idempotency_key_mismatch.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const key = freshKey();
      expectStatus(
        await sb.request("POST", "/fs/mkdir", { body: { path: "/d" }, headers: keyed(key) }),
        200,
        201,
      );
      const res = await sb.request("POST", "/exec", {
        body: { script: "true" },
        headers: keyed(key),
      });
      expectProblem(res, 422, "idempotency_key_mismatch");
    },
  ],
  "repeat-while-running-409": [
    "A repeat while the first request with the key still runs is 409 idempotency_in_progress, retryable, with Retry-After.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const key = freshKey();
      const body = { script: "sleep 1; echo done >> /f" };
      const first = sb.request("POST", "/exec", { body, headers: keyed(key) });
      await new Promise((r) => setTimeout(r, 300));
      const second = await sb.request("POST", "/exec", { body, headers: keyed(key) });
      expectProblem(second, 409, "idempotency_in_progress");
      assert.equal(second.json<{ retryable: boolean }>().retryable, true);
      assert.ok(second.header("retry-after"), "a Retry-After header");
      expectStatus(await first, 200);
      assert.equal(await sb.readText("/f"), "done\n");
    },
  ],
  "failed-request-replayed-too": [
    "A request that failed without a retryable error (here 404) is replayed as that failure.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const key = freshKey();
      const send = () =>
        sb.request("POST", "/fs/move", { body: { from: "/nope", to: "/b" }, headers: keyed(key) });
      expectProblem(await send(), 404, "ENOENT");
      await sb.write("/nope", "now it exists");
      const again = await send();
      expectProblem(again, 404, "ENOENT");
      assert.equal(again.header("idempotent-replayed"), "true");
    },
  ],
  "malformed-key-400": [
    "An Idempotency-Key with a space, or over 255 characters, is 400 invalid_request.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      for (const key of ["has space", "x".repeat(256)]) {
        const res = await sb.request("POST", "/exec", {
          body: { script: "true" },
          headers: keyed(key),
        });
        expectProblem(res, 400, "invalid_request");
      }
    },
  ],
  "without-key-not-replayed": [
    "Without a key, two identical execs both run.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.exec("echo x >> /f");
      await sb.exec("echo x >> /f");
      assert.equal(await sb.readText("/f"), "x\nx\n");
    },
  ],
});
