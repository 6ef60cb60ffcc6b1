import { Bash, InMemoryFs } from "just-bash";
import { describe, expect, it, vi } from "vitest";
import { CairnBashFs, DEFAULT_WRITE_LIMITS } from "../bash-fs.js";
import { StorageUnavailableError } from "../errors.js";
import { Journal } from "../journal.js";
import { bytes, commitInto, scratchVfs, text } from "../test-support.js";
import { Vfs } from "../vfs.js";
import { loopTurnsSupported } from "./loop-turns.js";
import type { OutputStream } from "./output.js";
import { type RunSettings, runStep } from "./run.js";
import { YIELD_DEVICE } from "./yield-transform.js";

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

async function streamed(script: string, overrides: Partial<RunSettings> = {}) {
  const chunks: Array<[OutputStream, string]> = [];
  const run = await runStep(
    scratchVfs(),
    { script, cwd: "/", env: {} },
    settings({ onOutput: (stream, b) => chunks.push([stream, text(b)]), ...overrides }),
  );
  return { run, chunks };
}

// The per-statement flush rewrites the script; it must not change what the script does.
const SCRIPTS = [
  "echo a; echo b >&2; echo c",
  "set -e; echo one; false; echo never",
  "set -e; false && true; echo after-and-list",
  "f() { echo in-f; return 3; }; f; echo status=$?",
  "x=1; { x=2; echo $x; }; echo $x",
  "cd /tmp 2>/dev/null || { mkdir -p /tmp; cd /tmp; }; pwd",
  "for i in 1 2 3; do echo $i; done | sort -r",
  "for i in 1 2 3; do echo $i; [ $i = 2 ] && break; done; echo done",
  "i=0; while [ $i -lt 3 ]; do echo w$i; i=$((i+1)); done",
  "if grep -q x /nonexistent 2>/dev/null; then echo yes; else echo no; fi",
  "cat <<EOF\nheredoc $((1+2))\nEOF",
  "echo $(echo nested; echo more)",
  "(echo sub; exit 4); echo st=$?",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: bash, not a template
  "true | false; echo ${PIPESTATUS[@]}",
  "{ echo x; exit 3; }; echo never",
  "echo start; exit 7",
  "case b in a) echo A;; b) echo B;; esac",
  "! false; echo neg=$?",
  "echo -n partial",
  "for i in 1 2; do for j in a b; do echo $i$j; done; done",
  "read -r line; echo got:$line",
  "set -v; echo verbose",
  "set -v; for i in 1 2; do echo $i; done; while false; do :; done",
];

describe("streaming by statement", () => {
  for (const script of SCRIPTS) {
    it(`keeps the behaviour of: ${JSON.stringify(script)}`, async () => {
      const stdin = script.includes("read") ? "input\n" : undefined;
      const bash = new Bash({ fs: new InMemoryFs(), cwd: "/" });
      const expected = await bash.exec(script, { cwd: "/", rawScript: true, stdin });
      const run = await runStep(scratchVfs(), { script, cwd: "/", env: {}, stdin }, settings());
      expect({
        exitCode: run.exitCode,
        stdout: text(run.stdout),
        stderr: text(run.stderr),
      }).toEqual({ exitCode: expected.exitCode, stdout: expected.stdout, stderr: expected.stderr });
    });
  }

  it("emits a chunk per top-level statement and per iteration of a top-level loop", async () => {
    const { chunks } = await streamed("echo a; for i in 1 2; do echo $i; done; echo b >&2");
    expect(chunks).toEqual([
      ["stdout", "a\n"],
      ["stdout", "1\n"],
      ["stdout", "2\n"],
      ["stderr", "b\n"],
    ]);
  });

  it("keeps pipes and command substitutions inside a statement intact", async () => {
    const { chunks } = await streamed("for i in 1 2; do echo $i; done | wc -l; echo $(echo x)");
    expect(chunks.map((c) => c[1].trim())).toEqual(["2", "x"]);
  });

  it("passes a command's bytes through exactly", async () => {
    const vfs = scratchVfs();
    vfs.writeFile("/bin.dat", new Uint8Array([0xff, 0x00, 0x41, 0xc3]));
    const run = await runStep(vfs, { script: "cat /bin.dat", cwd: "/", env: {} }, settings());
    expect([...run.stdout]).toEqual([0xff, 0x00, 0x41, 0xc3]);
  });

  it("keeps a command's own redirections winning over the flush", async () => {
    const vfs = scratchVfs();
    const run = await runStep(
      vfs,
      {
        script: "echo a > /f; echo b >&2; ls /nope 2>&1; echo c 2>/dev/null >&2",
        cwd: "/",
        env: {},
      },
      settings(),
    );
    expect(text(await vfs.readFile("/f"))).toBe("a\n");
    expect(text(run.stdout)).toMatch(/^ls: .*nope/);
    expect(text(run.stderr)).toBe("b\n");
  });

  it("streams binary bytes through pipelines and && lists", async () => {
    const vfs = scratchVfs();
    vfs.writeFile("/bin.dat", new Uint8Array([0xff, 0x00]));
    const run = await runStep(
      vfs,
      { script: "true && cat /bin.dat | gzip -c | gunzip -c", cwd: "/", env: {} },
      settings(),
    );
    expect([...run.stdout]).toEqual([0xff, 0x00]);
  });
});

