/** Cases for execScript (POST /v1/sandboxes/{id}/exec): output, exit codes, cwd, env and stdin. */
import { defineCases } from "../../case.js";
import { assert, expectBytes } from "../../harness/assert.js";

export default defineCases("exec", "exec-script", {
  echo: [
    "`echo hi` gives exitCode 0, stdout `hi\\n`, empty stderr.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const r = await sb.exec("echo hi");
      assert.deepEqual([r.exitCode, r.stdout, r.stderr], [0, "hi\n", ""]);
    },
  ],
  "nonzero-exit-200": [
    "`exit 3` is a 200 whose exitCode is 3.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      assert.equal((await sb.exec("exit 3")).exitCode, 3);
    },
  ],
  "failed-command-nonzero": [
    "A failing command (`ls /missing`) gives a nonzero exitCode and a message on stderr.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const r = await sb.exec("ls /missing");
      assert.notEqual(r.exitCode, 0);
      assert.notEqual(r.stderr, "");
    },
  ],
  "stderr-captured": [
    "Output sent to fd 2 is in stderr, not stdout.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const r = await sb.exec("echo oops >&2");
      assert.deepEqual([r.stdout, r.stderr], ["", "oops\n"]);
    },
  ],
  "utf8-stdout": [
    "Non-ASCII UTF-8 output comes back as the same text.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const r = await sb.exec("echo 'héllo 世界 😀'");
      assert.equal(r.stdout, "héllo 世界 😀\n");
    },
  ],
  "binary-pipeline-to-file-byte-exact": [
    "Bytes 0–255 piped through a script into a file arrive byte-exactly (read back over the file API).",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const all = Uint8Array.from({ length: 256 }, (_, i) => i);
      await sb.write("/all.bin", all);
      const r = await sb.exec("cat /all.bin | head -c 256 > /copy.bin");
      assert.equal(r.exitCode, 0, r.stderr);
      expectBytes(await sb.read("/copy.bin"), all, "/copy.bin");
    },
  ],
  "binary-stdout-via-base64": [
    "`base64` of a binary file gives text stdout that decodes to the exact bytes.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const all = Uint8Array.from({ length: 256 }, (_, i) => i);
      await sb.write("/all.bin", all);
      const r = await sb.exec("base64 /all.bin");
      expectBytes(Buffer.from(r.stdout, "base64"), all, "decoded stdout");
    },
  ],
  stdin: [
    "The stdin option is the script's standard input.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const r = await sb.exec({ script: "cat", stdin: "from stdin\nline 2\n" });
      assert.equal(r.stdout, "from stdin\nline 2\n");
    },
  ],
  "no-stdin-is-empty": [
    "Without stdin, `cat` reads an empty input and ends (it does not hang).",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const r = await sb.exec({ script: "cat; echo done", timeoutMs: 5000 });
      assert.deepEqual([r.exitCode, r.stdout], [0, "done\n"]);
    },
  ],
  "default-cwd-home": [
    "Without cwd, the script of a new sandbox starts in its home, /home/user.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      assert.equal((await sb.exec("pwd")).stdout, "/home/user\n");
    },
  ],
  "cwd-sets-pwd": [
    "The cwd option sets the working directory (created if missing).",
    async (ctx) => {
      const sb = await ctx.sandbox();
      assert.equal((await sb.exec({ script: "pwd", cwd: "/work/dir" })).stdout, "/work/dir\n");
    },
  ],
  "cwd-relative-writes": [
    "A relative path in the script resolves against cwd.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.mkdir("/w");
      await sb.exec({ script: "echo rel > rel.txt", cwd: "/w" });
      assert.equal(await sb.readText("/w/rel.txt"), "rel\n");
    },
  ],
  "env-option": [
    "Variables in the env option are set for the script.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const r = await sb.exec({ script: 'echo "$GREETING"', env: { GREETING: "hello there" } });
      assert.equal(r.stdout, "hello there\n");
    },
  ],
  "sandbox-env": [
    "The sandbox's env is set for every script.",
    async (ctx) => {
      const sb = await ctx.sandbox({ env: { FROM_SANDBOX: "yes" } });
      assert.equal((await sb.exec('echo "$FROM_SANDBOX"')).stdout, "yes\n");
    },
  ],
  "env-option-overrides-sandbox-env": [
    "A variable in the env option wins over the sandbox's value for that run.",
    async (ctx) => {
      const sb = await ctx.sandbox({ env: { WHO: "sandbox" } });
      assert.equal(
        (await sb.exec({ script: 'echo "$WHO"', env: { WHO: "request" } })).stdout,
        "request\n",
      );
    },
  ],
  "env-option-not-persisted": [
    "The env option of one run is not seen by the next run.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.exec({ script: "true", env: { ONCE: "1" } });
      // biome-ignore lint/suspicious/noTemplateCurlyInString: bash parameter expansion
      assert.equal((await sb.exec('echo "${ONCE-unset}"')).stdout, "unset\n");
    },
  ],
  "exported-variable-not-persisted": [
    "A variable exported by one script is not set in the next.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.exec("export LEAK=1");
      // biome-ignore lint/suspicious/noTemplateCurlyInString: bash parameter expansion
      assert.equal((await sb.exec('echo "${LEAK-unset}"')).stdout, "unset\n");
    },
  ],
});
