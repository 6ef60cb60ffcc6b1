import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import { ConflictError, PermissionDeniedError } from "./errors.js";
import { API_KEY, newClient, problem, server, url, useServer } from "./test-server.js";

useServer();

const keyData = (id: string, overrides = {}) => ({
  id,
  tenantId: "acme",
  name: null,
  scopes: ["tenant" as const],
  sandboxIds: null,
  createdAt: "2025-01-01T00:00:00.000Z",
  lastUsedAt: null,
  expiresAt: null,
  revokedAt: null,
  ...overrides,
});

describe("cairn.tenants and cairn.keys", () => {
  it("tenants.create posts the id and name with the bearer key", async () => {
    let seen: { auth: string | null; body: unknown } | undefined;
    server.use(
      http.post(url("/v1/tenants"), async ({ request }) => {
        seen = { auth: request.headers.get("authorization"), body: await request.json() };
        return HttpResponse.json(
          { id: "acme", name: "Acme", createdAt: "2025-01-01T00:00:00.000Z" },
          { status: 201 },
        );
      }),
    );
    const tenant = await newClient().tenants.create({ id: "acme", name: "Acme" });
    expect(seen).toEqual({ auth: `Bearer ${API_KEY}`, body: { id: "acme", name: "Acme" } });
    expect(tenant).toMatchObject({ id: "acme", name: "Acme" });
  });

  it("tenants.list and listKeys send the page query", async () => {
    const queries: string[] = [];
    server.use(
      http.get(url("/v1/tenants"), ({ request }) => {
        queries.push(new URL(request.url).search);
        return HttpResponse.json({ items: [], nextCursor: null });
      }),
      http.get(url("/v1/tenants/acme/keys"), ({ request }) => {
        queries.push(new URL(request.url).search);
        return HttpResponse.json({ items: [keyData("key_1")], nextCursor: "abc" });
      }),
    );
    const client = newClient();
    expect(await client.tenants.list({ limit: 10, cursor: "xyz" })).toEqual({
      items: [],
      nextCursor: null,
    });
    const keys = await client.tenants.listKeys("acme", { limit: 5 });
    expect(keys.items.map((k) => k.id)).toEqual(["key_1"]);
    expect(queries).toEqual(["?limit=10&cursor=xyz", "?limit=5"]);
  });

  it("tenants.createKey returns the key shown once", async () => {
    let body: unknown;
    server.use(
      http.post(url("/v1/tenants/acme/keys"), async ({ request }) => {
        body = await request.json();
        return HttpResponse.json(
          { ...keyData("key_2", { scopes: ["read"] }), key: "cairn_key_2_secret" },
          { status: 201 },
        );
      }),
    );
    const created = await newClient().tenants.createKey("acme", {
      readOnly: true,
      sandboxIds: ["sbx_1"],
    });
    expect(body).toEqual({ readOnly: true, sandboxIds: ["sbx_1"] });
    expect(created).toMatchObject({ id: "key_2", scopes: ["read"], key: "cairn_key_2_secret" });
  });

  it("keys.revoke deletes the key and returns its record; get reads it", async () => {
    server.use(
      http.delete(url("/v1/keys/key_3"), () =>
        HttpResponse.json(keyData("key_3", { revokedAt: "2025-02-02T00:00:00.000Z" })),
      ),
      http.get(url("/v1/keys/key_3"), () => HttpResponse.json(keyData("key_3"))),
    );
    const client = newClient();
    expect((await client.keys.revoke("key_3")).revokedAt).toBe("2025-02-02T00:00:00.000Z");
    expect((await client.keys.get("key_3")).id).toBe("key_3");
  });

  it("maps 403 forbidden and 409 tenant_not_empty to typed errors", async () => {
    server.use(
      http.get(url("/v1/tenants/acme"), () => problem(403, "forbidden")),
      http.delete(url("/v1/tenants/acme"), () => problem(409, "tenant_not_empty")),
    );
    const client = newClient({ maxRetries: 0 });
    await expect(client.tenants.get("acme")).rejects.toBeInstanceOf(PermissionDeniedError);
    const error = await client.tenants.delete("acme").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ code: "tenant_not_empty", status: 409 });
  });
});