describe("output cap", () => {
  it("keeps the first bytes and flags the cut, while the script runs on", async () => {
    const { run } = await streamed("for i in $(seq 100); do echo line$i; done; echo end > /f", {
      maxOutputBytes: 20,
    });
    expect(text(run.stdout)).toBe("line1\nline2\nline3\nli");
    expect(run.truncated).toEqual({ stdout: true, stderr: false });
  });
});

describe("writes", () => {
  it("fail with EROFS when read-only, and leave the journal empty", async () => {
    const vfs = scratchVfs();
    const run = await runStep(
      vfs,
      { script: "echo x > /f; mkdir /d; echo status=$?", cwd: "/", env: {} },
      settings({ readOnly: true }),
    );
    expect(text(run.stderr)).toMatch(/read-only file system/);
    expect(text(run.stdout)).toBe("status=1\n");
    expect(vfs.journal.changed).toBe(false);
  });

  it("fail with EFBIG over the per-file limit", async () => {
    const vfs = scratchVfs();
    const limits = { ...DEFAULT_WRITE_LIMITS, maxFileBytes: 10 };
    const run = await runStep(
      vfs,
      { script: "echo 0123456789abc > /big; echo 12 > /small", cwd: "/", env: {} },
      settings({ limits }),
    );
    expect(text(run.stderr)).toMatch(/file too large/);
    expect(vfs.stat("/big", true).size).toBe(0); // opened (created) before the write failed, as in bash
    expect(vfs.exists("/small")).toBe(true);
    expect(run.limitHit).toBeNull();
  });

  it("hit ENOSPC over the journal file count, and the run says so", async () => {
    const limits = { ...DEFAULT_WRITE_LIMITS, maxJournalFiles: 5 };
    const run = await runStep(
      scratchVfs(),
      { script: "for i in $(seq 10); do echo $i > /f$i; done", cwd: "/", env: {} },
      settings({ limits }),
    );
    expect(text(run.stderr)).toMatch(/ENOSPC/);
    expect(run.limitHit).toBe("journal_limit");
  });

  it("count content once however often a file is rewritten", async () => {
    const vfs = scratchVfs();
    const limits = { ...DEFAULT_WRITE_LIMITS, maxJournalBytes: 10_000 };
    const run = await runStep(
      vfs,
      { script: "for i in $(seq 1000); do echo $i >> /log; done", cwd: "/", env: {} },
      settings({ limits }),
    );
    expect(run.limitHit).toBeNull();
    expect(vfs.journal.contentBytes).toBe((await vfs.readFile("/log")).length);
  });
});

describe("shell state", () => {
  it("reports cwd and exported variables, not shell-local ones, and keeps the exit status", async () => {
    const { run } = await streamed("mkdir -p /w; cd /w; export A=1; b=2; false", {
      reportShellState: true,
    });
    expect(run.exitCode).toBe(1);
    expect(run.shell?.cwd).toBe("/w");
    expect(run.shell?.env.A).toBe("1");
    expect(run.shell?.env.b).toBeUndefined();
  });

  it("is reported silently under set -v", async () => {
    const { run } = await streamed("set -v; cd /", { reportShellState: true });
    expect(text(run.stderr)).toBe("cd /\n");
    expect(run.shell?.cwd).toBe("/");
  });

  it("is not reported when the script exits early", async () => {
    const { run } = await streamed("cd /; exit 0", { reportShellState: true });
    expect(run.shell).toBeUndefined();
  });
});

it("the write helpers agree with bytes()", () => {
  expect(text(bytes("é"))).toBe("é");
});

describe("busy loops", () => {
  for (const loop of [
    "while true; do :; done",
    "until false; do x=1; done",
    "for ((;;)); do :; done",
    "f() { while :; do :; done; }; f",
  ]) {
    it(`let the event loop turn, so an abort is noticed: ${loop}`, async () => {
      let ticks = 0;
      const timer = setInterval(() => ticks++, 5);
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      await runStep(
        scratchVfs(),
        { script: loop, cwd: "/", env: {} },
        settings({ signal: controller.signal }),
      );
      clearInterval(timer);
      expect(controller.signal.aborted).toBe(true);
      expect(ticks).toBeGreaterThan(3);
    });
  }
});

