/**
 * In Chromium: the API called from pages on other origins (allowed and refused by
 * `--cors-origin`), the admin view on Postgres (tenants, a key shown once, revoke), and a check
 * that the axe harness does report violations.
 */
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createDatabase,
  launchChromium,
  runCli,
  type Server,
  seriousViolations,
  skipReason,
  startCairn,
} from "./harness.js";

const KEY = "console-cors-key-0123456789";

/** A page on its own origin that calls the API with fetch, as a browser app would. */
async function startOtherOrigin(): Promise<{ server: HttpServer; port: number }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html" });
    res.end("<!doctype html><title>other app</title><p>another origin</p>");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

interface CallResult {
  ok: boolean;
  status?: number;
  etag?: string | null;
  requestId?: string | null;
  error?: string;
}

/** From the page: create a sandbox, then PUT a file with If-Match (a preflighted request). */
function callApi(page: Page, api: string): Promise<CallResult> {
  return page.evaluate(
    async ({ api, key }) => {
      try {
        const created = await fetch(`${api}/v1/sandboxes`, {
          method: "POST",
          headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
          body: "{}",
        });
        const { id } = (await created.json()) as { id: string };
        const put = await fetch(`${api}/v1/sandboxes/${id}/files?path=/x.txt`, {
          method: "PUT",
          headers: {
            Authorization: `Bearer ${key}`,
            "Content-Type": "application/octet-stream",
            "If-None-Match": "*",
            "Idempotency-Key": "k1",
          },
          body: "hi",
        });
        return {
          ok: put.ok,
          status: put.status,
          etag: put.headers.get("ETag"),
          requestId: put.headers.get("X-Request-Id"),
        };
      } catch (error) {
        return { ok: false, error: String(error) };
      }
    },
    { api, key: KEY },
  );
}

describe.skipIf(skipReason)("CORS from other origins, in Chromium", () => {
  let browser: Browser;
  let other: { server: HttpServer; port: number };
  let cairn: Server;

  beforeAll(async () => {
    other = await startOtherOrigin();
    // 127.0.0.1:<port> is allowed; localhost:<port>, the same page under another name, is not.
    cairn = await startCairn([
      "--memory",
      "--api-key",
      KEY,
      "--cors-origin",
      `http://127.0.0.1:${other.port}`,
    ]);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await cairn?.stop();
    other?.server.close();
  });

  it("lets an allowed origin call the API and read ETag and X-Request-Id", async () => {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${other.port}/`);
    const result = await callApi(page, cairn.url);
    expect(result).toMatchObject({ ok: true, status: 201 });
    expect(result.etag).toMatch(/^"[0-9a-f]{64}"$/);
    expect(result.requestId).toMatch(/^req_/);
    await page.close();
  });

  it("refuses another origin: the browser blocks the call", async () => {
    const page = await browser.newPage();
    await page.goto(`http://localhost:${other.port}/`);
    const result = await callApi(page, cairn.url);
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/TypeError: Failed to fetch/);
    await page.close();
  });

  it("is off without --cors-origin", async () => {
    const plain = await startCairn(["--memory", "--api-key", KEY]);
    try {
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${other.port}/`);
      const result = await callApi(page, plain.url);
      expect(result.error).toMatch(/TypeError: Failed to fetch/);
      await page.close();
    } finally {
      await plain.stop();
    }
  });

  it("the axe harness reports what it should (an unlabelled input, an image without alt)", async () => {
    const page = await browser.newPage();
    await page.setContent(
      `<!doctype html><html lang="en"><title>t</title><main><img src="data:,"><input></main></html>`,
    );
    const ids = (await seriousViolations(page)).map((v) => v.id).sort();
    expect(ids).toEqual(expect.arrayContaining(["image-alt", "label"]));
    await page.close();
  });
});

describe.skipIf(skipReason)("admin view on Postgres, in Chromium", () => {
  let browser: Browser;
  let page: Page;
  let server: Server;
  let db: { url: string; drop(): Promise<void> };
  let adminKey: string;

  beforeAll(async () => {
    db = await createDatabase();
    // Migrate, then make the first admin key straight in the database, as an operator does.
    await runCli(["migrate", "--database-url", db.url]);
    const printed = await runCli([
      "token",
      "create",
      "--admin",
      "--name",
      "root",
      "--database-url",
      db.url,
    ]);
    adminKey = /cairn_key_\S+/.exec(printed)?.[0] ?? "";
    expect(adminKey).not.toBe("");
    server = await startCairn(["--database-url", db.url, "--no-static-key"]);
    browser = await launchChromium();
    page = await browser.newPage();
    page.setDefaultTimeout(10_000);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await db?.drop();
  });

  it("signs in as admin, creates a tenant and a key shown once, and revokes it", async () => {
    await page.goto(`${server.url}/`);
    await page.getByLabel("API key").fill(adminKey);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Tenants and keys" }).waitFor();
    await page.getByLabel("Tenant id (optional)").fill("acme");
    await page.getByLabel("Name", { exact: true }).fill("<i>Acme</i>");
    await page.getByRole("button", { name: "Create tenant" }).click();
    await page.getByRole("heading", { name: "Keys of acme" }).waitFor();
    expect(await page.getByRole("cell", { name: "<i>Acme</i>" }).count()).toBe(1);
    await page.getByLabel("Key name").fill("agent");
    await page.getByRole("button", { name: "Create key" }).click();
    const shown = page.getByLabel("New API key");
    await shown.waitFor();
    const tenantKey = await shown.inputValue();
    expect(tenantKey).toMatch(/^cairn_key_/);
    const violations = await seriousViolations(page);
    expect(violations, JSON.stringify(violations, null, 1)).toEqual([]);
    // The key works, until it is revoked.
    const ok = await fetch(`${server.url}/v1/sandboxes`, {
      headers: { Authorization: `Bearer ${tenantKey}` },
    });
    expect(ok.status).toBe(200);
    await page.getByRole("button", { name: "I have copied it" }).click();
    expect(await page.getByLabel("New API key").count()).toBe(0);
    expect(await page.content()).not.toContain(tenantKey);
    await page.getByRole("button", { name: "Revoke agent" }).click();
    const dialog = page.getByRole("dialog", { name: "Revoke this key?" });
    await dialog.getByRole("button", { name: "Revoke key" }).click();
    await expect.poll(() => page.getByRole("button", { name: "Revoke agent" }).count()).toBe(0);
    const refused = await fetch(`${server.url}/v1/sandboxes`, {
      headers: { Authorization: `Bearer ${tenantKey}` },
    });
    expect(refused.status).toBe(401);
  });
});
