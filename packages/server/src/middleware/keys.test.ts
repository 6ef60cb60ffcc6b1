import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createMemoryBackend } from "@cairn/backend-memory";
import { type Backend, issueApiKey, type KeyStore } from "@cairn/core";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../app.js";

const STATIC = "static-key-0123456789";
const HS_SECRET = "hs256-secret-for-tests-0123456789abcdef";
const json = { "content-type": "application/json" };

function setup(options: { keyCacheTtlMs?: number; apiKey?: string | null } = {}) {
  const backend: Backend = createMemoryBackend();
  const store = backend.keys as KeyStore;
  const app = createApp({
    backend,
    apiKey: options.apiKey === undefined ? STATIC : options.apiKey,
    auth: { keys: true, keyCacheTtlMs: options.keyCacheTtlMs },
  });
  const call = (key: string, method: string, path: string, body?: unknown) =>
    app.request(path, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : json) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  return { backend, store, app, call };
}

async function tenantKey(store: KeyStore, tenantId: string, extra = {}) {
  await store.createTenant({ id: tenantId, name: null });
  const issued = await issueApiKey(store, { tenantId, scopes: ["tenant"], ...extra });
  return issued!.key;
}

describe("stored API keys", () => {
  it("authenticate as their tenant; the static key keeps working for tenant default", async () => {
    const { store, call } = setup();
    const a = await tenantKey(store, "acme");
    const created = await call(a, "POST", "/v1/sandboxes", {});
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    expect((await call(a, "GET", `/v1/sandboxes/${id}`)).status).toBe(200);
    // The static key is tenant "default": acme's sandbox does not exist for it.
    const other = await call(STATIC, "GET", `/v1/sandboxes/${id}`);
    expect(other.status).toBe(404);
    expect(await other.json()).toMatchObject({ code: "sandbox_not_found" });
    expect((await call(STATIC, "GET", "/v1/sandboxes")).status).toBe(200);
  });

  it("refuse a wrong secret, an unknown id and a malformed key with 401", async () => {
    const { store, call } = setup();
    const key = await tenantKey(store, "acme");
    const wrongSecret = `${key.slice(0, -4)}AAAA`;
    const unknownId = key.replace(/^cairn_key_[A-Za-z0-9]{4}/, "cairn_key_ZZZZ");
    for (const bad of [wrongSecret, unknownId, `${key}-wrong`, "cairn_key_x_y"]) {
      const res = await call(bad, "GET", "/v1/sandboxes");
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toContain("Bearer");
      expect(await res.json()).toMatchObject({ code: "unauthorized" });
    }
  });

  it("store only the hash of the secret", async () => {
    const { store } = setup();
    const key = await tenantKey(store, "acme");
    const [, id, secret] = /^cairn_(key_[A-Za-z0-9]+)_(.+)$/.exec(key)!;
    const stored = await store.findApiKey(id!);
    expect(JSON.stringify(stored)).not.toContain(secret!);
    expect(stored?.secretHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("a revoked key is refused on the next request, even with a cache", async () => {
    const { store, call } = setup({ keyCacheTtlMs: 60_000 });
    const admin = (await issueApiKey(store, { tenantId: null, scopes: ["admin"] }))!.key;
    const key = await tenantKey(store, "acme");
    expect((await call(key, "GET", "/v1/sandboxes")).status).toBe(200);
    const keyId = /^cairn_(key_[A-Za-z0-9]+)_/.exec(key)![1]!;
    const revoked = await call(admin, "DELETE", `/v1/keys/${keyId}`);
    expect(revoked.status).toBe(200);
    expect(((await revoked.json()) as { revokedAt: string | null }).revokedAt).not.toBeNull();
    const res = await call(key, "GET", "/v1/sandboxes");
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: "unauthorized", detail: "API key revoked" });
  });

  it("without a cache, a revocation elsewhere (another replica, the CLI) counts at once", async () => {
    const { store, call } = setup({ keyCacheTtlMs: 0 });
    const key = await tenantKey(store, "acme");
    expect((await call(key, "GET", "/v1/sandboxes")).status).toBe(200);
    await store.revokeApiKey(/^cairn_(key_[A-Za-z0-9]+)_/.exec(key)![1]!);
    expect((await call(key, "GET", "/v1/sandboxes")).status).toBe(401);
  });

  it("an expired key is refused", async () => {
    const { store, call } = setup();
    const key = await tenantKey(store, "acme", { expiresAt: new Date(Date.now() - 1000) });
    const res = await call(key, "GET", "/v1/sandboxes");
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ detail: "API key expired" });
  });

  it("records lastUsedAt lazily", async () => {
    const { store, call } = setup();
    const key = await tenantKey(store, "acme");
    const keyId = /^cairn_(key_[A-Za-z0-9]+)_/.exec(key)![1]!;
    expect((await store.findApiKey(keyId))?.lastUsedAt).toBeNull();
    await call(key, "GET", "/v1/sandboxes");
    await new Promise((r) => setTimeout(r, 10));
    const first = (await store.findApiKey(keyId))?.lastUsedAt;
    expect(first).toBeInstanceOf(Date);
    await call(key, "GET", "/v1/sandboxes");
    await new Promise((r) => setTimeout(r, 10));
    expect((await store.findApiKey(keyId))?.lastUsedAt).toEqual(first);
  });

  it("with apiKey null and keys on, only stored keys get in", async () => {
    const { store, call, app } = setup({ apiKey: null });
    const key = await tenantKey(store, "acme");
    expect((await call(key, "GET", "/v1/sandboxes")).status).toBe(200);
    expect((await app.request("/v1/sandboxes")).status).toBe(401);
    expect((await call(STATIC, "GET", "/v1/sandboxes")).status).toBe(401);
  });
});

