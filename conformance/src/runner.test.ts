/** Tests of runConformance and the case context against a tiny fake server (no reference server). */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConformanceCase, defineCases } from "./case.js";
import { expectStatus } from "./harness/assert.js";
import { runConformance } from "./runner.js";

let server: Server;
let baseUrl: string;
const deleted: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/v1/health" && url.searchParams.get("mode") === "broken") {
      res.writeHead(500, { "content-type": "text/plain" }).end("boom");
    } else if (url.pathname === "/v1/health" && url.searchParams.get("mode") === "bad-body") {
      res.writeHead(200, { "content-type": "application/json" }).end('{"status":"fine"}');
    } else if (url.pathname === "/v1/health") {
      res
        .writeHead(200, { "content-type": "application/json" })
        .end('{"status":"ok","version":"t"}');
    } else if (url.pathname === "/v1/sandboxes" && req.method === "POST") {
      const now = new Date().toISOString();
      const body = {
        id: "sbx_fake1",
        name: null,
        version: 0,
        env: {},
        persistShell: false,
        runtimes: [],
        policy: { readOnly: false, denySecrets: false, denyGlobs: [], redactSecrets: false },
        shell: null,
        createdAt: now,
        updatedAt: now,
        expiresAt: null,
        idleTimeout: null,
        idleExpiresAt: null,
      };
      res.writeHead(201, {
        "content-type": "application/json",
        location: "/v1/sandboxes/sbx_fake1",
      });
      res.end(JSON.stringify(body));
    } else if (url.pathname.startsWith("/v1/sandboxes/") && req.method === "DELETE") {
      deleted.push(url.pathname.split("/")[3] ?? "");
      res.writeHead(204).end();
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const health = (mode?: string) => async (ctx: Parameters<ConformanceCase["run"]>[0]) => {
  expectStatus(await ctx.request("GET", "/v1/health", { query: { mode }, auth: false }), 200);
};

const cases = defineCases("system", "fake", {
  passes: ["passes", health()],
  "undeclared-status": ["fails on an undeclared status", health("broken")],
  "bad-body": ["fails on a schema violation", health("bad-body")],
  "too-slow": ["times out", () => new Promise((resolve) => setTimeout(resolve, 5_000))],
  "uses-sandbox": [
    "creates a sandbox that is deleted afterwards",
    async (ctx) => {
      await ctx.sandbox();
    },
  ],
  skipped: ["is skipped", health()],
});

describe("runConformance", () => {
  it("runs cases, reports each outcome and cleans up sandboxes", async () => {
    const report = await runConformance({
      baseUrl,
      apiKey: "k",
      cases,
      timeoutMs: 200,
      skip: [{ reason: "testing skips", cases: ["system/fake/skipped"] }],
    });
    const byId = Object.fromEntries(report.results.map((r) => [r.id.split("/")[2], r]));
    expect([report.passed, report.failed, report.skipped]).toEqual([2, 3, 1]);
    expect(byId["undeclared-status"]?.error?.message).toMatch(
      /GET \/v1\/health\?mode=broken \(getHealth\) → 500\n {2}- status 500 is not declared \(declared: 200\)/,
    );
    expect(byId["bad-body"]?.error?.message).toMatch(
      /body\/status must be equal to one of the allowed values/,
    );
    expect(byId["too-slow"]?.error?.message).toMatch(/did not finish within 200 ms/);
    expect(byId.skipped?.skipReason).toBe("testing skips");
    expect(deleted).toEqual(["sbx_fake1"]);
  });

  it("filters with only", async () => {
    const report = await runConformance({
      baseUrl,
      apiKey: "k",
      cases,
      only: "system/fake/passes",
    });
    expect(report.results.map((r) => r.id)).toEqual(["system/fake/passes"]);
  });

  it("a case that leaves a rejected promise behind fails, and the run goes on to the end", async () => {
    const leaky = defineCases("system", "leaky", {
      "floating-rejection": [
        "fails, and a promise it started rejects after it ended",
        async () => {
          // What readers-beside-writer once did: a helper promise nobody awaits any more.
          void new Promise((_, reject) => setTimeout(() => reject(new Error("late")), 20));
          throw new Error("the case failed");
        },
      ],
      "after-it": [
        "runs after the leaky case",
        async (ctx) => {
          await new Promise((resolve) => setTimeout(resolve, 60));
          await health()(ctx);
        },
      ],
    });
    const report = await runConformance({ baseUrl, apiKey: "k", cases: leaky });
    const byId = Object.fromEntries(report.results.map((r) => [r.id.split("/")[2], r]));
    expect([report.passed, report.failed]).toEqual([1, 1]);
    expect(byId["floating-rejection"]?.error?.message).toMatch(/the case failed/);
    expect(byId["floating-rejection"]?.error?.message).toMatch(
      /left a promise that rejected: late/,
    );
    expect(byId["after-it"]?.status).toBe("passed");
  });
});
