/** The background sweeper deletes what expired, in batches, and reports failures without stopping. */
import { createMemoryBackend } from "@cairn/backend-memory";
import { type Backend, SandboxService } from "@cairn/core";
import { describe, expect, it } from "vitest";
import { startExpirySweeper } from "./expiry-sweeper.js";

const scope = { tenantId: "t" };

async function expiredSandboxes(backend: Backend, count: number, now: () => number) {
  const service = new SandboxService({ backend, now });
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const sb = await service.create(scope, {
      expiry: { expiresAt: new Date(now() + 1_000), idleTimeout: null },
    });
    ids.push(sb.id);
  }
  return ids;
}

describe("expiry sweeper", () => {
  it("sweeps every expired sandbox in batches and leaves live ones", async () => {
    let clock = 1_000_000;
    const now = () => clock;
    const backend = createMemoryBackend({ now });
    const doomed = await expiredSandboxes(backend, 7, now);
    const live = await new SandboxService({ backend, now }).create(scope);
    const swept: string[] = [];
    const sweeper = startExpirySweeper({
      backend,
      intervalMs: 3_600_000,
      batch: 3,
      onSwept: (s) => swept.push(...s.map((x) => x.id)),
    });
    expect(await sweeper.sweep()).toBe(0);
    clock += 2_000;
    expect(await sweeper.sweep()).toBe(7);
    expect(swept.sort()).toEqual([...doomed].sort());
    expect((await backend.getSandbox("t", live.id))?.id).toBe(live.id);
    await sweeper.stop();
  });

  it("runs on its interval, and a failing sweep is reported and retried", async () => {
    const backend = createMemoryBackend();
    const [id] = await expiredSandboxes(backend, 1, () => Date.now() - 2_000);
    const sweepExpired = backend.sweepExpired!.bind(backend);
    let failures = 0;
    backend.sweepExpired = (o) => {
      failures++;
      return failures === 1 ? Promise.reject(new Error("database away")) : sweepExpired(o);
    };
    const errors: unknown[] = [];
    const done = new Promise<string[]>((resolve) => {
      const sweeper = startExpirySweeper({
        backend,
        intervalMs: 10,
        onError: (e) => errors.push(e),
        onSwept: (s) => {
          void sweeper.stop();
          resolve(s.map((x) => x.id));
        },
      });
    });
    expect(await done).toEqual([id]);
    expect(errors).toEqual([new Error("database away")]);
  });
});