describe("scopes", () => {
  it("a read key reads, runs exec read-only, and is refused every mutation", async () => {
    const { store, call } = setup();
    const writer = await tenantKey(store, "acme");
    const reader = (await issueApiKey(store, { tenantId: "acme", scopes: ["read"] }))!.key;
    const sb = (await (
      await call(writer, "POST", "/v1/sandboxes", {
        files: [{ path: "/a.txt", content: "hello" }],
      })
    ).json()) as { id: string };
    const read = await call(reader, "GET", `/v1/sandboxes/${sb.id}/files?path=/a.txt`);
    expect(read.status).toBe(200);
    expect(await read.text()).toBe("hello");
    const exec = await call(reader, "POST", `/v1/sandboxes/${sb.id}/exec`, {
      script: "cat /a.txt; echo x > /b.txt",
    });
    expect(exec.status).toBe(200);
    const result = (await exec.json()) as { stdout: string; exitCode: number };
    expect(result.stdout).toBe("hello");
    expect(result.exitCode).not.toBe(0);
    const batch = await call(reader, "POST", `/v1/sandboxes/${sb.id}/exec/batch`, {
      steps: [{ script: "echo y > /c.txt" }],
    });
    expect(batch.status).toBe(200);
    const listing = await call(writer, "GET", `/v1/sandboxes/${sb.id}/fs/list?path=/`);
    const names = ((await listing.json()) as { entries: { name: string }[] }).entries.map(
      (e) => e.name,
    );
    // A new sandbox holds its home and /tmp from the start.
    expect(names).toEqual(["a.txt", "home", "tmp"]);
    for (const [method, path, body] of [
      ["POST", "/v1/sandboxes", {}],
      ["DELETE", `/v1/sandboxes/${sb.id}`, undefined],
      ["PATCH", `/v1/sandboxes/${sb.id}`, { name: "x" }],
      ["POST", `/v1/sandboxes/${sb.id}/fs/mkdir`, { path: "/d" }],
      ["DELETE", `/v1/sandboxes/${sb.id}/files?path=/a.txt`, undefined],
    ] as const) {
      const res = await call(reader, method, path, body);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(await res.json()).toMatchObject({ code: "forbidden" });
    }
  });

  it("a key limited to some sandboxes sees no other (404), lists only them, creates none", async () => {
    const { store, call } = setup();
    const writer = await tenantKey(store, "acme");
    const create = async () =>
      ((await (await call(writer, "POST", "/v1/sandboxes", {})).json()) as { id: string }).id;
    const [mine, other] = [await create(), await create()];
    const limited = (await issueApiKey(store, {
      tenantId: "acme",
      scopes: ["tenant"],
      sandboxIds: [mine, "sbx_gone"],
    }))!.key;
    expect((await call(limited, "GET", `/v1/sandboxes/${mine}`)).status).toBe(200);
    const hidden = await call(limited, "GET", `/v1/sandboxes/${other}`);
    expect(hidden.status).toBe(404);
    expect(await hidden.json()).toMatchObject({ code: "sandbox_not_found" });
    expect((await call(limited, "DELETE", `/v1/sandboxes/${other}`)).status).toBe(404);
    const list = (await (await call(limited, "GET", "/v1/sandboxes")).json()) as {
      items: { id: string }[];
      nextCursor: null;
    };
    expect(list.items.map((s) => s.id)).toEqual([mine]);
    const refused = await call(limited, "POST", "/v1/sandboxes", {});
    expect(refused.status).toBe(403);
    expect((await call(writer, "GET", `/v1/sandboxes/${other}`)).status).toBe(200);
  });

  it("an admin key manages tenants but reaches no sandbox; a tenant key is refused admin routes", async () => {
    const { store, call } = setup();
    const admin = (await issueApiKey(store, { tenantId: null, scopes: ["admin"] }))!.key;
    const tenant = await tenantKey(store, "acme");
    const sandboxes = await call(admin, "GET", "/v1/sandboxes");
    expect(sandboxes.status).toBe(403);
    expect(await sandboxes.json()).toMatchObject({ code: "forbidden" });
    for (const [method, path] of [
      ["GET", "/v1/tenants"],
      ["POST", "/v1/tenants"],
      ["GET", "/v1/tenants/acme"],
      ["DELETE", "/v1/tenants/acme"],
      ["GET", "/v1/tenants/acme/keys"],
      ["POST", "/v1/tenants/acme/keys"],
      ["DELETE", "/v1/keys/key_abc"],
    ] as const) {
      for (const key of [tenant, STATIC]) {
        const res = await call(key, method, path, method === "POST" ? {} : undefined);
        expect(res.status, `${method} ${path}`).toBe(403);
      }
      expect((await call("nope", method, path)).status).toBe(401);
    }
  });
});

