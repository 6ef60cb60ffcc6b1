/** Cases for execBatch (POST /v1/sandboxes/{id}/exec/batch): sequential and parallel steps. */
import { defineCases } from "../../case.js";
import { assert, expectProblem } from "../../harness/assert.js";
import { HOME, rootWith } from "../support.js";

const erofs = /EROFS|read-only file system/i;

export default defineCases("exec", "exec-batch", {
  "sequential-sees-earlier-writes": [
    "In a sequential batch each step sees the files the steps before it wrote.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const r = await sb.batch({
        steps: [
          { script: "echo one > /a.txt" },
          { script: "cat /a.txt > /b.txt; echo two >> /b.txt" },
          { script: "cat /b.txt" },
        ],
      });
      assert.deepEqual(
        r.results.map((s) => [s.exitCode, s.stdout]),
        [
          [0, ""],
          [0, ""],
          [0, "one\ntwo\n"],
        ],
      );
      assert.equal(await sb.readText("/b.txt"), "one\ntwo\n");
    },
  ],
  "sequential-commits-once": [
    "A sequential batch whose steps write different files commits once: the version advances by exactly one.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const before = await sb.version();
      const r = await sb.batch({
        steps: [
          { script: "echo 1 > /one" },
          { script: "echo 2 > /two" },
          { script: "echo 3 > /three" },
        ],
      });
      const { changes, ...commit } = r.commit;
      assert.deepEqual(commit, { status: "committed", version: before + 1 });
      assert.deepEqual(
        changes?.map((c) => c.path),
        ["/one", "/three", "/two"],
      );
      assert.equal(await sb.version(), before + 1);
      assert.deepEqual((await sb.names("/")).sort(), rootWith("one", "three", "two"));
    },
  ],
  "stop-on-error-by-default": [
    "By default a sequential batch stops after the first step that exits non-zero; results hold only the steps that ran.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const r = await sb.batch({
        steps: [
          { script: "echo a > /a.txt" },
          { script: "exit 3" },
          { script: "echo c > /c.txt; echo ran" },
        ],
      });
      assert.deepEqual(
        r.results.map((s) => s.exitCode),
        [0, 3],
      );
      assert.equal(await sb.exists("/c.txt"), false);
    },
  ],
  "stopped-batch-commits-steps-that-ran": [
    "With the default commit (always), a batch stopped by a failing step commits the writes of the steps that ran.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const r = await sb.batch({
        steps: [{ script: "echo a > /a.txt" }, { script: "echo b > /b.txt; exit 1" }],
      });
      assert.equal(r.commit.status, "committed");
      assert.deepEqual([await sb.readText("/a.txt"), await sb.readText("/b.txt")], ["a\n", "b\n"]);
    },
  ],
  "stop-on-error-false-runs-all": [
    "With stopOnError: false every step runs, whatever the exit codes.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const r = await sb.batch({
        steps: [{ script: "echo a" }, { script: "exit 2" }, { script: "echo c" }],
        stopOnError: false,
      });
      assert.deepEqual(
        r.results.map((s) => [s.exitCode, s.stdout]),
        [
          [0, "a\n"],
          [2, ""],
          [0, "c\n"],
        ],
      );
    },
  ],
  "on-success-failing-step-commits-nothing": [
    "commit: on_success with one failing step discards every step's writes (reason nonzero_exit).",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const before = await sb.version();
      const r = await sb.batch({
        steps: [{ script: "echo a > /a.txt" }, { script: "echo b > /b.txt" }, { script: "false" }],
        commit: "on_success",
      });
      assert.deepEqual(r.commit, { status: "discarded", version: before, reason: "nonzero_exit" });
      assert.deepEqual([await sb.exists("/a.txt"), await sb.exists("/b.txt")], [false, false]);
      assert.equal(await sb.version(), before);
    },
  ],
  "on-success-failure-not-stopping-discards": [
    "commit: on_success with stopOnError: false still needs every step to exit 0.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const r = await sb.batch({
        steps: [{ script: "false" }, { script: "echo late > /late.txt" }],
        commit: "on_success",
        stopOnError: false,
      });
      assert.equal(r.results.length, 2);
      assert.deepEqual([r.commit.status, r.commit.reason], ["discarded", "nonzero_exit"]);
      assert.equal(await sb.exists("/late.txt"), false);
    },
  ],
  "on-success-all-zero-commits": [
    "commit: on_success with every step exiting 0 commits.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const r = await sb.batch({
        steps: [{ script: "echo a > /a.txt" }, { script: "true" }],
        commit: "on_success",
      });
      assert.equal(r.commit.status, "committed");
      assert.equal(await sb.readText("/a.txt"), "a\n");
    },
  ],
  "never-commits-nothing": [
    "commit: never runs the steps (they see each other's writes) and keeps nothing.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const r = await sb.batch({
        steps: [{ script: "echo d > /d.txt" }, { script: "cat /d.txt" }],
        commit: "never",
      });
      assert.equal(r.results[1]?.stdout, "d\n");
      assert.deepEqual([r.commit.status, r.commit.reason], ["discarded", "commit_never"]);
      assert.equal(await sb.exists("/d.txt"), false);
    },
  ],
  "step-cwd-and-env": [
    "A step's cwd and env apply to that step only.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: [{ path: "/work/seed.txt", content: "" }] });
      const r = await sb.batch({
        steps: [
          { script: 'pwd; echo "$V"; echo rel > rel.txt', cwd: "/work", env: { V: "v1" } },
          // biome-ignore lint/suspicious/noTemplateCurlyInString: bash parameter expansion
          { script: 'pwd; echo "${V-unset}"; cat /work/rel.txt' },
        ],
      });
      assert.deepEqual(
        r.results.map((s) => s.stdout),
        ["/work\nv1\n", `${HOME}\nunset\nrel\n`],
      );
    },
  ],
  "steps-start-fresh-without-persist-shell": [
    "Without persistShell, a `cd` or export in one step does not carry to the next.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const r = await sb.batch({
        steps: [
          { script: "mkdir -p /w && cd /w && export X=1" },
          // biome-ignore lint/suspicious/noTemplateCurlyInString: bash parameter expansion
          { script: 'pwd; echo "${X-unset}"' },
        ],
      });
      assert.equal(r.results[1]?.stdout, `${HOME}\nunset\n`);
    },
  ],
  "persist-shell-carries-between-steps": [
    "With persistShell, the cwd and exports of one step carry to the next, and after the batch.",
    async (ctx) => {
      const sb = await ctx.sandbox({ persistShell: true });
      const r = await sb.batch({
        steps: [{ script: "mkdir -p /w && cd /w && export X=1" }, { script: 'pwd; echo "$X"' }],
      });
      assert.equal(r.results[1]?.stdout, "/w\n1\n");
      assert.equal((await sb.exec('pwd; echo "$X"')).stdout, "/w\n1\n");
    },
  ],
  "parallel-results-in-order": [
    "With parallel: true, results[i] belongs to steps[i] whatever order the steps finish in.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const r = await sb.batch({
        steps: [
          { script: "sleep 0.3; echo 0" },
          { script: "sleep 0.1; echo 1" },
          { script: "echo 2" },
          { script: "sleep 0.2; echo 3; exit 3" },
        ],
        parallel: true,
      });
      assert.deepEqual(
        r.results.map((s) => [s.exitCode, s.stdout]),
        [
          [0, "0\n"],
          [0, "1\n"],
          [0, "2\n"],
          [3, "3\n"],
        ],
      );
    },
  ],
  "parallel-writes-erofs": [
    "With parallel: true, a step's write fails with EROFS; nothing is committed.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const before = await sb.version();
      const r = await sb.batch({
        steps: [{ script: "echo x > /x.txt" }, { script: "echo fine" }],
        parallel: true,
      });
      assert.notEqual(r.results[0]?.exitCode, 0);
      assert.match(r.results[0]?.stderr ?? "", erofs);
      assert.deepEqual(r.results[1]?.stdout, "fine\n");
      assert.deepEqual([r.commit.status, r.commit.version], ["unchanged", before]);
      assert.equal(await sb.exists("/x.txt"), false);
    },
  ],
  "parallel-reads-snapshot": [
    "With parallel: true, every step reads the sandbox's files.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: [{ path: "/in.txt", content: "shared\n" }] });
      const r = await sb.batch({
        steps: Array.from({ length: 8 }, () => ({ script: "cat /in.txt" })),
        parallel: true,
      });
      assert.deepEqual(
        r.results.map((s) => s.stdout),
        Array(8).fill("shared\n"),
      );
    },
  ],
  "output-cap-per-step": [
    "maxOutputBytes applies to each step's output, with its own truncated flags.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const r = await sb.batch({
        steps: [{ script: "echo 0123456789" }, { script: "echo ab" }],
        maxOutputBytes: 4,
      });
      assert.deepEqual(
        r.results.map((s) => [s.stdout, s.truncated.stdout]),
        [
          ["0123", true],
          ["ab\n", false],
        ],
      );
    },
  ],
  "timeout-408-commits-nothing": [
    "A batch that runs past timeoutMs is 408 timeout and commits none of its steps.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const before = await sb.version();
      const res = await sb.batchRaw({
        steps: [{ script: "echo a > /a.txt" }, { script: "while true; do :; done" }],
        timeoutMs: 300,
      });
      expectProblem(res, 408, "timeout");
      assert.equal(await sb.exists("/a.txt"), false);
      assert.equal(await sb.version(), before);
      assert.equal((await sb.batch({ steps: [{ script: "echo ok" }] })).results[0]?.stdout, "ok\n");
    },
  ],
  "parallel-timeout-408": [
    "A parallel batch with a step past timeoutMs is 408 timeout.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const res = await sb.batchRaw({
        steps: [{ script: "echo quick" }, { script: "while true; do :; done" }],
        parallel: true,
        timeoutMs: 300,
      });
      expectProblem(res, 408, "timeout");
    },
  ],
  "empty-steps-400": [
    "steps: [] (minItems 1) is 400 invalid_request.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      expectProblem(await sb.batchRaw({ steps: [] }), 400, "invalid_request");
    },
  ],
  "unknown-step-property-400": [
    "A step with an unknown property (timeoutMs belongs to the batch) is 400 invalid_request.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const res = await sb.request("POST", "/exec/batch", {
        body: { steps: [{ script: "true", timeoutMs: 5 }] },
      });
      expectProblem(res, 400, "invalid_request");
    },
  ],
});
