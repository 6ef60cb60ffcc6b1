/** Scripts in the worker pool through the server: fair turns, a bounded queue, the memory cap. */

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createMemoryBackend } from "@cairn/backend-memory";
import { ExecAbortedError, execScript, SandboxService, WorkerPool } from "@cairn/core";
import { afterEach, describe, expect, it } from "vitest";
import { createApp } from "./app.js";

const json = { "content-type": "application/json" };
const pools: WorkerPool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

function newPool(options: ConstructorParameters<typeof WorkerPool>[0]): WorkerPool {
  const pool = new WorkerPool(options);
  pools.push(pool);
  return pool;
}

async function appWith(pool: WorkerPool) {
  const app = createApp({ backend: createMemoryBackend(), apiKey: null, runner: pool });
  const created = await app.request("/v1/sandboxes", { method: "POST", headers: json, body: "{}" });
  const { id } = (await created.json()) as { id: string };
  const exec = (script: string) =>
    app.request(`/v1/sandboxes/${id}/exec`, {
      method: "POST",
      headers: json,
      body: JSON.stringify({ script }),
    });
  return { exec };
}

/** The niceness of each thread of this process (Linux: field 19 of /proc/self/task/<tid>/stat). */
function threadNiceness(): number[] {
  return readdirSync("/proc/self/task").flatMap((tid) => {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
      return [Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16])];
    } catch {
      return []; // the thread ended meanwhile
    }
  });
}

describe("script worker pool", () => {
  it.skipIf(!existsSync("/proc/thread-self"))(
    "runs scripts in threads nicer than the HTTP thread, so requests come first",
    async () => {
      const before = threadNiceness().filter((n) => n >= 10).length;
      const pool = newPool({ workers: 2 });
      const { exec } = await appWith(pool);
      expect((await exec("echo hi")).status).toBe(200);
      expect(threadNiceness().filter((n) => n >= 10).length).toBe(before + 2);
      expect(threadNiceness()[0]).toBe(0); // the main thread's task comes first
    },
  );

  it("workers warm up as they start, and the pool says when all have", async () => {
    const pool = newPool({ workers: 2 });
    await pool.warmed();
    // Warmed by their warm-up, not by exiting (an exit also settles a worker's wait).
    expect(pool.stats).toMatchObject({ workers: 2, replaced: 0 });
    const { exec } = await appWith(pool);
    expect((await exec("echo hi")).status).toBe(200);
  });

  it("one tenant's burst does not hold every worker: another tenant's script goes first", async () => {
    const pool = newPool({ workers: 1, jobsPerWorker: 2 });
    const service = new SandboxService({ backend: createMemoryBackend() });
    const [a, b] = [{ tenantId: "a" }, { tenantId: "b" }];
    const [boxA, boxB] = [await service.create(a), await service.create(b)];
    const finished: string[] = [];
    const burst = Array.from({ length: 4 }, (_, i) =>
      execScript(service, a, boxA.id, { script: "sleep 0.3", runner: pool }).then(() =>
        finished.push(`a${i}`),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    await execScript(service, b, boxB.id, { script: "echo b", runner: pool });
    finished.push("b");
    await Promise.all(burst);
    // B got the slot A may not fill: it finished while A's burst was still at its first script.
    expect(finished.indexOf("b")).toBeLessThanOrEqual(1);
  });

  it("a full queue is 503 unavailable with Retry-After, and nothing ran", async () => {
    const pool = newPool({ workers: 1, jobsPerWorker: 1, maxQueued: 1 });
    const { exec } = await appWith(pool);
    const running = exec("sleep 0.5; echo one > /one");
    await new Promise((resolve) => setTimeout(resolve, 100));
    const queued = exec("echo two > /two");
    await new Promise((resolve) => setTimeout(resolve, 50));
    const refused = await exec("echo three > /three");
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("1");
    expect(await refused.json()).toMatchObject({ code: "unavailable", retryable: true });
    expect((await running).status).toBe(200);
    expect((await queued).status).toBe(200);
    const listing = await (await exec("cat /one /two; test -e /three || echo no-three")).json();
    expect(listing).toMatchObject({ stdout: "one\ntwo\nno-three\n" });
  });

  it("a script over the heap cap is 422 memory_limit; its worker is replaced and scripts go on", async () => {
    const pool = newPool({ workers: 1, heapMb: 64 });
    const { exec } = await appWith(pool);
    const hog = await exec(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: bash, not a template
      's=0123456789abcdef; for i in $(seq 1 30); do s="$s$s"; echo ${#s} > /dev/null; done; echo $s > /big',
    );
    expect(hog.status).toBe(422);
    expect(await hog.json()).toMatchObject({ code: "memory_limit", retryable: false });
    expect(pool.stats.replaced).toBe(1);
    const after = await exec("test -e /big || echo ok");
    expect(await after.json()).toMatchObject({ stdout: "ok\n" });
  }, 60_000);

  it("a script aborted while it waits for a worker never runs", async () => {
    const pool = newPool({ workers: 1, jobsPerWorker: 1 });
    const service = new SandboxService({ backend: createMemoryBackend() });
    const scope = { tenantId: "t" };
    const box = await service.create(scope);
    const busy = execScript(service, scope, box.id, { script: "sleep 0.3", runner: pool });
    const controller = new AbortController();
    const waiting = execScript(service, scope, box.id, {
      script: "echo x > /x",
      runner: pool,
      signal: controller.signal,
    });
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(ExecAbortedError);
    await busy;
    const check = await execScript(service, scope, box.id, {
      script: "test -e /x || echo nothing",
      runner: pool,
    });
    expect(new TextDecoder().decode(check.stdout)).toBe("nothing\n");
  });
});
