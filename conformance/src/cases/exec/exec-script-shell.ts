/**
 * Cases for execScript in a sandbox with persistShell: the working directory and exported
 * variables carry from one exec to the next (saved with the commit), like a terminal.
 */
import { defineCases } from "../../case.js";
import { assert } from "../../harness/assert.js";
import { HOME } from "../support.js";

const setup = "mkdir -p /w && cd /w && export A=1";
// biome-ignore lint/suspicious/noTemplateCurlyInString: bash parameter expansion
const show = 'pwd; echo "${A-unset}"';

export default defineCases("exec", "exec-script", {
  "persist-shell-keeps-cwd-and-exports": [
    "With persistShell, `cd /w && export A=1` in one exec makes the next print /w and 1.",
    async (ctx) => {
      const sb = await ctx.sandbox({ persistShell: true });
      assert.equal((await sb.exec(setup)).exitCode, 0);
      assert.equal((await sb.exec(show)).stdout, "/w\n1\n");
    },
  ],
  "persist-shell-state-in-sandbox": [
    "With persistShell, shell is null before the first exec, then GET shows the saved cwd and exported variables.",
    async (ctx) => {
      const sb = await ctx.sandbox({ persistShell: true });
      assert.equal(sb.created.persistShell, true);
      assert.equal(sb.created.shell, null);
      const r = await sb.exec(setup);
      const got = await sb.get();
      assert.equal(got.shell?.cwd, "/w");
      assert.equal(got.shell?.env.A, "1");
      assert.equal(got.version, r.commit.version);
    },
  ],
  "persist-shell-off-by-default": [
    "Without persistShell, a `cd` in one exec is forgotten: the next exec starts in the home directory.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      assert.equal(sb.created.persistShell, false);
      await sb.exec(setup);
      assert.equal((await sb.exec(show)).stdout, `${HOME}\nunset\n`);
    },
  ],
  "persist-shell-unexported-not-kept": [
    "With persistShell, a variable that is set but not exported is not kept.",
    async (ctx) => {
      const sb = await ctx.sandbox({ persistShell: true });
      await sb.exec("B=2; export C=3");
      // biome-ignore lint/suspicious/noTemplateCurlyInString: bash parameter expansion
      assert.equal((await sb.exec('echo "${B-unset} ${C-unset}"')).stdout, "unset 3\n");
    },
  ],
  "persist-shell-exit-not-saved": [
    "With persistShell, an exec that ends with `exit` does not save its cwd or variables.",
    async (ctx) => {
      const sb = await ctx.sandbox({ persistShell: true });
      await sb.exec(setup);
      const r = await sb.exec("mkdir -p /other && cd /other && export A=2; exit 0");
      assert.equal(r.exitCode, 0);
      assert.equal((await sb.exec(show)).stdout, "/w\n1\n");
    },
  ],
  "persist-shell-discarded-not-saved": [
    "With persistShell, an on_success exec that exits 1 saves neither its files nor its cwd.",
    async (ctx) => {
      const sb = await ctx.sandbox({ persistShell: true });
      await sb.exec(setup);
      const r = await sb.exec({ script: "cd / && export A=2 && false", commit: "on_success" });
      assert.equal(r.commit.status, "discarded");
      assert.equal((await sb.exec(show)).stdout, "/w\n1\n");
    },
  ],
  "persist-shell-timeout-not-saved": [
    "With persistShell, a timed-out exec does not save its cwd.",
    async (ctx) => {
      const sb = await ctx.sandbox({ persistShell: true });
      await sb.exec(setup);
      await sb.execRaw({ script: "cd / && export A=2; while true; do :; done", timeoutMs: 300 });
      assert.equal((await sb.exec(show)).stdout, "/w\n1\n");
    },
  ],
  "persist-shell-read-only-not-saved": [
    "With persistShell, a readOnly exec does not save its cwd or variables.",
    async (ctx) => {
      const sb = await ctx.sandbox({ persistShell: true });
      await sb.exec(setup);
      const before = await sb.version();
      const r = await sb.exec({ script: "cd / && export A=2", readOnly: true });
      assert.equal(r.commit.status, "unchanged");
      assert.equal((await sb.exec(show)).stdout, "/w\n1\n");
      assert.equal(await sb.version(), before);
    },
  ],
  "persist-shell-cwd-option-wins": [
    "With persistShell, an exec's cwd option wins over the saved working directory.",
    async (ctx) => {
      const sb = await ctx.sandbox({ persistShell: true });
      await sb.exec(setup);
      assert.equal((await sb.exec({ script: "pwd", cwd: "/elsewhere" })).stdout, "/elsewhere\n");
    },
  ],
  "persist-shell-sees-sandbox-env": [
    "With persistShell, the first exec sees the sandbox's env and the saved state keeps it.",
    async (ctx) => {
      const sb = await ctx.sandbox({ persistShell: true, env: { FROM_SANDBOX: "yes" } });
      await sb.exec("cd / && export X=1");
      assert.equal((await sb.exec('echo "$FROM_SANDBOX $X"')).stdout, "yes 1\n");
    },
  ],
  "persist-shell-unchanged-run-commits-nothing": [
    "With persistShell, an exec that changes neither files nor shell state is unchanged.",
    async (ctx) => {
      const sb = await ctx.sandbox({ persistShell: true });
      await sb.exec(setup);
      const before = await sb.version();
      const r = await sb.exec("echo $A");
      assert.deepEqual([r.stdout, r.commit.status, r.commit.version], ["1\n", "unchanged", before]);
    },
  ],
});
