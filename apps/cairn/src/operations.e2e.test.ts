/**
 * What an operator sees of a real `cairn serve` on Postgres: the metrics port (parsed with a
 * Prometheus text parser), readiness with the migrations, the API reference at /docs, and the
 * application log as JSON lines on stderr carrying request ids, apart from the audit log.
 */
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, type TestDatabase } from "./test-postgres.js";
import { type CairnServer, startCairn } from "./test-process.js";

const KEY = "operations-e2e-key-0123456789";
const TOKEN = "metrics-token-0123456789";

interface Family {
  name: string;
  metrics: Array<{ labels?: Record<string, string>; value?: string }>;
}

describe("cairn serve for operators", () => {
  let db: TestDatabase | undefined;
  let server: CairnServer;
  let metricsUrl: string;

  beforeAll(async () => {
    db = await createDatabase();
    server = await startCairn({
      apiKey: KEY,
      databaseUrl: db.url,
      args: ["--metrics-port", "0", "--metrics-token", TOKEN, "--log-level", "debug"],
    });
    metricsUrl = /metrics: (http:\/\/\S+\/metrics)/.exec(server.output().stdout)?.[1] ?? "";
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await db?.drop();
  }, 60_000);

  async function scrape(): Promise<(name: string, labels?: Record<string, string>) => number> {
    const res = await fetch(metricsUrl, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const families = parsePrometheusTextFormat(await res.text()) as Family[];
    return (name, labels = {}) => {
      const sample = families
        .find((f) => f.name === name)
        ?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
      return sample ? Number(sample.value) : Number.NaN;
    };
  }

  it("serves metrics on their own port behind their token, with the database pool", async () => {
    expect(metricsUrl).not.toBe("");
    expect(new URL(metricsUrl).port).not.toBe(new URL(server.url).port);
    expect((await fetch(metricsUrl)).status).toBe(401);
    // Not on the API port.
    expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
    const before = await scrape();
    const created = await fetch(`${server.url}/v1/sandboxes`, {
      method: "POST",
      headers: { Authorization: `Bearer ${KEY}`, "Content-Type": "application/json" },
      body: "{}",
    });
    expect(created.status).toBe(201);
    const after = await scrape();
    const requests = (v: typeof before) =>
      v("cairn_http_requests_total", { operation: "createSandbox", status: "201" }) || 0;
    expect(requests(after) - requests(before)).toBe(1);
    expect(after("cairn_db_pool_max")).toBe(10);
    expect(after("cairn_db_pool_in_use")).toBe(0);
    expect(after("cairn_db_pool_waiting")).toBe(0);
    expect(after("cairn_build_info", { version: "0.1.0" })).toBe(1);
  });

  it("is ready with every migration applied", async () => {
    const res = await fetch(`${server.url}/v1/ready`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      status: string;
      storage: { migrations: { applied: number; expected: number } };
    };
    expect(body.status).toBe("ready");
    expect(body.storage.migrations.applied).toBe(body.storage.migrations.expected);
    expect(body.storage.migrations.expected).toBeGreaterThan(0);
  });

  it("serves the API reference at /docs, self-contained", async () => {
    const res = await fetch(`${server.url}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain("<title>Cairn API reference</title>");
    expect(html).toContain("getReady");
    // Nothing is fetched from elsewhere: no external scripts or stylesheets.
    expect(html).not.toMatch(/<script[^>]+src=["']https?:/);
    expect(html).not.toMatch(/<link[^>]+href=["']https?:/);
  });

  it("logs JSON lines with request ids on stderr, apart from the audit log on stdout", async () => {
    const id = "req-operations-e2e-1";
    await fetch(`${server.url}/v1/sandboxes`, {
      headers: { Authorization: `Bearer ${KEY}`, "x-request-id": id },
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const { stdout, stderr } = server.output();
    const lines = stderr
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.find((l) => l.msg === "listening")).toMatchObject({ level: 30 });
    expect(lines.find((l) => l.reqId === id)).toMatchObject({
      level: 20,
      msg: "request",
      operation: "listSandboxes",
      status: 200,
    });
    expect(stderr).not.toContain('"audit"');
    expect(stdout).toContain(`"requestId":"${id}"`);
  });
});
