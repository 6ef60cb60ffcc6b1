/**
 * Cases for the machine a script sees: a home it starts in, /tmp, the usual
 * login variables, every command as an executable in a read-only /bin and
 * /usr/bin that is never stored, and a clear answer for a runtime that is off.
 */
import { defineCases } from "../../case.js";
import { assert } from "../../harness/assert.js";
import { HOME, rootWith } from "../support.js";

export default defineCases("exec", "exec-script", {
  "machine-home-tmp-and-variables": [
    "A new sandbox's script starts in /home/user with HOME, USER, SHELL and PATH set, and /tmp is a directory.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const r = await sb.exec(
        'pwd; echo "$HOME $USER $SHELL $PATH"; [ -d /tmp ] && [ -d ~ ] && echo dirs; cd && pwd',
      );
      assert.deepEqual(
        [r.exitCode, r.stdout, r.stderr],
        [0, `${HOME}\n${HOME} user /bin/bash /usr/bin:/bin\ndirs\n${HOME}\n`, ""],
      );
    },
  ],
  "machine-relative-writes-land-in-home": [
    "`echo x > notes.txt` in a new sandbox's first script writes /home/user/notes.txt.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.exec("echo x > notes.txt");
      assert.equal(await sb.readText(`${HOME}/notes.txt`), "x\n");
    },
  ],
  "machine-commands-in-bin": [
    "Commands are executables in /bin and /usr/bin: ls /bin, which, command -v, type and /bin/echo all find them.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const r = await sb.exec(
        "ls /bin | grep -x grep; ls /usr/bin | grep -x sed; which grep; command -v sed; type ls; " +
          "/bin/echo hi; /usr/bin/printf 'x\\n'; [ -x /bin/cat ] && [ -f /usr/bin/cat ] && echo executable",
      );
      assert.deepEqual(
        [r.exitCode, r.stdout, r.stderr],
        [0, "grep\nsed\n/usr/bin/grep\n/usr/bin/sed\nls is /usr/bin/ls\nhi\nx\nexecutable\n", ""],
      );
    },
  ],
  "machine-unknown-command-127": [
    "A command that does not exist is 127, `command not found`, and `which` finds nothing.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const r = await sb.exec("nosuchcmd; echo $?; which nosuchcmd; echo $?");
      assert.equal(r.stdout, "127\n1\n");
      assert.match(r.stderr, /nosuchcmd: command not found/);
    },
  ],
  "machine-bin-read-only": [
    "Writing, removing or renaming under /bin or /usr/bin fails and changes nothing; the commands still run.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const before = await sb.version();
      const r = await sb.exec(
        "touch /bin/x; echo $?; rm /usr/bin/ls; echo $?; mv /bin/cat /bin/dog; echo $?; " +
          "chmod 644 /bin/sed; echo $?; echo hi > /usr/bin/grep; echo $?; ls /bin/ls",
      );
      assert.equal(r.stdout, "1\n1\n1\n1\n1\n/bin/ls\n");
      assert.match(r.stderr, /read-only/);
      assert.equal(r.commit.status, "unchanged");
      assert.equal(await sb.version(), before);
    },
  ],
  "machine-bin-not-stored": [
    "/bin and /usr are seen by scripts only: the file API's root listing has the home and /tmp, not bin or usr.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const r = await sb.exec("ls /");
      assert.equal(r.stdout, "bin\nhome\ntmp\nusr\n");
      assert.deepEqual(await sb.names("/"), rootWith());
      assert.equal(await sb.exists("/bin"), false);
    },
  ],
  "machine-usr-stays-writable": [
    "A script can still make /usr/local and write there; /usr then lists both bin and local.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const r = await sb.exec("mkdir -p /usr/local/bin && echo x > /usr/local/bin/tool && ls /usr");
      assert.deepEqual([r.exitCode, r.stdout], [0, "bin\nlocal\n"]);
      assert.equal(await sb.readText("/usr/local/bin/tool"), "x\n");
      assert.deepEqual(await sb.names("/usr"), ["local"]);
    },
  ],
  "machine-runtime-off-says-how": [
    "With python3 off, `python3` exits 127 saying the runtime is off and how to turn it on; `which python3` finds nothing.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const r = await sb.exec("python3 -c 'print(1)'; echo $?; which python3; echo $?");
      assert.equal(r.stdout, "127\n1\n");
      assert.match(r.stderr, /python3: the python3 runtime is off in this sandbox/);
      assert.match(r.stderr, /runtimes: \["python3"\]/);
      assert.doesNotMatch(r.stderr, /browser/);
    },
  ],
  "machine-runtime-on-listed": [
    "With runtimes: [python3], python3 is in /usr/bin.",
    async (ctx) => {
      const sb = await ctx.sandbox({ runtimes: ["python3"] });
      const r = await sb.exec("which python3; ls /bin | grep -x python3");
      assert.equal(r.stdout, "/usr/bin/python3\npython3\n");
    },
  ],
});
