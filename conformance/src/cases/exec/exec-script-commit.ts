/** Cases for execScript's commit: what a script's writes do to the sandbox, per commit mode. */
import type { ExecResult } from "@cairn/spec";
import { defineCases } from "../../case.js";
import { assert, expectBytes, expectStatus } from "../../harness/assert.js";
import { allBytes, retryConflicts, rootWith } from "../support.js";

export default defineCases("exec", "exec-script", {
  "writes-visible-to-file-api": [
    "A file a script writes can be read through the file API.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.exec("echo hello > /out.txt");
      assert.equal(await sb.readText("/out.txt"), "hello\n");
    },
  ],
  "pipeline-reads-and-writes": [
    "`cat /in.txt | tr a-z A-Z > /out.txt; wc -l < /out.txt` works on API files and its write is visible.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/in.txt", "hello\nworld\n");
      const r = await sb.exec("cat /in.txt | tr a-z A-Z > /out.txt; wc -l < /out.txt");
      assert.equal(r.stdout.trim(), "2");
      assert.equal(await sb.readText("/out.txt"), "HELLO\nWORLD\n");
    },
  ],
  "api-writes-visible": [
    "A file written through the API is seen by a script.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/data/in.txt", "from the api");
      assert.equal((await sb.exec("cat /data/in.txt")).stdout, "from the api");
    },
  ],
  "binary-file-size-seen-by-script": [
    "A script sees a binary API file's exact size (`wc -c`).",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const bytes = allBytes();
      await sb.write("/bin.dat", bytes);
      assert.equal((await sb.exec("wc -c < /bin.dat")).stdout.trim(), String(bytes.byteLength));
    },
  ],
  "binary-copy-in-script-byte-exact": [
    "`cp` of a binary file in a script gives a byte-exact copy through the API.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const bytes = allBytes();
      await sb.write("/bin.dat", bytes);
      await sb.exec("cp /bin.dat /copy.dat");
      expectBytes(await sb.read("/copy.dat"), bytes, "/copy.dat");
    },
  ],
  "default-commit-committed": [
    "By default a script's writes are committed: status committed at a higher version.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const before = await sb.version();
      const { commit } = await sb.exec("echo x > /f.txt");
      assert.equal(commit.status, "committed");
      assert.ok(commit.version > before, `${commit.version} > ${before}`);
    },
  ],
  "default-commit-nonzero-exit-committed": [
    "With the default commit (always), writes of a script that exits 1 are committed.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const r = await sb.exec("echo x > /f.txt; exit 1");
      assert.deepEqual([r.exitCode, r.commit.status], [1, "committed"]);
      assert.equal(await sb.readText("/f.txt"), "x\n");
    },
  ],
  "on-success-exit-0-committed": [
    "commit: on_success commits the writes of a script that exits 0.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const r = await sb.exec({ script: "echo ok > /ok.txt", commit: "on_success" });
      assert.equal(r.commit.status, "committed");
      assert.equal(await sb.readText("/ok.txt"), "ok\n");
    },
  ],
  "on-success-failure-discarded": [
    "commit: on_success with a script that writes then exits 1 is discarded; no file exists.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const script = "mkdir -p /new && echo a > /new/a.txt && echo b > /b.txt; exit 1";
      const r = await sb.exec({ script, commit: "on_success" });
      assert.deepEqual([r.exitCode, r.commit.status], [1, "discarded"]);
      for (const p of ["/new", "/new/a.txt", "/b.txt"]) {
        assert.equal(await sb.exists(p), false, `${p} must not exist`);
      }
    },
  ],
  "on-success-failure-version-unchanged": [
    "A discarded run leaves the sandbox version where it was, and says so.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const before = await sb.version();
      const r = await sb.exec({ script: "echo b > /b.txt; exit 1", commit: "on_success" });
      assert.equal(r.commit.version, before);
      assert.equal(await sb.version(), before);
    },
  ],
  "on-success-failure-keeps-old-content": [
    "A discarded run does not change a file it overwrote.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/keep.txt", "original");
      await sb.exec({
        script: "echo changed > /keep.txt; rm -f /other; exit 2",
        commit: "on_success",
      });
      assert.equal(await sb.readText("/keep.txt"), "original");
    },
  ],
  "never-discarded": [
    "commit: never runs the script but persists nothing (status discarded).",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const before = await sb.version();
      const r = await sb.exec({ script: "echo x > /dry.txt; mkdir /dir", commit: "never" });
      assert.deepEqual([r.exitCode, r.commit.status, r.commit.version], [0, "discarded", before]);
      assert.deepEqual([await sb.exists("/dry.txt"), await sb.exists("/dir")], [false, false]);
      assert.equal(await sb.version(), before);
    },
  ],
  "never-sees-own-writes": [
    "Within a commit: never run, the script reads back what it wrote.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const r = await sb.exec({ script: "echo draft > /d.txt; cat /d.txt", commit: "never" });
      assert.equal(r.stdout, "draft\n");
    },
  ],
  "no-changes-unchanged": [
    "A script that writes nothing reports status unchanged at the current version.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/a.txt", "a");
      const before = await sb.version();
      const r = await sb.exec("cat /a.txt > /dev/null; echo hi");
      assert.deepEqual([r.commit.status, r.commit.version], ["unchanged", before]);
      assert.equal(await sb.version(), before);
    },
  ],
  "commit-version-matches-sandbox": [
    "result.commit.version equals the sandbox's version from GET afterwards.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const r = await sb.exec("echo 1 > /one; echo 2 > /two");
      assert.equal(await sb.version(), r.commit.version);
    },
  ],
  "one-commit-per-run": [
    "A script writing many files commits them as one version step after the version before it.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const before = await sb.version();
      const r = await sb.exec("for i in 1 2 3 4 5 6 7 8 9 10; do echo $i > /f$i; done");
      assert.equal(r.commit.status, "committed");
      const { version: next } = await sb.write("/after", "x");
      assert.ok(r.commit.version > before && next > r.commit.version, "versions must increase");
      assert.deepEqual(
        await sb.names("/"),
        rootWith("after", ...Array.from({ length: 10 }, (_, i) => `f${i + 1}`)),
      );
    },
  ],
  "deletes-committed": [
    "A file a script removes is gone through the API.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/gone.txt", "x");
      await sb.exec("rm /gone.txt");
      assert.equal(await sb.exists("/gone.txt"), false);
    },
  ],
  "mkdir-committed": [
    "Directories a script creates are directories through the API.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.exec("mkdir -p /x/y/z");
      assert.equal((await sb.stat("/x/y/z")).type, "directory");
    },
  ],
  "mv-committed": [
    "A directory a script moves is moved through the API, children included.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/src/a/b.txt", "b");
      await sb.exec("mv /src /dst");
      assert.deepEqual([await sb.exists("/src"), await sb.readText("/dst/a/b.txt")], [false, "b"]);
    },
  ],
  "dev-null-leaves-no-file": [
    "`> /dev/null` discards output and creates no file /dev/null.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const r = await sb.exec("echo discarded > /dev/null");
      assert.deepEqual([r.exitCode, r.stdout], [0, ""]);
      assert.equal(await sb.exists("/dev/null"), false);
    },
  ],
  "dev-null-changes-nothing": [
    "A script that only writes to /dev/null reports status unchanged.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      assert.equal((await sb.exec("echo discarded > /dev/null")).commit.status, "unchanged");
    },
  ],
  "append-across-runs": [
    "`>>` in two runs appends both lines.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.exec("echo one >> /log");
      await sb.exec("echo two >> /log");
      assert.equal(await sb.readText("/log"), "one\ntwo\n");
    },
  ],
  "concurrent-appends-all-survive": [
    "Eight concurrent `echo N >> /log` runs all survive (a 409 conflict must be retryable).",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/log", "");
      const runs = Array.from({ length: 8 }, (_, i) =>
        retryConflicts(() => sb.execRaw({ script: `echo ${i} >> /log` })),
      );
      for (const res of await Promise.all(runs)) {
        expectStatus(res, 200);
        assert.equal(res.json<ExecResult>().commit.status, "committed");
      }
      const lines = (await sb.readText("/log")).split("\n").filter(Boolean);
      assert.deepEqual([...lines].sort(), ["0", "1", "2", "3", "4", "5", "6", "7"]);
    },
  ],
  "concurrent-api-write-not-lost": [
    "An API write racing a script that writes another file is never lost, and both persist.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/base", "base");
      const [execRes, writeRes] = await Promise.all([
        retryConflicts(() =>
          sb.execRaw({ script: "for i in 1 2 3 4 5 6 7 8; do :; done; echo s > /from-script" }),
        ),
        retryConflicts(() => sb.writeRaw("/from-api", "a")),
      ]);
      expectStatus(execRes, 200);
      expectStatus(writeRes, 201);
      assert.equal(await sb.readText("/from-api"), "a");
      assert.equal(await sb.readText("/from-script"), "s\n");
    },
  ],
});
