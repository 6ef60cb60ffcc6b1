/**
 * What a new user does: pack @cairn/core and @cairn/backend-memory, install
 * them in an empty npm project beside the lowest and the latest just-bash the
 * peer range allows, and run the core README's in-memory example (a loop far
 * longer than one 2 ms time slice, so the filesystem yields to the event loop
 * under the application's own just-bash); a loop in execScript that touches no
 * file (it yields through the test Cairn puts in loops for a just-bash without
 * its patch); and Cairn's warm python3 on that just-bash's CPython.
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const packages = resolve(import.meta.dirname, "../..");
const corePackage = JSON.parse(readFileSync(join(packages, "core/package.json"), "utf8")) as {
  peerDependencies: Record<string, string>;
};
const range = corePackage.peerDependencies["just-bash"]!;

/** The README block marked `packed-example`, with checks appended that print what it did. */
function readmeExample(): string {
  const readme = readFileSync(join(packages, "core/README.md"), "utf8");
  const block = /<!-- packed-example:[^>]*-->\s*```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!block) throw new Error("the core README has no packed-example block");
  return `${block}
const { readFileSync } = await import("node:fs");
const justBash = JSON.parse(readFileSync("node_modules/just-bash/package.json", "utf8")).version;
console.log("RESULT " + JSON.stringify({ result, version, created: sandbox.version, justBash }));
`;
}

const PYTHON_CHECK = `import { Bash, InMemoryFs } from "just-bash";
import { pythonCommands } from "@cairn/core";
const script = "python3 -c 'print(6 * 7)'";
const ours = await new Bash({ fs: new InMemoryFs(), customCommands: pythonCommands() }).exec(script);
const theirs = await new Bash({ fs: new InMemoryFs(), python: true }).exec(script);
const pick = (r) => [r.stdout, r.stderr, r.exitCode];
console.log(JSON.stringify({ ours: pick(ours), same: JSON.stringify(pick(ours)) === JSON.stringify(pick(theirs)) }));
process.exit(0);
`;

/**
 * A loop that touches no file, run by execScript: under npm's just-bash (no loop hook, see
 * core's exec/loop-turns.ts) only the yield test Cairn puts in each loop lets timers run.
 */
const LOOP_CHECK = `import { createMemoryBackend } from "@cairn/backend-memory";
import { execScript, SandboxService } from "@cairn/core";
const service = new SandboxService({ backend: createMemoryBackend() });
const scope = { tenantId: "t" };
const { id } = await service.create(scope, {});
let ticks = 0;
const timer = setInterval(() => ticks++, 1);
const result = await execScript(service, scope, id, { script: "i=0; while ((i < 20000)); do ((i++)); done; echo $i" });
clearInterval(timer);
console.log(JSON.stringify({ stdout: new TextDecoder().decode(result.stdout), ticks }));
`;

/** The lowest version the range names, and the latest one the registry has in it. */
function versionsToTest(): string[] {
  const lowest = /^\^(\d+\.\d+\.\d+)$/.exec(range)?.[1];
  if (!lowest) throw new Error(`just-bash's peer range ${range} is not ^x.y.z`);
  const listed = JSON.parse(
    execFileSync("npm", ["view", `just-bash@${range}`, "version", "--json"], { encoding: "utf8" }),
  ) as string | string[];
  const latest = (Array.isArray(listed) ? listed : [listed]).at(-1)!;
  return [...new Set([lowest, latest])];
}

let work: string;
let tarballs: string[];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "cairn-packed-"));
  for (const name of ["core", "backend-memory"]) {
    await run("pnpm", ["pack", "--pack-destination", work], { cwd: join(packages, name) });
  }
  tarballs = readdirSync(work)
    .filter((f) => f.endsWith(".tgz"))
    .map((f) => join(work, f));
  expect(tarballs).toHaveLength(2);
}, 120_000);

afterAll(() => rmSync(work, { recursive: true, force: true }), 120_000);

describe(`the packed packages beside just-bash ${range}`, () => {
  it.each(versionsToTest())(
    "just-bash %s: the README example runs a long loop and commits; busy loops yield",
    async (version) => {
      const project = join(work, `app-${version}`);
      execFileSync("mkdir", ["-p", project]);
      writeFileSync(
        join(project, "package.json"),
        JSON.stringify({ name: "app", private: true, type: "module" }),
      );
      await run(
        "npm",
        ["install", "--no-audit", "--no-fund", ...tarballs, `just-bash@${version}`],
        { cwd: project, maxBuffer: 16 << 20 },
      );
      // One copy of just-bash: the application's.
      const { stdout: tree } = await run("npm", ["ls", "just-bash", "--all", "--parseable"], {
        cwd: project,
      });
      expect(tree.trim().split("\n")).toEqual([join(project, "node_modules/just-bash")]);

      writeFileSync(join(project, "example.mjs"), readmeExample());
      const started = Date.now();
      const { stdout } = await run("node", ["example.mjs"], { cwd: project });
      const elapsed = Date.now() - started;
      const line = stdout.split("\n").find((l) => l.startsWith("RESULT "));
      const got = JSON.parse(line!.slice("RESULT ".length)) as {
        result: { exitCode: number; stdout: string; stderr: string };
        version: number;
        created: number;
        justBash: string;
      };
      expect(got.justBash).toBe(version);
      expect(got.result.stderr).toBe("");
      expect([got.result.exitCode, got.result.stdout]).toEqual([0, "2000\n"]);
      expect(got.version).toBe(got.created + 1);
      expect(elapsed).toBeGreaterThan(5);

      // A busy loop in execScript still lets the event loop turn under this just-bash.
      writeFileSync(join(project, "loop.mjs"), LOOP_CHECK);
      const { stdout: loop } = await run("node", ["loop.mjs"], { cwd: project });
      const turns = JSON.parse(loop) as { stdout: string; ticks: number };
      expect(turns.stdout).toBe("20000\n");
      // A turn every 2 ms slice of the loop's ~0.5 s; without them, the timer ran once or twice.
      expect(turns.ticks).toBeGreaterThan(20);

      // Cairn's warm python3 finds this just-bash's CPython and answers as its own python3.
      writeFileSync(join(project, "python.mjs"), PYTHON_CHECK);
      const { stdout: python } = await run("node", ["python.mjs"], { cwd: project });
      expect(JSON.parse(python)).toEqual({ ours: ["42\n", "", 0], same: true });
    },
    300_000,
  );
});
