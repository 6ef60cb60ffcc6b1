import { Bash, InMemoryFs } from "just-bash";
import { pythonCommands } from "/work/wt/warmpy/packages/core/dist/python/python-command.js";
import { pythonEngine } from "/work/wt/warmpy/packages/core/dist/python/python-engine.js";
const bash = new Bash({ fs: new InMemoryFs(), customCommands: pythonCommands(), cwd: "/" });
const gap = Number(process.argv[2] ?? 0);
const out = [];
for (let i = 0; i < 15; i++) {
  if (gap) await new Promise((r) => setTimeout(r, gap));
  const eng = pythonEngine();
  const t = performance.now();
  const r = await bash.exec("python3 -c 'print(1)'");
  out.push((performance.now() - t).toFixed(0));
}
console.log(gap, out.join(" "));
process.exit(0);