describe("admin routes", () => {
  it("create tenants and keys; a key is shown once; deleting a tenant needs it empty", async () => {
    const { store, call } = setup();
    const admin = (await issueApiKey(store, { tenantId: null, scopes: ["admin"] }))!.key;
    const made = await call(admin, "POST", "/v1/tenants", { id: "acme", name: "Acme" });
    expect(made.status).toBe(201);
    expect(await made.json()).toMatchObject({ id: "acme", name: "Acme" });
    const dup = await call(admin, "POST", "/v1/tenants", { id: "acme" });
    expect(dup.status).toBe(409);
    expect(await dup.json()).toMatchObject({ code: "tenant_exists" });
    const generated = (await (await call(admin, "POST", "/v1/tenants", {})).json()) as {
      id: string;
    };
    expect(generated.id).toMatch(/^ten_[A-Za-z0-9]{20}$/);
    const bad = await call(admin, "POST", "/v1/tenants", { id: "no spaces" });
    expect(bad.status).toBe(400);

    const keyRes = await call(admin, "POST", "/v1/tenants/acme/keys", { name: "ci" });
    expect(keyRes.status).toBe(201);
    expect(keyRes.headers.get("cache-control")).toBe("no-store");
    const created = (await keyRes.json()) as { id: string; key: string; scopes: string[] };
    expect(created.key).toMatch(/^cairn_key_[A-Za-z0-9]+_[A-Za-z0-9_-]{43}$/);
    expect(created.scopes).toEqual(["tenant"]);
    const listed = await (await call(admin, "GET", "/v1/tenants/acme/keys")).text();
    expect(listed).toContain(created.id);
    expect(listed).not.toContain(created.key);
    const got = await (await call(admin, "GET", `/v1/keys/${created.id}`)).text();
    expect(got).not.toContain(created.key.slice(-43));

    const missing = await call(admin, "POST", "/v1/tenants/nobody/keys", {});
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: "tenant_not_found" });
    expect((await call(admin, "GET", "/v1/tenants/nobody")).status).toBe(404);
    expect((await call(admin, "DELETE", "/v1/keys/key_nothing")).status).toBe(404);

    const sb = (await (await call(created.key, "POST", "/v1/sandboxes", {})).json()) as {
      id: string;
    };
    const busy = await call(admin, "DELETE", "/v1/tenants/acme");
    expect(busy.status).toBe(409);
    expect(await busy.json()).toMatchObject({ code: "tenant_not_empty" });
    expect((await call(created.key, "DELETE", `/v1/sandboxes/${sb.id}`)).status).toBe(204);
    expect((await call(admin, "DELETE", "/v1/tenants/acme")).status).toBe(204);
    // Its keys went with it.
    expect((await call(created.key, "GET", "/v1/sandboxes")).status).toBe(401);
    expect((await call(admin, "GET", "/v1/tenants/acme")).status).toBe(404);
  });

  it("page through tenants", async () => {
    const { store, call } = setup();
    const admin = (await issueApiKey(store, { tenantId: null, scopes: ["admin"] }))!.key;
    for (const id of ["t1", "t2", "t3"]) await store.createTenant({ id, name: null });
    const first = (await (await call(admin, "GET", "/v1/tenants?limit=2")).json()) as {
      items: { id: string }[];
      nextCursor: string;
    };
    expect(first.items.map((t) => t.id)).toEqual(["t1", "t2"]);
    const second = (await (
      await call(admin, "GET", `/v1/tenants?limit=2&cursor=${first.nextCursor}`)
    ).json()) as { items: { id: string }[]; nextCursor: string | null };
    expect(second).toEqual({ items: [expect.objectContaining({ id: "t3" })], nextCursor: null });
  });
});

