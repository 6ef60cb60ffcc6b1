import { createMemoryBackend } from "@cairn/backend-memory";
import { describe, expect, it } from "vitest";
import { createApp } from "../app.js";

const KEY = "test-key-0123456789";
const ALLOWED = "http://app.example.test";

function appWith(corsOrigins?: string[]) {
  return createApp({ backend: createMemoryBackend(), apiKey: KEY, corsOrigins });
}

function preflight(origin: string, method = "PUT") {
  return {
    method: "OPTIONS",
    headers: {
      Origin: origin,
      "Access-Control-Request-Method": method,
      "Access-Control-Request-Headers": "authorization,if-match,content-type",
    },
  };
}

describe("CORS", () => {
  it("is off by default: a preflight meets authentication (401) and no CORS header", async () => {
    const res = await appWith().request("/v1/sandboxes/sbx_a/files?path=/x", preflight(ALLOWED));
    expect(res.status).toBe(401);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("answers an allowed origin's preflight before authentication", async () => {
    const res = await appWith([ALLOWED]).request(
      "/v1/sandboxes/sbx_a/files?path=/x",
      preflight(ALLOWED),
    );
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    const methods = res.headers.get("access-control-allow-methods")?.split(",") ?? [];
    expect(methods).toEqual(expect.arrayContaining(["GET", "POST", "PUT", "PATCH", "DELETE"]));
    const headers = res.headers.get("access-control-allow-headers")?.toLowerCase().split(",");
    expect(headers).toEqual(
      expect.arrayContaining([
        "authorization",
        "content-type",
        "idempotency-key",
        "if-match",
        "if-none-match",
        "range",
        "last-event-id",
      ]),
    );
    expect(res.headers.get("vary")).toMatch(/Origin/);
  });

  it("gives another origin's preflight no Allow-Origin, so the browser refuses", async () => {
    const res = await appWith([ALLOWED]).request("/v1/sandboxes", preflight("http://evil.test"));
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("exposes ETag, Retry-After, Idempotent-Replayed and X-Request-Id on answers, errors too", async () => {
    const app = appWith([ALLOWED]);
    const auth = { Authorization: `Bearer ${KEY}`, Origin: ALLOWED };
    const created = await app.request("/v1/sandboxes", { method: "POST", headers: auth });
    expect(created.status).toBe(201);
    expect(created.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    const exposed = created.headers.get("access-control-expose-headers")?.split(",") ?? [];
    expect(exposed).toEqual(
      expect.arrayContaining(["ETag", "Retry-After", "Idempotent-Replayed", "X-Request-Id"]),
    );
    const refused = await app.request("/v1/sandboxes", { headers: { Origin: ALLOWED } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    const other = await app.request("/v1/sandboxes", {
      headers: { ...auth, Origin: "http://evil.test" },
    });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });
});
