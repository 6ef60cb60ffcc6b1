import { Bash, InMemoryFs } from "just-bash";
import { pythonCommands } from "/work/wt/warmpy/packages/core/dist/python/python-command.js";
const bash = new Bash({ fs: new InMemoryFs(), customCommands: pythonCommands(), cwd: "/" });
for (const s of [`python3 -c 'print("a", end="")'`, `python3 -c 'import sys; sys.stdout.write("b")'`, `python3 -c 'import atexit; atexit.register(lambda: print("bye")); print("hi")'`, `python3 -c 'raise SystemExit("msg")'`, `python3 -c 'raise KeyboardInterrupt'`, `python3 -c 'import sys; sys.exit(7)'`, `python3 -c 'print(globals().keys())'`, `python3 -c 'import os; os._exit(4)'`]) {
  const r = await bash.exec(s);
  console.log(s, JSON.stringify(r.stdout), JSON.stringify(r.stderr.slice(-200)), r.exitCode);
}
process.exit(0);