describe("JWT", () => {
  let jwksServer: Server;
  let jwksUrl: string;
  let rsa: Awaited<ReturnType<typeof generateKeyPair>>;
  let stranger: Awaited<ReturnType<typeof generateKeyPair>>;

  beforeAll(async () => {
    rsa = await generateKeyPair("RS256");
    stranger = await generateKeyPair("RS256");
    const jwk = { ...(await exportJWK(rsa.publicKey)), kid: "k1", alg: "RS256", use: "sig" };
    jwksServer = createServer((_, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, "127.0.0.1", resolve));
    jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks.json`;
  });
  afterAll(() => new Promise<void>((resolve) => jwksServer.close(() => resolve())));

  function jwtApp() {
    return createApp({
      backend: createMemoryBackend(),
      apiKey: null,
      auth: {
        jwt: {
          hs256Secret: HS_SECRET,
          jwksUrl,
          issuer: "https://platform.example",
          audience: "cairn",
          tenantClaim: "org",
          scopesClaim: "scope",
        },
      },
    });
  }

  const claims = { org: "acme", scope: "tenant" };
  const hs = (payload: Record<string, unknown> = claims, mutate?: (j: SignJWT) => SignJWT) => {
    let jwt = new SignJWT(payload)
      .setProtectedHeader({ alg: "HS256" })
      .setIssuer("https://platform.example")
      .setAudience("cairn")
      .setIssuedAt()
      .setExpirationTime("5m");
    if (mutate) jwt = mutate(jwt);
    return jwt.sign(new TextEncoder().encode(HS_SECRET));
  };
  const rs = (key: CryptoKey, payload: Record<string, unknown> = claims) =>
    new SignJWT(payload)
      .setProtectedHeader({ alg: "RS256", kid: "k1" })
      .setIssuer("https://platform.example")
      .setAudience("cairn")
      .setExpirationTime("5m")
      .sign(key);
  const get = (app: ReturnType<typeof jwtApp>, token: string, path = "/v1/sandboxes") =>
    app.request(path, { headers: { authorization: `Bearer ${token}` } });

  it("maps the tenant claim: HS256 and JWKS tokens of one tenant see the same sandboxes", async () => {
    const app = jwtApp();
    const token = await hs();
    const created = await app.request("/v1/sandboxes", {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, ...json },
      body: "{}",
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    expect((await get(app, await rs(rsa.privateKey), `/v1/sandboxes/${id}`)).status).toBe(200);
    const other = await get(app, await hs({ org: "globex" }), `/v1/sandboxes/${id}`);
    expect(other.status).toBe(404);
  });

  it("refuses bad signatures, expiry, wrong issuer or audience, and missing claims", async () => {
    const app = jwtApp();
    const cases: Record<string, string> = {
      "unknown signing key": await rs(stranger.privateKey),
      "wrong HS256 secret": await new SignJWT(claims)
        .setProtectedHeader({ alg: "HS256" })
        .setIssuer("https://platform.example")
        .setAudience("cairn")
        .sign(new TextEncoder().encode("another-secret-of-32-bytes-or-more!!")),
      expired: await hs(claims, (j) => j.setExpirationTime(Math.floor(Date.now() / 1000) - 120)),
      "not yet valid": await hs(claims, (j) => j.setNotBefore("10m")),
      "wrong issuer": await hs(claims, (j) => j.setIssuer("https://evil.example")),
      "wrong audience": await hs(claims, (j) => j.setAudience("other")),
      "no tenant": await hs({ scope: "tenant" }),
      "bad tenant": await hs({ org: "a b", scope: "tenant" }),
      "no known scope": await hs({ org: "acme", scope: "openid email" }),
      "alg none": `${Buffer.from('{"alg":"none"}').toString("base64url")}.${Buffer.from(
        JSON.stringify({ ...claims, iss: "https://platform.example", aud: "cairn" }),
      ).toString("base64url")}.`,
    };
    for (const [name, token] of Object.entries(cases)) {
      const res = await get(app, token);
      expect(res.status, name).toBe(401);
      expect(await res.json()).toMatchObject({ code: "unauthorized" });
    }
  });

  it("maps scopes: read is read-only, admin reaches the admin routes", async () => {
    const app = jwtApp();
    const reader = await hs({ org: "acme", scope: ["read"] });
    expect((await get(app, reader)).status).toBe(200);
    const post = await app.request("/v1/sandboxes", {
      method: "POST",
      headers: { authorization: `Bearer ${reader}`, ...json },
      body: "{}",
    });
    expect(post.status).toBe(403);
    const admin = await hs({ scope: "admin" });
    // This app has no key store: the admin is recognised, but there is nothing to manage.
    const res = await get(app, admin, "/v1/tenants");
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ detail: "this server keeps no tenants or keys" });
    expect((await get(app, admin)).status).toBe(403);
  });

  it("refuses a short HS256 secret at startup", () => {
    expect(() =>
      createApp({
        backend: createMemoryBackend(),
        apiKey: null,
        auth: { jwt: { hs256Secret: "short" } },
      }),
    ).toThrow(/at least 32 bytes/);
  });
});
