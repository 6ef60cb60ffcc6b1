/** A runtime that is off answers 127 with how to turn it on, wherever the call is in a script. */
import { describe, expect, it } from "vitest";
import { DEFAULT_WRITE_LIMITS } from "../bash-fs.js";
import { scratchVfs, text } from "../test-support.js";
import { type RunSettings, runStep } from "./run.js";

function settings(overrides: Partial<RunSettings> = {}): RunSettings {
  return {
    runtimes: [],
    readOnly: false,
    limits: DEFAULT_WRITE_LIMITS,
    maxOutputBytes: 1 << 20,
    timeoutMs: 10_000,
    signal: new AbortController().signal,
    reportShellState: false,
    ...overrides,
  };
}

async function run(script: string, overrides: Partial<RunSettings> = {}) {
  const r = await runStep(scratchVfs(), { script, cwd: "/", env: {} }, settings(overrides));
  return { stdout: text(r.stdout), stderr: text(r.stderr), exitCode: r.exitCode };
}

describe("runtimes that are off", () => {
  it.each([
    ["python3 -c 'print(1)'", "python3"],
    ["python x.py", "python3"],
    ["js-exec -c '1'", "js-exec"],
    ["node -e 1", "js-exec"],
  ])("%s exits 127 naming the %s runtime and how to turn it on", async (script, runtime) => {
    const r = await run(`${script}; echo $?`);
    expect(r.stdout).toBe("127\n");
    expect(r.stderr).toContain(`the ${runtime} runtime`);
    expect(r.stderr).not.toContain("browser");
  });

  it("is caught inside loops, pipelines, functions, substitutions and bash -c", async () => {
    const r = await run(
      "for i in 1; do python3 -V; done; echo a | python3; f() { python3; }; f; x=$(python3 2>&1); echo \"$x\" | grep -c 'is off'; bash -c 'python3'; echo $?",
    );
    expect(r.stdout).toBe("1\n127\n");
    expect(r.stderr.match(/python3 runtime is off/g)?.length).toBe(4);
  });

  it("leaves which and command -v finding nothing", async () => {
    const r = await run("which python3; echo $?; command -v python3; echo $?");
    expect(r.stdout).toBe("1\n1\n");
  });

  it("does not touch the word python3 as an argument", async () => {
    const r = await run("echo python3; ls /bin | grep -c '^python'");
    expect(r.stdout).toBe("python3\n0\n");
  });

  it("when on, lists python3 in /bin and does not rewrite it", async () => {
    const r = await run("which python3; ls /usr/bin | grep -x python", { runtimes: ["python3"] });
    expect(r.stdout).toBe("/usr/bin/python3\npython\n");
  });
});
