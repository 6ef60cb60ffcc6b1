/** Cases for updateSandbox (PATCH /v1/sandboxes/{sandboxId}): settings, If-Match and shell state. */
import type { Problem, Sandbox } from "@cairn/spec";
import { defineCases } from "../../case.js";
import { assert, expectProblem, expectStatus } from "../../harness/assert.js";
import { HOME } from "../support.js";

const quoted = (version: number) => `"${version}"`;

export default defineCases("sandboxes", "update-sandbox", {
  "name-change-visible": [
    "PATCH { name } returns the sandbox with the new name, and GET shows it.",
    async (ctx) => {
      const sb = await ctx.sandbox({ name: "old" });
      const updated = await sb.update({ name: "new name ✓" });
      assert.equal(updated.name, "new name ✓");
      assert.equal(updated.id, sb.id);
      assert.equal((await sb.get()).name, "new name ✓");
    },
  ],
  "name-null-clears": [
    "PATCH { name: null } clears the name.",
    async (ctx) => {
      const sb = await ctx.sandbox({ name: "named" });
      assert.equal((await sb.update({ name: null })).name, null);
      assert.equal((await sb.get()).name, null);
    },
  ],
  "env-change-visible": [
    "PATCH { env } replaces the env: GET shows it and the next exec sees it.",
    async (ctx) => {
      const sb = await ctx.sandbox({ env: { OLD: "1" } });
      const updated = await sb.update({ env: { NEW: "2" } });
      assert.deepEqual(updated.env, { NEW: "2" });
      assert.deepEqual((await sb.get()).env, { NEW: "2" });
      // biome-ignore lint/suspicious/noTemplateCurlyInString: bash parameter expansion
      assert.equal((await sb.exec('echo "${OLD-unset} $NEW"')).stdout, "unset 2\n");
    },
  ],
  "other-settings-kept": [
    "PATCH of one setting leaves the others, and the files, as they were.",
    async (ctx) => {
      const sb = await ctx.sandbox({
        name: "keep",
        env: { K: "v" },
        files: [{ path: "/f.txt", content: "f" }],
      });
      const updated = await sb.update({ persistShell: true });
      assert.deepEqual(
        [updated.name, updated.env, updated.persistShell, updated.createdAt],
        ["keep", { K: "v" }, true, sb.created.createdAt],
      );
      assert.equal(await sb.readText("/f.txt"), "f");
    },
  ],
  "response-matches-get": [
    "The 200 body of a PATCH equals the sandbox GET returns right after.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const updated = await sb.update({ name: "same" });
      assert.deepEqual(await sb.get(), updated);
    },
  ],
  "if-match-mismatch-412": [
    "PATCH with If-Match of another version is 412 precondition_failed and changes nothing.",
    async (ctx) => {
      const sb = await ctx.sandbox({ name: "before" });
      const { version } = await sb.get();
      const res = await sb.updateRaw({ name: "after" }, { "if-match": quoted(version + 7) });
      expectProblem(res, 412, "precondition_failed");
      const got = await sb.get();
      assert.deepEqual([got.name, got.version], ["before", version]);
    },
  ],
  "if-match-stale-after-write-412": [
    "If-Match of the version read before a file write is 412 after it.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const { version } = await sb.get();
      await sb.write("/bump.txt", "x");
      const res = await sb.updateRaw({ name: "late" }, { "if-match": quoted(version) });
      expectProblem(res, 412, "precondition_failed");
    },
  ],
  "if-match-current-applies": [
    "PATCH with If-Match of the current version is 200, applies the change and advances the version.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const { version } = await sb.get();
      const updated = await sb.update({ name: "matched" }, { "if-match": quoted(version) });
      assert.equal(updated.name, "matched");
      assert.ok(updated.version > version, `${updated.version} > ${version}`);
      assert.equal((await sb.get()).version, updated.version);
    },
  ],
  "empty-body-400": [
    "An empty object (minProperties 1) is 400 invalid_request.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      expectProblem(await sb.updateRaw({}), 400, "invalid_request");
    },
  ],
  "unknown-property-400": [
    "An unknown property is 400 invalid_request and changes nothing.",
    async (ctx) => {
      const sb = await ctx.sandbox({ name: "kept" });
      expectProblem(await sb.updateRaw({ name: "x", color: "red" }), 400, "invalid_request");
      assert.equal((await sb.get()).name, "kept");
    },
  ],
  "invalid-values-400": [
    "Invalid values (empty name, bad env name, unknown runtime, non-boolean persistShell) are 400 invalid_request.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      for (const body of [
        { name: "" },
        { env: { "1BAD": "x" } },
        { runtimes: ["ruby"] },
        { persistShell: "yes" },
        { runtimes: ["python3", "python3"] },
      ]) {
        const res = await sb.updateRaw(body);
        expectProblem(res, 400, "invalid_request");
      }
    },
  ],
  "invalid-json-400": [
    "A body that is not JSON is 400 invalid_request.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const res = await ctx.request("PATCH", `/v1/sandboxes/${sb.id}`, {
        body: '{"name": ',
        headers: { "content-type": "application/json" },
      });
      expectProblem(res, 400, "invalid_request");
    },
  ],
  "persist-shell-on": [
    "PATCH { persistShell: true } turns it on: a later `cd` carries to the next exec.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      assert.equal((await sb.update({ persistShell: true })).persistShell, true);
      await sb.exec("mkdir -p /w && cd /w");
      assert.equal((await sb.exec("pwd")).stdout, "/w\n");
    },
  ],
  "persist-shell-off": [
    "PATCH { persistShell: false } turns it off: the next exec starts in the home directory and a `cd` no longer carries.",
    async (ctx) => {
      const sb = await ctx.sandbox({ persistShell: true });
      await sb.exec("mkdir -p /w && cd /w");
      const updated = await sb.update({ persistShell: false });
      assert.equal(updated.persistShell, false);
      assert.equal((await sb.exec("pwd")).stdout, `${HOME}\n`);
      await sb.exec("cd /w");
      assert.equal((await sb.exec("pwd")).stdout, `${HOME}\n`);
    },
  ],
  "reset-shell-clears": [
    "PATCH { resetShell: true } clears the saved shell: shell is null and the next exec starts in the home directory without the exports.",
    async (ctx) => {
      const sb = await ctx.sandbox({ persistShell: true, env: { BASE: "b" } });
      await sb.exec("mkdir -p /w && cd /w && export A=1");
      assert.notEqual((await sb.get()).shell, null);
      const updated = await sb.update({ resetShell: true });
      assert.deepEqual([updated.shell, updated.persistShell], [null, true]);
      // biome-ignore lint/suspicious/noTemplateCurlyInString: bash parameter expansion
      assert.equal((await sb.exec('pwd; echo "${A-unset} $BASE"')).stdout, `${HOME}\nunset b\n`);
    },
  ],
  "env-change-reaches-saved-shell": [
    "PATCH { env } with a saved shell sets those variables in it too, keeping its cwd and its own exports.",
    async (ctx) => {
      const sb = await ctx.sandbox({ persistShell: true, env: { OLD: "o" } });
      await sb.exec("mkdir -p /w && cd /w && export A=1");
      const updated = await sb.update({ env: { NEW: "n" } });
      assert.equal(updated.shell?.env.NEW, "n");
      assert.equal((await sb.exec("pwd; echo $A $NEW")).stdout, "/w\n1 n\n");
    },
  ],
  "runtimes-js-exec-supported-or-400": [
    "PATCH { runtimes: [js-exec] } is 200 (and listed) on a server that can run it, else 400 invalid_request.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const res = await sb.updateRaw({ runtimes: ["js-exec"] });
      expectStatus(res, 200, 400);
      if (res.status === 400) {
        expectProblem(res, 400, "invalid_request");
        assert.deepEqual((await sb.get()).runtimes, []);
      } else {
        assert.deepEqual(res.json<Sandbox>().runtimes, ["js-exec"]);
      }
    },
  ],
  "runtimes-python3-enables-python": [
    "PATCH { runtimes: [python3] } lists python3 and lets scripts run python3; without it python3 fails.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const off = await sb.exec({ script: "python3 -c 'print(6 * 7)'", timeoutMs: 15_000 });
      assert.notEqual(off.exitCode, 0, "python3 must not run before it is enabled");
      assert.deepEqual((await sb.update({ runtimes: ["python3"] })).runtimes, ["python3"]);
      const on = await sb.exec({ script: "python3 -c 'print(6 * 7)'", timeoutMs: 15_000 });
      assert.deepEqual([on.exitCode, on.stdout], [0, "42\n"], on.stderr);
    },
  ],
  "runtimes-cleared": [
    "PATCH { runtimes: [] } turns the runtimes off again.",
    async (ctx) => {
      const sb = await ctx.sandbox({ runtimes: ["python3"] });
      assert.deepEqual((await sb.update({ runtimes: [] })).runtimes, []);
      assert.deepEqual((await sb.get()).runtimes, []);
    },
  ],
  "if-match-problem-not-retryable": [
    "A 412 from If-Match is not retryable (sending it again cannot succeed).",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const { version } = await sb.get();
      const res = await sb.updateRaw({ name: "x" }, { "if-match": quoted(version + 1) });
      expectProblem(res, 412, "precondition_failed");
      assert.equal(res.json<Problem>().retryable, false);
    },
  ],
});
