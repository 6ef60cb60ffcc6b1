/** CairnBashFs under the real just-bash: file identity, as commands that compare files need it. */
import { Bash, getCommandNames } from "just-bash";
import { describe, expect, it } from "vitest";
import { CairnBashFs } from "./bash-fs.js";
import { scratchVfs } from "./test-support.js";

async function run(script: string) {
  const fs = new CairnBashFs(scratchVfs());
  const bash = new Bash({ fs, cwd: "/" });
  return bash.exec(script);
}

describe("file identity", () => {
  it("stat gives dev and ino, the same for hard links and different for copies", async () => {
    const fs = new CairnBashFs(scratchVfs());
    await fs.writeFile("/a", "x");
    await fs.link("/a", "/b");
    await fs.cp("/a", "/c");
    const [a, b, c] = [await fs.stat("/a"), await fs.stat("/b"), await fs.stat("/c")];
    expect(a.dev).toBeDefined();
    expect([b.dev, b.ino]).toEqual([a.dev, a.ino]);
    expect(c.ino).not.toEqual(a.ino);
  });

  it("test -ef is true for a hard link and a symlink, false for a copy", async () => {
    const r = await run(
      "echo x > a; ln a b; ln -s a s; cp a c; " +
        "[ a -ef b ] && echo hard; [ a -ef s ] && echo sym; [ a -ef c ] || echo copy",
    );
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("hard\nsym\ncopy\n");
  });

  it("split writes its pieces", async () => {
    const r = await run("printf '1\\n2\\n3\\n4\\n5\\n' > f && split -l 2 f && cat xaa; cat xac");
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("1\n2\n5\n");
    expect(r.exitCode).toBe(0);
  });

  it("split refuses to overwrite its input through a hard link", async () => {
    const r = await run("printf '1\\n2\\n3\\n' > f && ln f xaa && split -l 1 f; echo $?; cat f");
    expect(r.stdout).toBe("1\n1\n2\n3\n");
    expect(r.stderr).toMatch(/would overwrite input/);
  });

  it("/dev/null has an identity of its own", async () => {
    const r = await run(
      "echo x > a; [ /dev/null -ef /dev/null ] && echo same; [ a -ef /dev/null ] || echo other",
    );
    expect(r.stdout).toBe("same\nother\n");
  });
});

describe("command directories", () => {
  async function runWith(script: string, vfs = scratchVfs()) {
    const fs = new CairnBashFs(vfs, { commands: [...getCommandNames(), "__hidden"] });
    const bash = new Bash({ fs, cwd: "/" });
    return { result: await bash.exec(script), vfs };
  }

  it("lists each command as an executable stub in /bin and /usr/bin, hiding plumbing names", async () => {
    const { result } = await runWith(
      "ls /bin | grep -x cat; ls /usr/bin | wc -l; ls /bin | grep -c __; ls /; [ -x /bin/cat ] && echo x; cat /usr/bin/ls; [ -e /bin/__hidden ] && echo hidden",
    );
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe(
      `cat\n${getCommandNames().length}\n0\nbin\nusr\nx\n#!/bin/bash\n# Built-in command: ls\nhidden\n`,
    );
  });

  it("stores nothing and refuses every change under them", async () => {
    const { result, vfs } = await runWith(
      "touch /bin/x; rm /bin/ls; mv /bin/ls /ls2; ln -s /x /usr/bin/y; ln /bin/cat /c; chmod 600 /bin/ls; mkdir /bin/d; mkdir -p /usr/bin; echo ok",
    );
    expect(result.stdout).toBe("ok\n");
    expect(result.stderr.match(/read-only file system/g)?.length).toBe(5);
    expect(vfs.journal.changed).toBe(false);
  });

  it("copies a stub out as an ordinary file", async () => {
    const { result, vfs } = await runWith("cp /bin/echo /e && ls -l /e >/dev/null && cat /e");
    expect(result.stdout).toBe("#!/bin/bash\n# Built-in command: echo\n");
    expect(vfs.stat("/e", true).mode).toBe(0o755);
  });

  it("keeps a stored /usr and adds bin to its listing", async () => {
    const { result } = await runWith(
      "mkdir -p /usr/local && ls /usr && ls / && cd /usr/bin && pwd",
    );
    expect(result.stdout).toBe("bin\nlocal\nbin\nusr\n/usr/bin\n");
  });

  it("shadows a stored /bin: scripts see the commands", async () => {
    const vfs = scratchVfs();
    vfs.writeFile("/bin", new TextEncoder().encode("data"));
    const { result } = await runWith("ls /bin | grep -x cat; cat /bin", vfs);
    expect(result.stdout).toBe("cat\n");
    // As on InMemoryFs, cat of a directory fails (with just-bash's ENOENT wording).
    expect(result.stderr).toMatch(/^cat: \/bin: /);
  });

  it("makes hard links to one command the same file in both directories", async () => {
    const { result } = await runWith(
      "[ /bin/ls -ef /usr/bin/ls ] && echo same; [ /bin/ls -ef /bin/cat ] || echo other",
    );
    expect(result.stdout).toBe("same\nother\n");
  });
});