describe("loop turns", () => {
  /** Calls of `exists` on the yield device while `script` runs (the yield test of yield-transform.ts). */
  async function yieldTests(script: string, run: typeof runStep, Fs: typeof CairnBashFs) {
    const exists = vi.spyOn(Fs.prototype, "exists");
    try {
      const outcome = await run(scratchVfs(), { script, cwd: "/", env: {} }, settings());
      expect(outcome.exitCode).toBe(0);
      return exists.mock.calls.filter(([path]) => path === YIELD_DEVICE).length;
    } finally {
      exists.mockRestore();
    }
  }

  it("are asked of the filesystem by this workspace's just-bash (patches/just-bash@*.patch)", async () => {
    expect(await loopTurnsSupported()).toBe(true);
    const asked = vi.spyOn(CairnBashFs.prototype, "loopTurnDue");
    try {
      await runStep(
        scratchVfs(),
        { script: "for i in 1 2 3; do :; done", cwd: "/", env: {} },
        settings(),
      );
      expect(asked).toHaveBeenCalledTimes(3);
    } finally {
      asked.mockRestore();
    }
    // So loops carry no yield test.
    expect(await yieldTests("for i in 1 2 3; do :; done", runStep, CairnBashFs)).toBe(0);
  });

  it("come from a yield test in each loop under a just-bash that does not ask", async () => {
    vi.resetModules();
    vi.doMock("./loop-turns.js", () => ({ loopTurnsSupported: async () => false }));
    try {
      const fresh = await import("./run.js");
      const { CairnBashFs: FreshFs } = await import("../bash-fs.js");
      expect(await yieldTests("for i in 1 2 3; do :; done", fresh.runStep, FreshFs)).toBe(3);
      expect(
        await yieldTests("i=0; while ((i < 2)); do ((i++)); done", fresh.runStep, FreshFs),
      ).toBe(3);
    } finally {
      vi.doUnmock("./loop-turns.js");
      vi.resetModules();
    }
  });
});

describe("aborting", () => {
  it("costs no AbortController per command: only a command that reads its signal gets one", async () => {
    // just-bash gives each command a controller it aborts with a new Error when the command
    // ends; ~25 % of a loop's CPU. The patch in patches/just-bash@*.patch makes it lazy.
    const Real = globalThis.AbortController;
    let made = 0;
    globalThis.AbortController = class extends Real {
      constructor() {
        super();
        made++;
      }
    };
    try {
      const run = await runStep(
        scratchVfs(),
        { script: "for i in $(seq 300); do echo $i > /dev/null; true; done", cwd: "/", env: {} },
        settings(),
      );
      expect(run.exitCode).toBe(0);
    } finally {
      globalThis.AbortController = Real;
    }
    expect(made).toBeLessThan(30);
  });

  it("still wakes a sleeping command at once", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    const run = await runStep(
      scratchVfs(),
      { script: "sleep 30; echo never", cwd: "/", env: {} },
      settings({ signal: controller.signal }),
    );
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(text(run.stdout)).not.toContain("never");
  });
});

describe("runtimes", () => {
  it("python3 is not a command unless the sandbox opts in", async () => {
    const { run } = await streamed("python3 -c 'print(1)'");
    expect(run.exitCode).toBe(127);
  });

  it("python3, when enabled, reads and writes the sandbox's files", async () => {
    const vfs = scratchVfs();
    vfs.writeFile("/in.txt", bytes("21"));
    const run = await runStep(
      vfs,
      {
        script: `python3 -c 'open("/out.txt", "w").write(str(int(open("/in.txt").read()) * 2))'; cat /out.txt`,
        cwd: "/",
        env: {},
      },
      settings({ runtimes: ["python3"], timeoutMs: 60_000 }),
    );
    expect(text(run.stderr)).toBe("");
    expect(text(run.stdout)).toBe("42");
    expect(vfs.journal.changed).toBe(true);
  }, 60_000);
});

describe("storage failing under a script", () => {
  it("aborts the run with the storage error, rather than failing a command", async () => {
    // A committed file whose content storage cannot deliver.
    const seed = scratchVfs();
    seed.writeFile("/log", bytes("line 1\n"));
    const tree = commitInto(seed, new Map());
    const down = new StorageUnavailableError("database is down", "no");
    const vfs = new Vfs(new Journal(tree), async () => {
      throw down;
    });
    for (const script of ["echo line 2 >> /log", "cat /log", "cat /log || echo recovered"]) {
      await expect(runStep(vfs, { script, cwd: "/", env: {} }, settings()), script).rejects.toBe(
        down,
      );
    }
  });
});
