/** Cairn's warm python3 answers as just-bash's own python3 does, on the same files. */
import { Bash, InMemoryFs } from "just-bash";
import { describe, expect, it } from "vitest";
import { pythonCommands } from "./python-command.js";

const SCRIPTS = [
  "python3 -c 'print(1)'",
  "python3 --version",
  "python3 --help",
  "python3 -h",
  "python3 -c 'import sys; print(sys.argv); sys.exit(3)' a 'b c'",
  `echo hi | python3 -c 'import sys; print(sys.stdin.read().upper())'`,
  `python3 -c 'raise ValueError("bad")'`,
  `python3 -c 'print("no newline", end="")'`,
  `X=5 python3 -c 'import os; print(os.environ.get("X"))'`,
  `cd /data && python3 -c 'import os; print(sorted(os.listdir(".")), os.path.exists("/data/in.txt"))'`,
  `python3 -c 'open("/data/out.txt", "w").write(open("/data/in.txt").read() * 2)'; cat /data/out.txt`,
  `python3 -c 'import os; os.makedirs("/new/deep"); open("/new/deep/f", "w").write("x")'; ls -R /new`,
  "printf 'print(6 * 7)\\n' > /s.py && python3 /s.py",
  "python3 /missing.py",
  "python3 -m json.tool /data/j.json",
  "python3 -x",
  `python3 -c 'import json; print(json.dumps({"a": [1, 2]}))' | cat`,
  // No network: a socket cannot reach the host's (port 9 on loopback, discard).
  `python3 -c 'import socket; socket.create_connection(("127.0.0.1", 9), timeout=1)'`,
  `python3 -c 'import os; print(os.system("echo hi"))'`,
];

async function seeded(): Promise<InMemoryFs> {
  const fs = new InMemoryFs();
  await fs.mkdir("/data", { recursive: true });
  await fs.writeFile("/data/in.txt", "21");
  await fs.writeFile("/data/j.json", '{"b": 1}');
  return fs;
}

describe("python3 against just-bash's own", () => {
  it("gives the same stdout, stderr and exit code", async () => {
    const theirs = new Bash({ fs: await seeded(), python: true, cwd: "/" });
    const ours = new Bash({ fs: await seeded(), customCommands: pythonCommands(), cwd: "/" });
    for (const script of SCRIPTS) {
      const want = await theirs.exec(script);
      const got = await ours.exec(script);
      expect({ stdout: got.stdout, stderr: got.stderr, exitCode: got.exitCode }, script).toEqual({
        stdout: want.stdout,
        stderr: want.stderr,
        exitCode: want.exitCode,
      });
    }
  }, 120_000);
});
