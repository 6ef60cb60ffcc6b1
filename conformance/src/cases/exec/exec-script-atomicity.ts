/**
 * Cases for execScript as a transaction: all of a script's writes commit in one step or none do
 * (commit reasons, timeouts), and concurrent runs neither lose writes nor see partial ones.
 */
import type { ExecResult } from "@cairn/spec";
import { defineCases } from "../../case.js";
import { assert, expectProblem, expectStatus } from "../../harness/assert.js";
import { retryConflicts, rootWith, sleep } from "../support.js";

const spin = "while true; do :; done";

export default defineCases("exec", "exec-script", {
  "on-success-failure-discards-every-write": [
    "commit: on_success with a script that writes 3 files then exits 1: none is visible, commit is discarded for reason nonzero_exit at the old version.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/seed.txt", "seed");
      const before = await sb.version();
      const r = await sb.exec({
        script:
          "echo 1 > /one.txt; echo 2 > /two.txt; mkdir -p /d && echo 3 > /d/three.txt; exit 1",
        commit: "on_success",
      });
      assert.equal(r.exitCode, 1);
      assert.deepEqual(r.commit, { status: "discarded", version: before, reason: "nonzero_exit" });
      for (const p of ["/one.txt", "/two.txt", "/d", "/d/three.txt"]) {
        assert.equal(await sb.exists(p), false, `${p} must not exist`);
      }
      assert.equal(await sb.version(), before);
      assert.deepEqual(await sb.names("/"), rootWith("seed.txt"));
    },
  ],
  "never-reason-commit-never": [
    "commit: never with a script that writes is discarded for reason commit_never.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const before = await sb.version();
      const r = await sb.exec({ script: "echo x > /x.txt", commit: "never" });
      assert.deepEqual(r.commit, { status: "discarded", version: before, reason: "commit_never" });
    },
  ],
  "on-success-failure-without-writes-unchanged": [
    "commit: on_success with a script that writes nothing and exits 1 is unchanged, not discarded.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const before = await sb.version();
      const r = await sb.exec({ script: "echo out; exit 1", commit: "on_success" });
      assert.deepEqual([r.commit.status, r.commit.version], ["unchanged", before]);
    },
  ],
  "timeout-discards-earlier-writes-and-stays-usable": [
    "A script that writes then spins past timeoutMs is 408 timeout; its write is not visible, the version is unchanged, and the next exec commits.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const before = await sb.version();
      const res = await sb.execRaw({
        script: `echo early > /early.txt; mkdir /dir; ${spin}`,
        timeoutMs: 300,
      });
      expectProblem(res, 408, "timeout");
      assert.deepEqual([await sb.exists("/early.txt"), await sb.exists("/dir")], [false, false]);
      assert.equal(await sb.version(), before);
      const next = await sb.exec("echo later > /later.txt; cat /later.txt");
      assert.deepEqual(
        [next.exitCode, next.stdout, next.commit.status],
        [0, "later\n", "committed"],
      );
      assert.equal(await sb.readText("/later.txt"), "later\n");
    },
  ],
  "hundred-concurrent-appends-exact-lines": [
    "100 concurrent `echo x >> /f` runs leave /f with exactly 100 lines (a 409 conflict must be retryable).",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const runs = Array.from({ length: 100 }, () =>
        retryConflicts(() => sb.execRaw({ script: "echo x >> /f" }), 50),
      );
      for (const res of await Promise.all(runs)) {
        expectStatus(res, 200);
        const r = res.json<ExecResult>();
        assert.deepEqual([r.exitCode, r.commit.status], [0, "committed"], r.stderr);
      }
      assert.equal(await sb.readText("/f"), "x\n".repeat(100));
    },
  ],
  "readers-beside-writer-see-consistent-snapshots": [
    "50 read-only execs racing a writer that rewrites /a and /b to the same new value all succeed and never see /a and /b differ; the writer's runs all commit.",
    async (ctx) => {
      const sb = await ctx.sandbox({
        files: [
          { path: "/a", content: "0" },
          { path: "/b", content: "0" },
        ],
      });
      const rounds = 8;
      let writing = true;
      const writer = (async () => {
        const commits: ExecResult["commit"][] = [];
        try {
          for (let i = 0; i < rounds; i++) {
            const res = await retryConflicts(() =>
              sb.execRaw({
                script:
                  'n=$(( $(cat /a) + 1 )); printf %s "$n" > /a; sleep 0.02; printf %s "$n" > /b',
              }),
            );
            expectStatus(res, 200);
            commits.push(res.json<ExecResult>().commit);
          }
        } finally {
          writing = false;
        }
        return commits;
      })();
      // Awaited below; until then a failure must not be an unhandled rejection (it would take
      // down a CLI run instead of failing this case).
      writer.catch(() => {});
      const readers: Promise<ExecResult>[] = [];
      for (let wave = 0; wave < 5; wave++) {
        for (let i = 0; i < 10; i++) {
          const read = sb.exec({
            script: 'printf "%s %s" "$(cat /a)" "$(cat /b)"',
            readOnly: true,
          });
          read.catch(() => {});
          readers.push(read);
        }
        if (writing) await sleep(20);
      }
      const [commits, reads] = await Promise.all([writer, Promise.all(readers)]);
      for (const r of reads) {
        assert.equal(r.exitCode, 0, r.stderr);
        assert.equal(r.commit.status, "unchanged");
        const [a, b] = r.stdout.split(" ");
        assert.ok(a !== undefined && a !== "" && a === b, `a reader saw /a /b = ${r.stdout}`);
      }
      assert.deepEqual(
        commits.map((c) => c.status),
        Array(rounds).fill("committed"),
      );
      assert.deepEqual([await sb.readText("/a"), await sb.readText("/b")], ["8", "8"]);
    },
  ],
  "dev-null-creates-no-dev-entry": [
    "`echo hi > /dev/null` creates neither /dev/null nor a /dev entry, and commits nothing.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const before = await sb.version();
      const r = await sb.exec("echo hi > /dev/null");
      assert.deepEqual([r.exitCode, r.stdout, r.commit.status], [0, "", "unchanged"]);
      const dev = await sb.statRaw("/dev");
      if (dev.status === 200) {
        assert.ok(!(await sb.names("/dev")).includes("null"), "/dev lists null");
      } else {
        expectProblem(dev, 404, "ENOENT");
      }
      assert.equal(await sb.exists("/dev/null"), false);
      assert.equal(await sb.version(), before);
    },
  ],
});
