import { createMemoryBackend } from "@cairn/backend-memory";
import type { Backend } from "@cairn/core";
import { describe, expect, it, vi } from "vitest";
import { createApp } from "./app.js";

const KEY = "test-key-0123456789";
const auth = { Authorization: `Bearer ${KEY}` };

describe("createApp", () => {
  it("echoes a sane x-request-id and replaces an insane one", async () => {
    const app = createApp({ backend: createMemoryBackend(), apiKey: KEY });
    const kept = await app.request("/v1/health", { headers: { "x-request-id": "abc-123" } });
    expect(kept.headers.get("x-request-id")).toBe("abc-123");
    const replaced = await app.request("/v1/health", {
      headers: { "x-request-id": "bad id\u00e9" },
    });
    expect(replaced.headers.get("x-request-id")).toMatch(/^req_[0-9a-f]{24}$/);
  });

  it("answers an unknown route with a route_not_found problem", async () => {
    const app = createApp({ backend: createMemoryBackend(), apiKey: KEY });
    const res = await app.request("/v2/nothing", { headers: auth });
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(await res.json()).toMatchObject({ code: "route_not_found", retryable: false });
  });

  it("turns a backend failure into a non-retryable 500 and reports it once", async () => {
    const failing: Backend = {
      ...createMemoryBackend(),
      getSandbox: () => Promise.reject(new Error("connection reset")),
    };
    const onInternalError = vi.fn();
    const app = createApp({ backend: failing, apiKey: KEY, onInternalError });
    const res = await app.request("/v1/sandboxes/sbx_abc", { headers: auth });
    expect(res.status).toBe(500);
    const body = await res.json();
    expect(body).toMatchObject({ code: "internal_error", retryable: false });
    expect(body.detail).not.toContain("connection reset");
    expect(onInternalError).toHaveBeenCalledTimes(1);
  });

  it("rejects a body over the limit with 413 and writes nothing", async () => {
    const app = createApp({
      backend: createMemoryBackend(),
      apiKey: KEY,
      limits: { maxBodyBytes: 1024 },
    });
    const created = await app.request("/v1/sandboxes", { method: "POST", headers: auth });
    const { id } = await created.json();
    const res = await app.request(`/v1/sandboxes/${id}/files?path=/big`, {
      method: "PUT",
      headers: { ...auth, "content-type": "application/octet-stream" },
      body: new Uint8Array(2048),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: "payload_too_large" });
    const stat = await app.request(`/v1/sandboxes/${id}/fs/stat?path=/big`, { headers: auth });
    expect(stat.status).toBe(404);
  });

  it("with apiKey null serves without authentication", async () => {
    const app = createApp({ backend: createMemoryBackend(), apiKey: null });
    const res = await app.request("/v1/sandboxes", { method: "POST" });
    expect(res.status).toBe(201);
  });

  it("refuses an empty API key at construction", () => {
    expect(() => createApp({ backend: createMemoryBackend(), apiKey: "" })).toThrow(/apiKey/);
  });

  it("rejects an exec timeout above the server's maximum", async () => {
    const app = createApp({
      backend: createMemoryBackend(),
      apiKey: KEY,
      limits: { maxExecTimeoutMs: 1000 },
    });
    const { id } = await (
      await app.request("/v1/sandboxes", { method: "POST", headers: auth })
    ).json();
    const res = await app.request(`/v1/sandboxes/${id}/exec`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ script: "echo hi", timeoutMs: 5000 }),
    });
    expect(res.status).toBe(400);
    expect((await res.json()).detail).toContain("at most 1000");
  });
});
