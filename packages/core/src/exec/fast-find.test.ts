import { Bash, defineCommand } from "just-bash";
import { describe, expect, it } from "vitest";
import { CairnBashFs } from "../bash-fs.js";
import { scratchVfs, seededRandom } from "../test-support.js";
import { fastFindCommand, simpleFind, walkSimpleFind } from "./fast-find.js";

const NAMES = [
  "a",
  "b.md",
  "B.MD",
  ".md",
  ".hidden.md",
  "c.ts",
  "x.md.ts",
  "f1.md",
  "a b.md",
  "d+e.md",
  "é.md",
];

/** A random tree under /w (and a file at the root), with symlinks to files and directories. */
function randomFs(seed: number): CairnBashFs {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const vfs = scratchVfs();
  const dirs = ["/w"];
  vfs.mkdir("/w", { recursive: true });
  for (let i = 0; i < 60; i++) {
    const parent = pick(dirs);
    const name = `${pick(NAMES)}${random() < 0.3 ? i : ""}`;
    const path = `${parent}/${name}`;
    if (vfs.exists(path)) continue;
    const roll = random();
    if (roll < 0.3) {
      vfs.mkdir(path, { recursive: true });
      dirs.push(path);
    } else if (roll < 0.4) {
      vfs.symlink(random() < 0.5 ? pick(dirs) : "/missing", path);
    } else {
      vfs.writeFile(path, new TextEncoder().encode(random() < 0.2 ? "" : `${i}\n`));
    }
  }
  vfs.writeFile("/top.md", new TextEncoder().encode("t\n"));
  return new CairnBashFs(vfs);
}

/** Expressions of the accepted forms (and a few that must fall back). */
function randomArgs(random: () => number): string[] {
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const starts = [".", "/", "/w", "w", "w/", "./w", "/w/b.md", "/top.md", "/nope", "/w/../w"];
  const tests = [
    ["-name", "*.md"],
    ["-name", "*.MD"],
    ["-iname", "*.md"],
    ["-name", "b.md"],
    ["-iname", "B.md"],
    ["-name", "a b.md"],
    ["-name", "d+e.md"],
    ["-name", "é.md"],
    ["-type", "f"],
    ["-type", "d"],
    ["-maxdepth", "0"],
    ["-maxdepth", "1"],
    ["-maxdepth", "2"],
    ["-mindepth", "1"],
    ["-mindepth", "2"],
    ["-print"],
  ];
  const args = Array.from({ length: Math.floor(random() * 2) + (random() < 0.2 ? 0 : 1) }, () =>
    pick(starts),
  );
  for (let i = Math.floor(random() * 4); i > 0; i--) args.push(...pick(tests));
  if (random() < 0.1)
    args.push(
      ...pick([
        ["-name", "[ab]*"],
        ["-path", "*w*"],
        ["-o", "-print"],
        ["-a"],
        ["-and", "-type", "f"],
      ]),
    );
  return args;
}

async function run(fs: CairnBashFs, script: string, fast: boolean, cwd = "/") {
  const bash = new Bash({
    fs,
    cwd,
    customCommands: fast ? [fastFindCommand(fs, { denyPolicy: false })] : [],
  });
  const result = await bash.exec(script, { cwd });
  return { stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode };
}

const quote = (arg: string) => `'${arg}'`;

describe("fast find", () => {
  it("prints exactly what just-bash's find prints, on random trees and expressions", async () => {
    const limits = await commandLimits();
    let fastRuns = 0;
    for (let seed = 1; seed <= 30; seed++) {
      const fs = randomFs(seed);
      const random = seededRandom(seed * 7919);
      for (let i = 0; i < 12; i++) {
        const args = randomArgs(random);
        const cwd = random() < 0.5 ? "/" : "/w";
        const script = `find ${args.map(quote).join(" ")}`;
        const expected = await run(fs, script, false, cwd);
        const actual = await run(fs, script, true, cwd);
        expect(actual, `seed ${seed}, cwd ${cwd}: ${script}`).toEqual(expected);
        const plan = simpleFind(args);
        if (plan && expected.exitCode === 0) {
          const walked = await walkSimpleFind(fs, cwd, plan, limits);
          expect(walked, `seed ${seed}: ${script} took the fast path`).toBeDefined();
          fastRuns++;
        }
      }
    }
    // Most cases must have gone the fast way, or this test proves nothing about it.
    expect(fastRuns).toBeGreaterThan(150);
  }, 60_000);

  it("leaves other forms to the bundled find", () => {
    for (const args of [
      ["/w", "-name", "[ab]*"],
      ["/w", "-name", "*.m?"],
      ["/w", "-path", "*x*"],
      ["/w", "-type", "l"],
      ["/w", "(", "-name", "a", ")"],
      ["/w", "-name", "a", "-o", "-name", "b"],
      ["/w", "!", "-name", "a"],
      ["/w", "-iname", "É.md"],
      ["/w", "-exec", "cat", "{}", ";"],
      ["/w", "-delete"],
      ["/w", "-name", "a", "-a", "-type", "f"],
      ["/w", "-print", "-name", "a"],
      ["/w", "-maxdepth", "x"],
      ["//w"],
    ]) {
      expect(simpleFind(args), args.join(" ")).toBeUndefined();
    }
  });
});

/** The limits a command sees in a default Bash. */
async function commandLimits() {
  let limits: Parameters<typeof walkSimpleFind>[3] | undefined;
  const probe = defineCommand("probe", async (_args, ctx) => {
    limits = ctx.limits;
    return { stdout: "", stderr: "", exitCode: 0 };
  });
  await new Bash({ customCommands: [probe] }).exec("probe");
  if (!limits) throw new Error("no limits");
  return limits;
}
