import { createMemoryBackend } from "@cairn/backend-memory";
import { SandboxService } from "@cairn/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../app.js";
import { type RunningServer, startServer } from "../serve.js";
import { createMetrics } from "./metrics.js";
import { metricsApp } from "./metrics-app.js";
import { Scrape } from "./test-prometheus.js";

const KEY = "test-key-0123456789";
const TOKEN = "scrape-token-0123";
const auth = { Authorization: `Bearer ${KEY}`, "Content-Type": "application/json" };

describe("/metrics after a known sequence of requests", () => {
  const backend = createMemoryBackend();
  const metrics = createMetrics({ build: { version: "9.9.9" } });
  // A second writer over the same storage, as another replica would be.
  const other = new SandboxService({ backend });
  let api: RunningServer;
  let scraper: RunningServer;
  const scrape = () => Scrape.from(`${scraper.url}/metrics`, { Authorization: `Bearer ${TOKEN}` });
  const call = (method: string, path: string, body?: unknown) =>
    fetch(`${api.url}${path}`, {
      method,
      headers: auth,
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  beforeAll(async () => {
    const app = createApp({
      backend,
      apiKey: KEY,
      metrics,
      limits: { rateLimitPerSecond: 1, rateLimitBurst: 30, maxConcurrentExecs: 1 },
    });
    api = await startServer({ app, port: 0 });
    scraper = await startServer({ app: metricsApp(metrics, { token: TOKEN }), port: 0 });
  });
  afterAll(async () => {
    await api.close();
    await scraper.close();
  });

  it("refuses a scrape without its token, and says what build this is", async () => {
    expect((await fetch(`${scraper.url}/metrics`)).status).toBe(401);
    const before = await scrape();
    expect(before.value("cairn_build_info", { version: "9.9.9" })).toBe(1);
    expect(before.has("cairn_process_cpu_seconds_total")).toBe(true);
  });

  it("moves request, exec, commit, cache, stream and rejection series", async () => {
    const before = await scrape();
    const created = await call("POST", "/v1/sandboxes", {});
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    expect((await call("POST", `/v1/sandboxes/${id}/exec`, { script: "echo hi > f" })).status).toBe(
      200,
    );
    expect((await call("POST", `/v1/sandboxes/${id}/exec`, { script: "cat f" })).status).toBe(200);
    const slow = await call("POST", `/v1/sandboxes/${id}/exec`, {
      script: "sleep 5",
      timeoutMs: 100,
    });
    expect(slow.status).toBe(408);
    expect((await call("GET", "/v1/sandboxes/sbx_missing")).status).toBe(404);
    expect((await fetch(`${api.url}/v1/health`)).status).toBe(200);

    // A commit that loses a race to another writer is run again: one conflict, one retry.
    const racing = call("POST", `/v1/sandboxes/${id}/exec`, {
      script: "cat f; sleep 0.3; echo a >> f",
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await other.mutate({ tenantId: "default" }, id, (vfs) =>
      vfs.writeFile("/other", new Uint8Array([1])),
    );
    expect((await racing).status).toBe(200);

    // A streamed exec holds one stream open until it ends; a second exec meanwhile is gated.
    const stream = await fetch(`${api.url}/v1/sandboxes/${id}/exec`, {
      method: "POST",
      headers: { ...auth, Accept: "text/event-stream" },
      body: JSON.stringify({ script: "sleep 0.4; echo done" }),
    });
    const during = await scrape();
    const gated = await call("POST", `/v1/sandboxes/${id}/exec`, { script: "true" });
    expect(gated.status).toBe(503);
    expect(await stream.text()).toContain("event: exit");
    const after = await scrape();

    const moved = (name: string, labels: Record<string, string> = {}) =>
      after.value(name, labels) - before.value(name, labels);
    expect(moved("cairn_http_requests_total", { operation: "createSandbox", status: "201" })).toBe(
      1,
    );
    expect(moved("cairn_http_requests_total", { operation: "execScript", status: "200" })).toBe(4);
    expect(moved("cairn_http_requests_total", { operation: "execScript", status: "408" })).toBe(1);
    expect(moved("cairn_http_requests_total", { operation: "execScript", status: "503" })).toBe(1);
    expect(moved("cairn_http_requests_total", { operation: "getSandbox", status: "404" })).toBe(1);
    expect(moved("cairn_http_requests_total", { operation: "getHealth", status: "200" })).toBe(1);
    expect(
      moved("cairn_http_request_duration_seconds_count", {
        operation: "execScript",
        status: "408",
      }),
    ).toBe(1);
    expect(moved("cairn_exec_total", { outcome: "committed" })).toBe(2);
    expect(moved("cairn_exec_total", { outcome: "unchanged" })).toBe(2);
    expect(moved("cairn_exec_total", { outcome: "timeout" })).toBe(1);
    expect(moved("cairn_exec_duration_seconds_count", { outcome: "timeout" })).toBe(1);
    expect(moved("cairn_commit_attempts_total", { result: "committed" })).toBe(2);
    expect(moved("cairn_commit_attempts_total", { result: "conflict" })).toBe(1);
    expect(moved("cairn_commit_retries_total")).toBe(1);
    expect(moved("cairn_rejections_total", { reason: "scripts" })).toBe(1);
    expect(during.value("cairn_sse_streams_open")).toBe(1);
    expect(after.value("cairn_sse_streams_open")).toBe(0);
    expect(after.value("cairn_cache_bytes", { cache: "trees" })).toBeGreaterThan(0);
    expect(moved("cairn_cache_lookups", { cache: "trees", result: "hit" })).toBeGreaterThan(0);
    expect(after.value("cairn_cache_hit_ratio", { cache: "trees" })).toBeGreaterThan(0);
  });

  it("counts rate-limit rejections by reason", async () => {
    const before = await scrape();
    let limited = 0;
    for (let i = 0; i < 40 && limited === 0; i++) {
      if ((await call("GET", "/v1/sandboxes")).status === 429) limited++;
    }
    expect(limited).toBe(1);
    const after = await scrape();
    expect(
      after.value("cairn_rejections_total", { reason: "rate_limited" }) -
        before.value("cairn_rejections_total", { reason: "rate_limited" }),
    ).toBe(1);
    expect(
      after.value("cairn_http_requests_total", { operation: "listSandboxes", status: "429" }),
    ).toBe(1);
  });

  it("takes a second app on the same registry, counting each service once", async () => {
    const second = createApp({ backend: createMemoryBackend(), apiKey: KEY, metrics });
    const again = createApp({ backend, apiKey: KEY, metrics, service: other });
    expect((await second.request("/v1/health")).status).toBe(200);
    expect((await again.request("/v1/health")).status).toBe(200);
    const after = await scrape();
    expect(after.value("cairn_cache_budget_bytes", { cache: "trees" })).toBe(3 * (256 << 20));
  });
});
