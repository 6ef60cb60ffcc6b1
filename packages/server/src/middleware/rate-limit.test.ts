/** Rate limits and concurrency gates: units, then over real HTTP. */
import { createMemoryBackend } from "@cairn/backend-memory";
import { issueApiKey, type KeyStore } from "@cairn/core";
import { afterEach, describe, expect, it } from "vitest";
import { createApp } from "../app.js";
import type { Limits } from "../limits.js";
import { type RunningServer, startServer } from "../serve.js";
import { Gate, RateLimiter } from "./rate-limit.js";

describe("RateLimiter", () => {
  it("grants a burst, then one token per 1/rate seconds, and says how long to wait", () => {
    let now = 0;
    const limiter = new RateLimiter(10, 3, () => now);
    expect([limiter.take("a"), limiter.take("a"), limiter.take("a")]).toEqual([0, 0, 0]);
    expect(limiter.take("a")).toBe(100);
    expect(limiter.take("b")).toBe(0); // another caller has its own bucket
    now = 100;
    expect(limiter.take("a")).toBe(0);
    expect(limiter.take("a")).toBe(100);
    now = 10_000;
    expect([limiter.take("a"), limiter.take("a"), limiter.take("a"), limiter.take("a")]).toEqual([
      0, 0, 0, 100,
    ]); // refilled up to the burst, no further
  });
});

describe("Gate", () => {
  it("admits up to max per key, and again once released (twice is harmless)", () => {
    const gate = new Gate(2);
    const a = gate.tryEnter("k");
    const b = gate.tryEnter("k");
    expect(gate.tryEnter("k")).toBeUndefined();
    expect(gate.tryEnter("other")).toBeDefined();
    a!();
    a!();
    expect(gate.inFlight("k")).toBe(1);
    expect(gate.tryEnter("k")).toBeDefined();
    b!();
  });
});

describe("over real HTTP", () => {
  const KEY = "test-key-0123456789";
  const auth = { Authorization: `Bearer ${KEY}`, "Content-Type": "application/json" };
  let server: RunningServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function serve(limits: Partial<Limits>): Promise<string> {
    server = await startServer({
      app: createApp({ backend: createMemoryBackend(), apiKey: KEY, limits }),
      port: 0,
    });
    return server.url;
  }
  const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(url, { method: "POST", headers: { ...auth, ...headers }, body: JSON.stringify(body) });

  it("answers 429 rate_limited with Retry-After once a key is over its rate", async () => {
    const url = await serve({ rateLimitPerSecond: 1, rateLimitBurst: 3 });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push((await fetch(`${url}/v1/sandboxes`, { headers: auth })).status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    const res = await fetch(`${url}/v1/sandboxes`, { headers: auth });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("1");
    expect(res.headers.get("content-type")).toMatch(/problem\+json/);
    expect(await res.json()).toMatchObject({ code: "rate_limited", retryable: true });
    expect((await fetch(`${url}/v1/health`)).status).toBe(200); // unauthenticated: not counted
  });

  it("answers 503 at once when a key has too many requests in flight", async () => {
    const url = await serve({ maxInFlightPerKey: 1 });
    const { id } = (await (await post(`${url}/v1/sandboxes`, {})).json()) as { id: string };
    const slow = post(`${url}/v1/sandboxes/${id}/exec`, { script: "sleep 1; echo done" });
    await new Promise((r) => setTimeout(r, 200));
    const refused = await fetch(`${url}/v1/sandboxes/${id}`, { headers: auth });
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("1");
    expect(await refused.json()).toMatchObject({ code: "unavailable", retryable: true });
    expect(((await (await slow).json()) as { stdout: string }).stdout).toBe("done\n");
    expect((await fetch(`${url}/v1/sandboxes/${id}`, { headers: auth })).status).toBe(200);
  });

  it("holds a script's permit until its event stream ends", async () => {
    const url = await serve({ maxConcurrentExecs: 1 });
    const { id } = (await (await post(`${url}/v1/sandboxes`, {})).json()) as { id: string };
    const stream = await post(
      `${url}/v1/sandboxes/${id}/exec`,
      { script: "echo start; sleep 1; echo end" },
      { Accept: "text/event-stream" },
    );
    expect(stream.status).toBe(200);
    const reader = stream.body!.getReader();
    await reader.read(); // the stream is under way: the headers and a first chunk are out
    const second = await post(`${url}/v1/sandboxes/${id}/exec`, { script: "echo hi" });
    expect(second.status).toBe(503);
    expect(await second.json()).toMatchObject({ code: "unavailable" });
    while (!(await reader.read()).done) {}
    const third = await post(`${url}/v1/sandboxes/${id}/exec`, { script: "echo hi" });
    expect(third.status).toBe(200);
    // Other routes are not scripts: they pass while a script runs.
    expect((await fetch(`${url}/v1/sandboxes/${id}`, { headers: auth })).status).toBe(200);
  });

  it("releases a streamed script's permit when the client goes away", async () => {
    const url = await serve({ maxConcurrentExecs: 1 });
    const { id } = (await (await post(`${url}/v1/sandboxes`, {})).json()) as { id: string };
    const controller = new AbortController();
    const stream = await fetch(`${url}/v1/sandboxes/${id}/exec`, {
      method: "POST",
      headers: { ...auth, Accept: "text/event-stream" },
      body: JSON.stringify({ script: "echo start; while true; do :; done" }),
      signal: controller.signal,
    });
    await stream.body!.getReader().read();
    controller.abort();
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = (await post(`${url}/v1/sandboxes/${id}/exec`, { script: "echo hi" })).status;
    }
    expect(status).toBe(200);
  });

  it("answers 429 to an address past its failed authentications, before looking at the key", async () => {
    const url = await serve({ authFailuresPerSecond: 1, authFailureBurst: 3 });
    const wrong = { Authorization: "Bearer cairn_key_madeup_000000000000" };
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      statuses.push((await fetch(`${url}/v1/sandboxes`, { headers: wrong })).status);
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    const refused = await fetch(`${url}/v1/sandboxes`, { headers: auth });
    expect(refused.status).toBe(429); // the address, not the key: until a token is back
    expect(refused.headers.get("retry-after")).toBe("1");
    await new Promise((r) => setTimeout(r, 1100));
    expect((await fetch(`${url}/v1/sandboxes`, { headers: auth })).status).toBe(200);
  });

  it("GET /v1/limits reports what is configured", async () => {
    const url = await serve({ sandboxMaxFiles: 7, rateLimitPerSecond: 9 });
    const res = await fetch(`${url}/v1/limits`, { headers: auth });
    expect(await res.json()).toMatchObject({
      sandboxMaxFiles: 7,
      rateLimitPerSecond: 9,
      maxPathDepth: 256,
    });
    expect((await fetch(`${url}/v1/limits`)).status).toBe(401);
  });
});

