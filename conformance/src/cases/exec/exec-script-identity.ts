/**
 * Cases for file identity in scripts: a hard link is the same file as its
 * source, so commands that compare files (`test -ef`, split, cp) behave as on
 * a real machine.
 */
import { defineCases } from "../../case.js";
import { assert } from "../../harness/assert.js";

export default defineCases("exec", "exec-script", {
  "identity-test-ef-hard-link": [
    "`[ a -ef b ]` is true for a hard link and a symlink to a, false for a copy.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const r = await sb.exec(
        "mkdir -p /w && cd /w && echo x > a && ln a b && ln -s a s && cp a c && " +
          "{ [ a -ef b ] && echo hard; [ a -ef s ] && echo sym; [ a -ef c ] || echo copy; }",
      );
      assert.deepEqual([r.exitCode, r.stdout, r.stderr], [0, "hard\nsym\ncopy\n", ""]);
    },
  ],
  "identity-kept-across-execs": [
    "A hard link made in one exec is still the same file as its source in the next.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.exec("mkdir -p /w && echo x > /w/a && ln /w/a /w/b");
      const r = await sb.exec("[ /w/a -ef /w/b ] && echo same; echo more >> /w/b; cat /w/a");
      assert.equal(r.stdout, "same\nx\nmore\n");
    },
  ],
  "identity-split-lines": [
    "`split -l 2 f` writes xaa, xab, xac, which stay after the exec.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const r = await sb.exec("mkdir -p /w && cd /w && seq 5 > f && split -l 2 f && cat xaa");
      assert.deepEqual([r.exitCode, r.stdout, r.stderr], [0, "1\n2\n", ""]);
      const after = await sb.exec("cd /w && ls && cat xac");
      assert.equal(after.stdout, "f\nxaa\nxab\nxac\n5\n");
    },
  ],
  "identity-cp-onto-hard-link": [
    "`cp a b` where b is a hard link to a fails with 'are the same file' and keeps the content.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const r = await sb.exec(
        "mkdir -p /w && cd /w && echo x > a && ln a b && cp a b; echo $?; cat b",
      );
      assert.equal(r.stdout, "1\nx\n");
      assert.match(r.stderr, /same file/);
    },
  ],
});
