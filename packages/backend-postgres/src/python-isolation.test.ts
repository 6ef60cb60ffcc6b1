/**
 * Warm python keeps runs apart: what one script's python3 leaves behind
 * (globals, module state, env, cwd, files outside the sandbox) is never seen
 * by the next, another tenant's, on memory and Postgres, in process and
 * through the script worker pool; and python sees exactly the script's files.
 */
import { createMemoryBackend } from "@cairn/backend-memory";
import {
  type Backend,
  ExecTimeoutError,
  execScript,
  SandboxService,
  type SandboxService as Service,
  WorkerPool,
} from "@cairn/core";
import { afterAll, describe, expect, it } from "vitest";
import { createPostgresBackend } from "./postgres-backend.js";
import { useTestDatabase } from "./test-database.js";

const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** Leaves traces everywhere a python run could: interpreter, modules, env, cwd, memory FS. */
const LEAVE_TRACES = `python3 -c '
import builtins, json, os, sys, random
builtins.cairn_leak = "A"
json.cairn_leak = "A"
sys.modules["cairn_leak"] = json
os.environ["CAIRN_LEAK"] = "A"
os.putenv("CAIRN_LEAK_C", "A")
random.seed(42)
fd = os.open("/tmp/cairn-leak.txt", os.O_CREAT | os.O_WRONLY)
os.write(fd, b"A")
os.close(fd)
with _orig_open("/lib/cairn-leak.txt", "w") as f:
    f.write("A")
with open("/secret.txt", "w") as f:
    f.write("tenant A")
os.chdir("/lib")
print("left traces")
'`;

/** Looks for every trace; prints a JSON object of what it found. */
const LOOK_FOR_TRACES = `python3 -c '
import builtins, json, os, sys
found = {
    "builtin": hasattr(builtins, "cairn_leak"),
    "module_attribute": hasattr(json, "cairn_leak"),
    "sys_modules": "cairn_leak" in sys.modules,
    "env": "CAIRN_LEAK" in os.environ or "CAIRN_LEAK_C" in os.environ,
    "memory_fs_tmp": _orig_exists("/tmp/cairn-leak.txt"),
    "memory_fs_lib": _orig_exists("/lib/cairn-leak.txt"),
    "sandbox_file": os.path.exists("/secret.txt"),
    "cwd": _orig_getcwd(),
}
print(json.dumps(found, sort_keys=True))
'`;

const CLEAN = {
  builtin: false,
  cwd: "/host/home/user",
  env: false,
  memory_fs_lib: false,
  memory_fs_tmp: false,
  module_attribute: false,
  sandbox_file: false,
  sys_modules: false,
};

