import { createMemoryBackend } from "@cairn/backend-memory";
import type { Backend } from "@cairn/core";
import { describe, expect, it } from "vitest";
import { createApp } from "../app.js";

const KEY = "test-key-0123456789";

describe("GET /v1/ready", () => {
  it("is ready on reachable, current storage, and not ready once draining", async () => {
    const app = createApp({ backend: createMemoryBackend(), apiKey: KEY });
    const ready = await app.request("/v1/ready");
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: "ready", draining: false });
    app.drain();
    const draining = await app.request("/v1/ready");
    expect(draining.status).toBe(503);
    expect(draining.headers.get("retry-after")).toBe("1");
    expect(await draining.json()).toMatchObject({ status: "not_ready", draining: true });
    // Liveness is unaffected: the process is still up and serving.
    expect((await app.request("/v1/health")).status).toBe(200);
  });

  it("is not ready when storage is behind on migrations or does not answer", async () => {
    const behind: Backend = {
      ...createMemoryBackend(),
      readiness: async () => ({
        migrations: { applied: 3, expected: 8 },
        problems: ["database schema is at migration 3, this server needs 8"],
      }),
    };
    const res = await createApp({ backend: behind, apiKey: KEY }).request("/v1/ready");
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({
      status: "not_ready",
      storage: { reachable: true, migrations: { applied: 3, expected: 8 } },
    });
    const down: Backend = {
      ...createMemoryBackend(),
      readiness: () => Promise.reject(new Error("connect ECONNREFUSED 10.0.0.5:5432")),
    };
    const unreachable = await createApp({ backend: down, apiKey: KEY }).request("/v1/ready");
    expect(unreachable.status).toBe(503);
    const body = await unreachable.json();
    expect(body.storage.reachable).toBe(false);
    // The probe needs no key: it says storage is down, not where it lives.
    expect(JSON.stringify(body)).not.toContain("10.0.0.5");
  });
});
