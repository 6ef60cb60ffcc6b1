/**
 * End to end: `cairn token` against the database of a real `cairn serve` process — the
 * bootstrap of the first admin key, tenant keys, listing without secrets, and revocation.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sleep } from "./test-http.js";
import { createDatabase, type TestDatabase } from "./test-postgres.js";
import {
  type CairnServer,
  CLI,
  exitOf,
  run,
  startCairn,
  stopProcess,
  waitForStdout,
} from "./test-process.js";

const CONFORMANCE_CLI = join(
  dirname(fileURLToPath(import.meta.resolve("@cairn/conformance"))),
  "cli.js",
);

async function cairn(args: string[], env: NodeJS.ProcessEnv = {}) {
  const proc = run(CLI, args, env);
  const code = await exitOf(proc.child);
  return { code, ...proc.output() };
}

async function http(url: string, key: string | null, method: string, body?: unknown) {
  const res = await fetch(url, {
    method,
    headers: {
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

describe("cairn token (PostgreSQL)", () => {
  let db: TestDatabase;
  let server: CairnServer;
  let admin: string;
  const dbArgs = () => ["--database-url", db.url];

  beforeAll(async () => {
    db = await createDatabase();
    // The bootstrap: straight in the database, before any server runs.
    const made = await cairn(["token", "create", "--admin", "--name", "root", ...dbArgs()]);
    expect(made.code, made.stderr).toBe(0);
    admin = made.stdout.trim();
    expect(admin).toMatch(/^cairn_key_[A-Za-z0-9]+_[A-Za-z0-9_-]{43}$/);
    expect(made.stderr).toContain("shown once");
    server = await startCairn({ apiKey: "", databaseUrl: db.url, args: ["--no-static-key"] });
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await db?.drop();
  });

  it("the server says it takes stored keys, and no HTTP path makes an admin key", async () => {
    expect(server.output().stdout).toContain("stored API keys: accepted");
    expect((await http(`${server.url}/v1/tenants`, null, "POST", { id: "x" })).status).toBe(401);
    expect((await http(`${server.url}/v1/sandboxes`, null, "GET")).status).toBe(401);
  });

  it("admin and CLI keys work; tenants are isolated; read keys only read", async () => {
    expect((await http(`${server.url}/v1/tenants`, admin, "POST", { id: "acme" })).status).toBe(
      201,
    );
    const acme = await http(`${server.url}/v1/tenants/acme/keys`, admin, "POST", { name: "a" });
    expect(acme.status).toBe(201);
    const acmeKey = acme.body.key as string;
    const made = await cairn([
      "token",
      "create",
      "--tenant",
      "globex",
      "--create-tenant",
      "--read-only",
      "--json",
      ...dbArgs(),
    ]);
    expect(made.code, made.stderr).toBe(0);
    const globex = JSON.parse(made.stdout) as { key: string; scopes: string[]; tenantId: string };
    expect(globex).toMatchObject({ scopes: ["read"], tenantId: "globex" });

    const sb = await http(`${server.url}/v1/sandboxes`, acmeKey, "POST", {});
    expect(sb.status).toBe(201);
    const other = await http(`${server.url}/v1/sandboxes/${sb.body.id}`, globex.key, "GET");
    expect(other.status).toBe(404);
    expect(other.body.code).toBe("sandbox_not_found");
    const write = await http(`${server.url}/v1/sandboxes`, globex.key, "POST", {});
    expect(write).toMatchObject({ status: 403, body: { code: "forbidden" } });
    expect((await http(`${server.url}/v1/sandboxes`, globex.key, "GET")).status).toBe(200);
    expect((await http(`${server.url}/v1/tenants`, acmeKey, "GET")).status).toBe(403);
    expect((await http(`${server.url}/v1/sandboxes`, admin, "GET")).status).toBe(403);
    expect((await http(`${server.url}/v1/sandboxes/${sb.body.id}`, acmeKey, "DELETE")).status).toBe(
      204,
    );
  });

  it("lists keys without secrets and revokes one: the server refuses it within its 1 s key cache", async () => {
    const made = await cairn(["token", "create", "--tenant", "acme", ...dbArgs()]);
    expect(made.code, made.stderr).toBe(0);
    const key = made.stdout.trim();
    const keyId = /^cairn_(key_[A-Za-z0-9]+)_/.exec(key)![1]!;
    expect((await http(`${server.url}/v1/sandboxes`, key, "GET")).status).toBe(200);

    const listed = await cairn(["token", "list", "--tenant", "acme", ...dbArgs()]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^ID\s+TENANT\s+SCOPES\s+STATE/);
    expect(listed.stdout).toContain(keyId);
    expect(listed.stdout).not.toContain(key.slice(-43));
    const all = JSON.parse((await cairn(["token", "list", "--json", ...dbArgs()])).stdout) as {
      id: string;
      tenantId: string | null;
    }[];
    expect(all.some((k) => k.tenantId === null)).toBe(true);
    expect(JSON.stringify(all)).not.toMatch(/secret/i);

    const revoked = await cairn(["token", "revoke", keyId, ...dbArgs()]);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stderr).toContain(`revoked key for tenant acme ${keyId}`);
    // Another process revoked it: this server trusts what it read for at most 1 s.
    await sleep(1100);
    const refused = await http(`${server.url}/v1/sandboxes`, key, "GET");
    expect(refused).toMatchObject({ status: 401, body: { code: "unauthorized" } });
    const state = await cairn(["token", "list", "--tenant", "acme", ...dbArgs()]);
    expect(state.stdout).toMatch(new RegExp(`${keyId}\\s+acme\\s+tenant\\s+revoked`));
    expect((await cairn(["token", "revoke", "key_nothing", ...dbArgs()])).code).toBe(1);
  });

  it("refuses bad invocations", async () => {
    const both = await cairn(["token", "create", "--admin", "--tenant", "x", ...dbArgs()]);
    expect(both.code).toBe(2);
    const missing = await cairn(["token", "create", "--tenant", "nobody", ...dbArgs()]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("--create-tenant");
    expect((await cairn(["token", "frobnicate", ...dbArgs()])).code).toBe(2);
  });

  it("the conformance CLI's tenant cases pass with the admin key", async () => {
    const conformance = run(CONFORMANCE_CLI, [
      "--url",
      server.url,
      "--admin-key",
      admin,
      "--only",
      "auth/**",
    ]);
    const code = await exitOf(conformance.child);
    const { stdout, stderr } = conformance.output();
    const summary = stdout.trim().split("\n").at(-1) ?? "";
    expect(summary, `${stdout}\n${stderr}`).toMatch(/^[1-9]\d* passed, 0 failed$/);
    expect(code).toBe(0);
  }, 120_000);
});

describe("cairn token (embedded PGlite)", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "cairn-token-"));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("refuses while a server holds the data dir, works once it has stopped", async () => {
    const serve = run(CLI, ["serve", "--port", "0", "--data-dir", dataDir, "--no-static-key"]);
    await waitForStdout(serve, /listening on (http:\/\/\S+)/);
    const busy = await cairn(["token", "create", "--admin", "--data-dir", dataDir]);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toContain("in use by cairn serve");
    await stopProcess(serve.child, "SIGTERM");

    const made = await cairn(["token", "create", "--admin", "--data-dir", dataDir]);
    expect(made.code, made.stderr).toBe(0);
    const admin = made.stdout.trim();
    const again = run(CLI, ["serve", "--port", "0", "--data-dir", dataDir, "--no-static-key"]);
    try {
      const [, url] = await waitForStdout(again, /listening on (http:\/\/\S+)/);
      expect((await http(`${url}/v1/tenants`, admin, "GET")).status).toBe(200);
    } finally {
      await stopProcess(again.child, "SIGTERM");
    }
  }, 60_000);
});