function suite(name: string, newBackend: () => Backend) {
  // warmPython: the worker prepares its interpreter at start, as `cairn serve --warm-python` does.
  const pool = new WorkerPool({ workers: 1, warmPython: true });
  afterAll(() => pool.close());
  const runners = [
    ["in process", undefined],
    ["through the worker pool", pool],
  ] as const;

  describe(`warm python on ${name}`, () => {
    for (const [where, runner] of runners) {
      it(`another tenant's run sees nothing of the last one (${where})`, async () => {
        const service: Service = new SandboxService({ backend: newBackend() });
        const options = { options: { persistShell: false, runtimes: ["python3" as const] } };
        const a = await service.create({ tenantId: "tenant-a" }, options);
        const b = await service.create({ tenantId: "tenant-b" }, options);
        const exec = (tenantId: string, id: string, script: string) =>
          execScript(service, { tenantId }, id, { script, runner, timeoutMs: 60_000 });

        // A clean look first, so the same warm thread has served python before A's run.
        const before = await exec("tenant-b", b.id, LOOK_FOR_TRACES);
        expect(JSON.parse(decode(before.stdout))).toEqual(CLEAN);

        const left = await exec("tenant-a", a.id, LEAVE_TRACES);
        expect(decode(left.stderr)).toBe("");
        expect(decode(left.stdout)).toBe("left traces\n");
        expect(left.commit.status).toBe("committed");
        // A's own sandbox file was committed with A's script.
        const stored = await service.read({ tenantId: "tenant-a" }, a.id, (v) =>
          v.readFile("/secret.txt"),
        );
        expect(decode(stored.value)).toBe("tenant A");

        for (const [tenantId, id] of [
          ["tenant-b", b.id],
          ["tenant-a", a.id],
        ] as const) {
          const after = await exec(tenantId, id, LOOK_FOR_TRACES);
          expect(decode(after.stderr)).toBe("");
          const seen = JSON.parse(decode(after.stdout)) as typeof CLEAN;
          // A's sandbox file is A's to see; nothing else carries over, even to A.
          expect(seen).toEqual({ ...CLEAN, sandbox_file: tenantId === "tenant-a" });
        }
        // The seeded generator is not carried over either.
        const random = "python3 -c 'import random; print(random.random())'";
        const draws = await Promise.all([
          exec("tenant-b", b.id, random),
          exec("tenant-b", b.id, random),
        ]);
        expect(decode(draws[0]!.stdout)).not.toBe(decode(draws[1]!.stdout));
      }, 120_000);

      it(`python sees the script's journal and its writes commit with the script (${where})`, async () => {
        const service = new SandboxService({ backend: newBackend() });
        const scope = { tenantId: "tenant-a" };
        const box = await service.create(scope, {
          options: { persistShell: false, runtimes: ["python3"] },
          files: [{ path: "/data/in.txt", bytes: new TextEncoder().encode("21") }],
        });
        const script = [
          "echo pending > /data/pending.txt",
          `python3 -c 'import os; print(sorted(os.listdir("/data"))); print(open("/data/pending.txt").read().strip()); open("/data/out.txt", "w").write(str(int(open("/data/in.txt").read()) * 2))'`,
          "cat /data/out.txt",
        ].join("; ");
        const run = await execScript(service, scope, box.id, { script, runner, timeoutMs: 60_000 });
        expect(decode(run.stderr)).toBe("");
        expect(decode(run.stdout)).toBe("['in.txt', 'pending.txt']\npending\n42");
        expect(run.commit.status).toBe("committed");
        const out = await service.read(scope, box.id, (v) => v.readFile("/data/out.txt"));
        expect(decode(out.value)).toBe("42");

        // A failing script's python writes are discarded with it.
        const failed = await execScript(service, scope, box.id, {
          script: `python3 -c 'open("/data/gone.txt", "w").write("x")'; exit 3`,
          runner,
          timeoutMs: 60_000,
          commit: "on_success",
        });
        expect(failed.commit.status).toBe("discarded");
        const listing = await execScript(service, scope, box.id, { script: "ls /data", runner });
        expect(decode(listing.stdout)).toBe("in.txt\nout.txt\npending.txt\n");
      }, 120_000);

      it(`a python run that overruns is stopped, and the next one runs clean (${where})`, async () => {
        const service = new SandboxService({ backend: newBackend() });
        const scope = { tenantId: "tenant-a" };
        const box = await service.create(scope, {
          options: { persistShell: false, runtimes: ["python3"] },
        });
        const stuck = execScript(service, scope, box.id, {
          script: "python3 -c 'import builtins; builtins.stuck = 1\nwhile True: pass'",
          runner,
          timeoutMs: 3_000,
        });
        await expect(stuck).rejects.toBeInstanceOf(ExecTimeoutError);
        const next = await execScript(service, scope, box.id, {
          script: `python3 -c 'import builtins; print(hasattr(builtins, "stuck"))'`,
          runner,
          timeoutMs: 60_000,
        });
        expect(decode(next.stdout)).toBe("False\n");
      }, 120_000);
    }
  });
}

suite("memory", () => createMemoryBackend());
const db = useTestDatabase();
suite("Postgres", () => createPostgresBackend({ sql: db().sql }));
