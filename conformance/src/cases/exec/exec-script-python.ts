/**
 * Cases for python3 in scripts: each run starts from a clean interpreter
 * (nothing one run leaves in python reaches the next), and python's files are
 * the script's own, committed with it.
 */
import { defineCases } from "../../case.js";
import { assert } from "../../harness/assert.js";

const LEAVE = `python3 -c '
import builtins, json, os, sys
builtins.cairn_leak = 1
json.cairn_leak = 1
sys.modules["cairn_leak"] = json
os.environ["CAIRN_LEAK"] = "1"
fd = os.open("/tmp/cairn-leak", os.O_CREAT | os.O_WRONLY)
os.close(fd)
print("left")
'`;

const LOOK = `python3 -c '
import builtins, json, os, sys
print(hasattr(builtins, "cairn_leak"), hasattr(json, "cairn_leak"), "cairn_leak" in sys.modules,
      "CAIRN_LEAK" in os.environ, _orig_exists("/tmp/cairn-leak"))
'`;

export default defineCases("exec", "exec-script", {
  "python-runs-share-nothing": [
    "What one python3 run leaves in the interpreter (builtins, module attributes, sys.modules, env, its own /tmp) is gone in the next run, in the same sandbox and in another.",
    async (ctx) => {
      const first = await ctx.sandbox({ runtimes: ["python3"] });
      const second = await ctx.sandbox({ runtimes: ["python3"] });
      const left = await first.exec(LEAVE);
      assert.deepEqual([left.exitCode, left.stdout, left.stderr], [0, "left\n", ""]);
      for (const sb of [second, first]) {
        const r = await sb.exec(LOOK);
        assert.deepEqual(
          [r.exitCode, r.stdout, r.stderr],
          [0, "False False False False False\n", ""],
        );
      }
    },
  ],
  "python-files-are-the-scripts": [
    "python3 reads what the script wrote before it, and its writes are committed with the script.",
    async (ctx) => {
      const sb = await ctx.sandbox({ runtimes: ["python3"] });
      const r = await sb.exec(
        `echo 21 > /in.txt; python3 -c 'open("/out.txt", "w").write(str(int(open("/in.txt").read()) * 2))'; cat /out.txt`,
      );
      assert.deepEqual([r.exitCode, r.stdout, r.stderr], [0, "42", ""]);
      assert.equal(await sb.readText("/out.txt"), "42");
    },
  ],
});
