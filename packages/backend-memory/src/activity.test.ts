/** Idle expiry through the service: reads count as activity, recorded at most once per interval. */
import { SandboxNotFoundError, SandboxService } from "@cairn/core";
import { describe, expect, it } from "vitest";
import { createMemoryBackend } from "./memory-backend.js";

const scope = { tenantId: "t" };

/** A service and backend on one clock the test moves. */
function setup(activityIntervalMs?: number) {
  let clock = 1_000_000;
  const now = () => clock;
  const backend = createMemoryBackend({ now });
  let touches = 0;
  const touch = backend.touchSandbox!.bind(backend);
  backend.touchSandbox = (tenantId, id) => {
    touches++;
    return touch(tenantId, id);
  };
  const service = new SandboxService({ backend, now, activityIntervalMs });
  return {
    service,
    advance: (ms: number) => {
      clock += ms;
    },
    touches: () => touches,
  };
}

const readRoot = (service: SandboxService, id: string) =>
  service.read(scope, id, (vfs) => vfs.readdir("/"));

describe("idle expiry", () => {
  it("a read more than half the timeout after the last activity keeps the sandbox alive", async () => {
    const { service, advance } = setup();
    const sb = await service.create(scope, { expiry: { expiresAt: null, idleTimeout: 10 } });
    advance(6_000);
    await readRoot(service, sb.id); // records activity: idle until 16 s
    advance(6_000);
    await readRoot(service, sb.id); // 12 s: alive only because of the read at 6 s
    advance(10_000);
    // 22 s: the read at 12 s recorded activity (6 s after the last), so alive until 22 s: gone.
    await expect(readRoot(service, sb.id)).rejects.toBeInstanceOf(SandboxNotFoundError);
  });

  it("records activity at most once per interval, never for sandboxes without a timeout", async () => {
    const { service, advance, touches } = setup(60_000);
    const idle = await service.create(scope, { expiry: { expiresAt: null, idleTimeout: 3600 } });
    const plain = await service.create(scope);
    for (let i = 0; i < 10; i++) {
      await readRoot(service, idle.id);
      await readRoot(service, plain.id);
      advance(5_000);
    }
    expect(touches()).toBe(1); // 45 s of reads: one write
    advance(20_000);
    await readRoot(service, idle.id);
    expect(touches()).toBe(2);
  });

  it("commits are activity by themselves; expiry by time ignores activity", async () => {
    const { service, advance } = setup();
    const sb = await service.create(scope, {
      expiry: { expiresAt: new Date(1_000_000 + 30_000), idleTimeout: 10 },
    });
    for (let i = 0; i < 4; i++) {
      advance(8_000);
      if (i < 3) {
        await service.mutate(scope, sb.id, (vfs) => vfs.writeFile(`/f${i}`, new Uint8Array([i])));
      }
    }
    // 32 s: the commit at 24 s keeps it from idling until 34 s, but it expired at 30 s.
    await expect(service.get(scope, sb.id)).rejects.toBeInstanceOf(SandboxNotFoundError);
    const backend = service.backend;
    expect(await backend.sweepExpired!()).toEqual([{ tenantId: "t", id: sb.id }]);
  });
});
