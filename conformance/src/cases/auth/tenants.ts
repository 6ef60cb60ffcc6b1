/**
 * Tenants and API keys: admin-only management, keys shown once, revocation, read-only and
 * sandbox-limited keys, and tenant isolation (another tenant's sandbox is 404, never 403).
 * Every case needs an admin key (`--admin-key`) and is skipped without one.
 */
import type { Schemas } from "@cairn/spec";
import { defineCases } from "../../case.js";
import type { CaseContext } from "../../context.js";
import { assert, expectProblem, expectStatus } from "../../harness/assert.js";
import { operationSamples } from "../operation-samples.js";

type CreatedKey = Schemas["CreatedApiKey"];

function adminKey(ctx: CaseContext): string {
  return (
    ctx.adminApiKey ??
    ctx.skip("needs an admin key: pass --admin-key (or CAIRN_ADMIN_KEY) to run tenant cases")
  );
}

/** A fresh tenant, deleted after the case (after its sandboxes, which are deleted first). */
async function newTenant(ctx: CaseContext, admin: string): Promise<string> {
  const res = await ctx.request("POST", "/v1/tenants", { auth: admin, body: {} });
  expectStatus(res, 201);
  const { id } = res.json<Schemas["Tenant"]>();
  ctx.defer(async () => {
    const gone = await ctx.request("DELETE", `/v1/tenants/${id}`, { auth: admin });
    expectStatus(gone, 204, 404);
  });
  return id;
}

async function newKey(
  ctx: CaseContext,
  admin: string,
  tenantId: string,
  body: Schemas["CreateKeyRequest"] = {},
): Promise<CreatedKey> {
  const res = await ctx.request("POST", `/v1/tenants/${tenantId}/keys`, { auth: admin, body });
  expectStatus(res, 201);
  return res.json<CreatedKey>();
}

/** A sandbox created with `key`, deleted with it after the case. */
async function sandboxAs(
  ctx: CaseContext,
  key: string,
  body: object = {},
): Promise<Schemas["Sandbox"]> {
  const res = await ctx.request("POST", "/v1/sandboxes", { auth: key, body });
  expectStatus(res, 201);
  const sandbox = res.json<Schemas["Sandbox"]>();
  ctx.defer(async () => {
    const gone = await ctx.request("DELETE", `/v1/sandboxes/${sandbox.id}`, { auth: key });
    expectStatus(gone, 204, 404);
  });
  return sandbox;
}

/** A tenant with one ordinary key. */
async function tenantWithKey(ctx: CaseContext, admin: string) {
  const tenantId = await newTenant(ctx, admin);
  return { tenantId, key: (await newKey(ctx, admin, tenantId)).key };
}

const adminOperations = () =>
  operationSamples().filter((s) => /^\/v1\/(tenants|keys)\b/.test(s.template));