describe("a flood from one key", () => {
  it("10,000 requests over the limit leave the server answering another key", async () => {
    const backend = createMemoryBackend();
    const store = backend.keys as KeyStore;
    const keyFor = async (tenantId: string) => {
      await store.createTenant({ id: tenantId, name: null });
      return (await issueApiKey(store, { tenantId, scopes: ["tenant"] }))!.key;
    };
    const [flooder, neighbour] = [await keyFor("flood"), await keyFor("calm")];
    const server = await startServer({
      app: createApp({
        backend,
        apiKey: null,
        auth: { keys: true },
        limits: { rateLimitPerSecond: 50, rateLimitBurst: 50 },
      }),
      port: 0,
    });
    try {
      const get = (key: string) =>
        fetch(`${server.url}/v1/sandboxes`, { headers: { Authorization: `Bearer ${key}` } });
      const counts = new Map<number, number>();
      let sent = 0;
      const flood = async () => {
        while (sent < 10_000) {
          sent++;
          const res = await get(flooder);
          await res.arrayBuffer();
          counts.set(res.status, (counts.get(res.status) ?? 0) + 1);
        }
      };
      const calm: number[] = [];
      const neighbourly = async () => {
        // One request every 20 ms while the flood lasts: none may be refused.
        while (sent < 10_000) {
          const res = await get(neighbour);
          await res.arrayBuffer();
          calm.push(res.status);
          await new Promise((r) => setTimeout(r, 20));
        }
      };
      await Promise.all([...Array.from({ length: 32 }, flood), neighbourly()]);
      expect([...counts.values()].reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(10_000);
      expect(counts.get(429) ?? 0).toBeGreaterThan(9000);
      expect(calm.length).toBeGreaterThan(5);
      expect(calm.every((s) => s === 200)).toBe(true);
    } finally {
      await server.close();
    }
  }, 120_000);
});
