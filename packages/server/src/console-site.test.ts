import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { createMemoryBackend } from "@cairn/backend-memory";
import { describe, expect, it } from "vitest";
import { createApp } from "./app.js";
import { CONSOLE_CSP, loadConsoleSite } from "./console-site.js";

const KEY = "test-key-0123456789";
const INDEX = `<!doctype html><html><head><script type="module" src="/assets/app-abc123.js"></script></head><body><div id="app"></div></body></html>`;
const SCRIPT = `console.log(${JSON.stringify("x".repeat(2000))});`;

function siteDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "cairn-console-"));
  mkdirSync(join(dir, "assets"));
  writeFileSync(join(dir, "index.html"), INDEX);
  writeFileSync(join(dir, "assets", "app-abc123.js"), SCRIPT);
  return dir;
}

function app() {
  return createApp({
    backend: createMemoryBackend(),
    apiKey: KEY,
    console: loadConsoleSite(siteDir()),
  });
}

describe("console site", () => {
  it("serves index.html at / with no-cache and a strict CSP", async () => {
    const res = await app().request("/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("no-cache");
    expect(res.headers.get("content-security-policy")).toBe(CONSOLE_CSP);
    expect(CONSOLE_CSP).toContain("script-src 'self'");
    expect(CONSOLE_CSP).not.toContain("unsafe-inline");
    expect(await res.text()).toBe(INDEX);
  });

  it("serves the app's own routes as index.html (client-side routing)", async () => {
    const res = await app().request("/sandboxes/sbx_abc");
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(INDEX);
  });

  it("serves hashed assets as immutable, gzipped when accepted", async () => {
    const res = await app().request("/assets/app-abc123.js", {
      headers: { "Accept-Encoding": "gzip, br" },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(res.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(res.headers.get("content-encoding")).toBe("gzip");
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(gunzipSync(bytes).toString()).toBe(SCRIPT);
    const plain = await app().request("/assets/app-abc123.js");
    expect(plain.headers.get("content-encoding")).toBeNull();
    expect(await plain.text()).toBe(SCRIPT);
  });

  it("answers a missing asset with 404, not the page", async () => {
    const res = await app().request("/assets/app-old999.js");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
  });

  it("never shadows the API: unknown API paths stay problems, routes still answer", async () => {
    const a = app();
    const unknown = await a.request("/v1/nothing");
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: "route_not_found" });
    const health = await a.request("/v1/health");
    expect(await health.json()).toMatchObject({ status: "ok" });
    const post = await a.request("/", { method: "POST" });
    expect(post.status).toBe(404);
    for (const path of ["/v1", "/mcp", "/mcp/x", "/v1/sandboxes-ui"]) {
      const res = await a.request(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get("content-type"), path).toBe("application/problem+json");
    }
  });

  it("answers HEAD with the headers and no body", async () => {
    const res = await app().request("/", { method: "HEAD" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-length")).toBe(String(INDEX.length));
    expect(await res.text()).toBe("");
  });

  it("is absent unless configured", async () => {
    const res = await createApp({ backend: createMemoryBackend(), apiKey: KEY }).request("/");
    expect(res.status).toBe(404);
  });
});