export default defineCases("auth", "tenants", {
  "admin-routes-need-admin": [
    "Every tenant and key operation answers 403 forbidden to a tenant key.",
    async (ctx) => {
      const admin = adminKey(ctx);
      const { key } = await tenantWithKey(ctx, admin);
      const ops = adminOperations();
      assert.ok(ops.length >= 8, `the spec lists ${ops.length} admin operations`);
      for (const sample of ops) {
        const { path, options } = sample.build("");
        const res = await ctx.request(sample.method, path, { ...options, auth: key });
        expectProblem(res, 403, "forbidden");
      }
      expectStatus(await ctx.request("GET", "/v1/tenants", { auth: admin }), 200);
    },
  ],
  "admin-key-reaches-no-sandbox": [
    "An admin key manages tenants and keys only: sandbox routes answer it 403 forbidden.",
    async (ctx) => {
      const res = await ctx.request("GET", "/v1/sandboxes", { auth: adminKey(ctx) });
      expectProblem(res, 403, "forbidden");
    },
  ],
  "create-and-get": [
    "createTenant takes a chosen id once (409 tenant_exists after); getTenant finds it; an unknown one is 404 tenant_not_found.",
    async (ctx) => {
      const admin = adminKey(ctx);
      const id = `conf-${Math.random().toString(36).slice(2, 10)}`;
      const made = await ctx.request("POST", "/v1/tenants", {
        auth: admin,
        body: { id, name: "Conformance" },
      });
      expectStatus(made, 201);
      ctx.defer(async () => {
        expectStatus(await ctx.request("DELETE", `/v1/tenants/${id}`, { auth: admin }), 204, 404);
      });
      assert.deepEqual(
        { id: made.json<Schemas["Tenant"]>().id, name: made.json<Schemas["Tenant"]>().name },
        { id, name: "Conformance" },
      );
      const again = await ctx.request("POST", "/v1/tenants", { auth: admin, body: { id } });
      expectProblem(again, 409, "tenant_exists");
      const got = await ctx.request("GET", `/v1/tenants/${id}`, { auth: admin });
      expectStatus(got, 200);
      assert.equal(got.json<Schemas["Tenant"]>().id, id);
      const missing = await ctx.request("GET", "/v1/tenants/conf-no-such-tenant", { auth: admin });
      expectProblem(missing, 404, "tenant_not_found");
      const noKeys = await ctx.request("POST", "/v1/tenants/conf-no-such-tenant/keys", {
        auth: admin,
        body: {},
      });
      expectProblem(noKeys, 404, "tenant_not_found");
    },
  ],
  "key-shown-once": [
    "createTenantKey returns the key once; listTenantKeys and getKey never show its secret.",
    async (ctx) => {
      const admin = adminKey(ctx);
      const tenantId = await newTenant(ctx, admin);
      const created = await newKey(ctx, admin, tenantId, { name: "conformance" });
      assert.equal(created.tenantId, tenantId);
      assert.deepEqual(created.scopes, ["tenant"]);
      const secret = created.key.slice(`cairn_${created.id}_`.length);
      assert.ok(secret.length >= 43, "the secret has at least 32 random bytes");
      const listed = await ctx.request("GET", `/v1/tenants/${tenantId}/keys`, { auth: admin });
      expectStatus(listed, 200);
      const ids = listed.json<Schemas["ApiKeyPage"]>().items.map((k) => k.id);
      assert.deepEqual(ids, [created.id]);
      const got = await ctx.request("GET", `/v1/keys/${created.id}`, { auth: admin });
      expectStatus(got, 200);
      for (const text of [listed.text, got.text])
        assert.ok(!text.includes(secret), "a listed key must not carry its secret");
      expectStatus(await ctx.request("GET", "/v1/sandboxes", { auth: created.key }), 200);
    },
  ],
  "revoked-key-refused": [
    "revokeKey stops the key at the next request (401 unauthorized); the record keeps revokedAt.",
    async (ctx) => {
      const admin = adminKey(ctx);
      const { key } = await tenantWithKey(ctx, admin);
      const keyId = /^cairn_(key_[A-Za-z0-9]+)_/.exec(key)?.[1] ?? "";
      expectStatus(await ctx.request("GET", "/v1/sandboxes", { auth: key }), 200);
      const revoked = await ctx.request("DELETE", `/v1/keys/${keyId}`, { auth: admin });
      expectStatus(revoked, 200);
      const revokedAt = revoked.json<Schemas["ApiKey"]>().revokedAt;
      assert.ok(revokedAt, "revokedAt is set");
      expectProblem(await ctx.request("GET", "/v1/sandboxes", { auth: key }), 401, "unauthorized");
      const again = await ctx.request("DELETE", `/v1/keys/${keyId}`, { auth: admin });
      expectStatus(again, 200);
      assert.equal(again.json<Schemas["ApiKey"]>().revokedAt, revokedAt);
      const missing = await ctx.request("DELETE", "/v1/keys/key_conformancemissing", {
        auth: admin,
      });
      expectProblem(missing, 404, "key_not_found");
    },
  ],
  "other-tenant-sandbox-404": [
    "On every sandbox operation, another tenant's sandbox is 404 sandbox_not_found, and stays untouched.",
    async (ctx) => {
      const admin = adminKey(ctx);
      const a = await tenantWithKey(ctx, admin);
      const b = await tenantWithKey(ctx, admin);
      const theirs = await sandboxAs(ctx, b.key, {
        files: [{ path: "/conformance.txt", content: "tenant b" }],
      });
      for (const sample of operationSamples().filter((s) => s.template.includes("{sandboxId}"))) {
        const { path, options } = sample.build(theirs.id);
        const res = await ctx.request(sample.method, path, { ...options, auth: a.key });
        expectProblem(res, 404, "sandbox_not_found");
      }
      const listed = await ctx.request("GET", "/v1/sandboxes", { auth: a.key });
      expectStatus(listed, 200);
      const ids = listed.json<Schemas["SandboxPage"]>().items.map((s) => s.id);
      assert.ok(!ids.includes(theirs.id), "another tenant's sandbox must not be listed");
      const still = await ctx.request("GET", `/v1/sandboxes/${theirs.id}`, { auth: b.key });
      expectStatus(still, 200);
      assert.equal(still.json<Schemas["Sandbox"]>().version, theirs.version);
      const file = await ctx.request("GET", `/v1/sandboxes/${theirs.id}/files`, {
        auth: b.key,
        query: { path: "/conformance.txt" },
      });
      expectStatus(file, 200);
      assert.equal(file.text, "tenant b");
    },
  ],
  "read-only-key": [
    "A readOnly key reads and runs exec read-only; every other mutation is 403 forbidden.",
    async (ctx) => {
      const admin = adminKey(ctx);
      const { tenantId, key } = await tenantWithKey(ctx, admin);
      const reader = await newKey(ctx, admin, tenantId, { readOnly: true });
      assert.deepEqual(reader.scopes, ["read"]);
      const sb = await sandboxAs(ctx, key, { files: [{ path: "/a.txt", content: "a" }] });
      const read = await ctx.request("GET", `/v1/sandboxes/${sb.id}/files`, {
        auth: reader.key,
        query: { path: "/a.txt" },
      });
      expectStatus(read, 200);
      assert.equal(read.text, "a");
      const write = await ctx.request("PUT", `/v1/sandboxes/${sb.id}/files`, {
        auth: reader.key,
        query: { path: "/a.txt" },
        body: new TextEncoder().encode("changed"),
      });
      expectProblem(write, 403, "forbidden");
      expectProblem(
        await ctx.request("DELETE", `/v1/sandboxes/${sb.id}`, { auth: reader.key }),
        403,
        "forbidden",
      );
      expectProblem(
        await ctx.request("POST", "/v1/sandboxes", { auth: reader.key, body: {} }),
        403,
        "forbidden",
      );
      const exec = await ctx.request("POST", `/v1/sandboxes/${sb.id}/exec`, {
        auth: reader.key,
        body: { script: "cat /a.txt; echo b > /a.txt" },
      });
      expectStatus(exec, 200);
      const result = exec.json<Schemas["ExecResult"]>();
      assert.equal(result.stdout, "a");
      assert.notEqual(result.exitCode, 0, "a write in a read-only exec fails");
      const after = await ctx.request("GET", `/v1/sandboxes/${sb.id}`, { auth: key });
      assert.equal(after.json<Schemas["Sandbox"]>().version, sb.version);
    },
  ],
  "sandbox-limited-key": [
    "A key limited to some sandboxes sees only them: others are 404, the list shows only them, creating is 403.",
    async (ctx) => {
      const admin = adminKey(ctx);
      const { tenantId, key } = await tenantWithKey(ctx, admin);
      const mine = await sandboxAs(ctx, key);
      const other = await sandboxAs(ctx, key);
      const limited = await newKey(ctx, admin, tenantId, { sandboxIds: [mine.id] });
      assert.deepEqual(limited.sandboxIds, [mine.id]);
      expectStatus(
        await ctx.request("GET", `/v1/sandboxes/${mine.id}`, { auth: limited.key }),
        200,
      );
      expectProblem(
        await ctx.request("GET", `/v1/sandboxes/${other.id}`, { auth: limited.key }),
        404,
        "sandbox_not_found",
      );
      expectProblem(
        await ctx.request("DELETE", `/v1/sandboxes/${other.id}`, { auth: limited.key }),
        404,
        "sandbox_not_found",
      );
      const listed = await ctx.request("GET", "/v1/sandboxes", { auth: limited.key });
      expectStatus(listed, 200);
      const ids = listed.json<Schemas["SandboxPage"]>().items.map((s) => s.id);
      assert.deepEqual(ids, [mine.id]);
      expectProblem(
        await ctx.request("POST", "/v1/sandboxes", { auth: limited.key, body: {} }),
        403,
        "forbidden",
      );
    },
  ],
  "sandbox-limited-key-cannot-change-policy": [
    "A key limited to some sandboxes may use them but not change their policy (403 forbidden), so an operator's read-only or deny rules hold against the agent holding it.",
    async (ctx) => {
      const admin = adminKey(ctx);
      const { tenantId, key } = await tenantWithKey(ctx, admin);
      const sandbox = await sandboxAs(ctx, key, { policy: { readOnly: true, denySecrets: true } });
      const agent = await newKey(ctx, admin, tenantId, { sandboxIds: [sandbox.id] });
      const lift = await ctx.request("PATCH", `/v1/sandboxes/${sandbox.id}`, {
        auth: agent.key,
        body: { policy: { readOnly: false } },
      });
      expectProblem(lift, 403, "forbidden");
      const renamed = await ctx.request("PATCH", `/v1/sandboxes/${sandbox.id}`, {
        auth: agent.key,
        body: { name: "agent's" },
      });
      expectStatus(renamed, 200);
      assert.equal(renamed.json<Schemas["Sandbox"]>().policy.readOnly, true);
      const owner = await ctx.request("PATCH", `/v1/sandboxes/${sandbox.id}`, {
        auth: key,
        body: { policy: { readOnly: false } },
      });
      expectStatus(owner, 200);
    },
  ],
  "delete-tenant": [
    "deleteTenant refuses a tenant that owns sandboxes (409 tenant_not_empty); once empty it is deleted with its keys.",
    async (ctx) => {
      const admin = adminKey(ctx);
      const { tenantId, key } = await tenantWithKey(ctx, admin);
      const made = await ctx.request("POST", "/v1/sandboxes", { auth: key, body: {} });
      expectStatus(made, 201);
      const sb = made.json<Schemas["Sandbox"]>();
      ctx.defer(async () => {
        // 401 once the tenant (and so the key) is gone: then the sandbox went first.
        const gone = await ctx.request("DELETE", `/v1/sandboxes/${sb.id}`, { auth: key });
        expectStatus(gone, 204, 404, 401);
      });
      const busy = await ctx.request("DELETE", `/v1/tenants/${tenantId}`, { auth: admin });
      expectProblem(busy, 409, "tenant_not_empty");
      expectStatus(await ctx.request("DELETE", `/v1/sandboxes/${sb.id}`, { auth: key }), 204);
      expectStatus(await ctx.request("DELETE", `/v1/tenants/${tenantId}`, { auth: admin }), 204);
      expectProblem(await ctx.request("GET", "/v1/sandboxes", { auth: key }), 401, "unauthorized");
      expectProblem(
        await ctx.request("GET", `/v1/tenants/${tenantId}`, { auth: admin }),
        404,
        "tenant_not_found",
      );
    },
  ],
  "tenant-limits-set-and-shown": [
    "updateTenant replaces a tenant's limits ({} clears them); the tenant, and GET /v1/limits with its key, show them; bad values are 400, an unknown tenant 404.",
    async (ctx) => {
      const admin = adminKey(ctx);
      const made = await ctx.request("POST", "/v1/tenants", {
        auth: admin,
        body: { limits: { sandboxMaxFiles: 5000 } },
      });
      expectStatus(made, 201);
      const tenantId = made.json<Schemas["Tenant"]>().id;
      ctx.defer(async () => {
        expectStatus(await ctx.request("DELETE", `/v1/tenants/${tenantId}`, { auth: admin }), 204);
      });
      assert.deepEqual(made.json<Schemas["Tenant"]>().limits, { sandboxMaxFiles: 5000 });
      const { key } = await newKey(ctx, admin, tenantId);
      const server = (await ctx.request("GET", "/v1/limits", { auth: admin })).json<
        Schemas["Limits"]
      >();
      const limits = { rateLimitPerSecond: 7777, rateLimitBurst: 8888, sandboxMaxBytes: 123456 };
      const set = await ctx.request("PATCH", `/v1/tenants/${tenantId}`, {
        auth: admin,
        body: { limits },
      });
      expectStatus(set, 200);
      assert.deepEqual(set.json<Schemas["Tenant"]>().limits, limits);
      const got = await ctx.request("GET", `/v1/tenants/${tenantId}`, { auth: admin });
      assert.deepEqual(got.json<Schemas["Tenant"]>().limits, limits);
      const seen = await ctx.request("GET", "/v1/limits", { auth: key });
      expectStatus(seen, 200);
      assert.deepEqual(
        { ...seen.json<Schemas["Limits"]>() },
        { ...server, ...limits },
        "the tenant's key sees its own limits, the server's for the rest",
      );
      const cleared = await ctx.request("PATCH", `/v1/tenants/${tenantId}`, {
        auth: admin,
        body: { limits: {} },
      });
      assert.deepEqual(cleared.json<Schemas["Tenant"]>().limits, {});
      assert.deepEqual(
        (await ctx.request("GET", "/v1/limits", { auth: key })).json<Schemas["Limits"]>(),
        server,
      );
      for (const body of [
        { limits: { rateLimitPerSecond: -1 } },
        { limits: { sandboxMaxFiles: 0 } },
        { limits: { unknown: 1 } },
        {},
      ]) {
        const bad = await ctx.request("PATCH", `/v1/tenants/${tenantId}`, { auth: admin, body });
        expectProblem(bad, 400, "invalid_request");
      }
      const missing = await ctx.request("PATCH", "/v1/tenants/conf-no-such-tenant", {
        auth: admin,
        body: { limits: {} },
      });
      expectProblem(missing, 404, "tenant_not_found");
    },
  ],
  "tenant-rate-limit": [
    "A tenant's own rate applies to its keys: past its burst, 429 rate_limited with Retry-After, while another tenant's key goes on.",
    async (ctx) => {
      const admin = adminKey(ctx);
      const limited = await tenantWithKey(ctx, admin);
      const other = await tenantWithKey(ctx, admin);
      const set = await ctx.request("PATCH", `/v1/tenants/${limited.tenantId}`, {
        auth: admin,
        body: { limits: { rateLimitPerSecond: 1, rateLimitBurst: 2 } },
      });
      expectStatus(set, 200);
      let refused: Awaited<ReturnType<typeof ctx.request>> | undefined;
      // Two at once, then one a second: ten requests in a row cannot all pass.
      for (let i = 0; i < 10 && !refused; i++) {
        const res = await ctx.request("GET", "/v1/sandboxes", { auth: limited.key });
        if (res.status === 429) refused = res;
        else expectStatus(res, 200);
      }
      assert.ok(refused, "the tenant's key was never refused");
      expectProblem(refused, 429, "rate_limited");
      assert.ok(refused.header("retry-after"), "a 429 says when to retry");
      expectStatus(await ctx.request("GET", "/v1/sandboxes", { auth: other.key }), 200);
    },
  ],
  "tenant-quota": [
    "A tenant's own sandboxMaxBytes applies to its sandboxes: a write past it is 507 EDQUOT, one within it lands.",
    async (ctx) => {
      const admin = adminKey(ctx);
      const { tenantId, key } = await tenantWithKey(ctx, admin);
      const set = await ctx.request("PATCH", `/v1/tenants/${tenantId}`, {
        auth: admin,
        body: { limits: { sandboxMaxBytes: 100 } },
      });
      expectStatus(set, 200);
      const sandbox = await sandboxAs(ctx, key);
      const put = (path: string, bytes: number) =>
        ctx.request("PUT", `/v1/sandboxes/${sandbox.id}/files`, {
          auth: key,
          query: { path },
          body: new Uint8Array(bytes),
        });
      expectStatus(await put("/small.bin", 60), 200, 201);
      expectProblem(await put("/big.bin", 60), 507, "EDQUOT");
    },
  ],
});
