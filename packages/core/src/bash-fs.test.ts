/** CairnBashFs under the real just-bash: file identity, as commands that compare files need it. */
import { Bash } from "just-bash";
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
