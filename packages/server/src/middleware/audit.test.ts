/** The audit log over real HTTP: who did what to which sandbox, with what outcome; never content or keys. */
import { createMemoryBackend } from "@cairn/backend-memory";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createApp } from "../app.js";
import { type RunningServer, startServer } from "../serve.js";
import { type AuditEvent, stdoutAuditSink } from "./audit.js";

const KEY = "test-key-audit-0123456789";
const auth = { Authorization: `Bearer ${KEY}`, "Content-Type": "application/json" };

describe("audit log", () => {
  const events: AuditEvent[] = [];
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({
      app: createApp({
        backend: createMemoryBackend(),
        apiKey: KEY,
        audit: (event) => events.push(event),
      }),
      port: 0,
    });
  });
  afterAll(() => server.close());

  it("records each request's operation, sandbox, path, outcome and duration", async () => {
    const created = await fetch(`${server.url}/v1/sandboxes`, {
      method: "POST",
      headers: { ...auth, "X-Request-Id": "audit-create-1" },
      body: "{}",
    });
    const { id } = (await created.json()) as { id: string };
    const secret = "the content must not be logged";
    await fetch(`${server.url}/v1/sandboxes/${id}/files?path=/notes.txt`, {
      method: "PUT",
      headers: { Authorization: auth.Authorization },
      body: secret,
    });
    await fetch(`${server.url}/v1/sandboxes/${id}/files?path=/missing`, { headers: auth });

    const create = events.find((e) => e.requestId === "audit-create-1")!;
    expect(create).toMatchObject({
      operation: "createSandbox",
      method: "POST",
      status: 201,
      code: null,
      credential: "static",
      tenantId: "default",
      sandboxId: null,
    });
    expect(create.durationMs).toBeGreaterThanOrEqual(0);
    expect(events.find((e) => e.operation === "writeFile")).toMatchObject({
      sandboxId: id,
      path: "/notes.txt",
      status: 201,
    });
    expect(events.find((e) => e.operation === "readFile")).toMatchObject({
      path: "/missing",
      status: 404,
      code: "ENOENT",
    });
    const logged = JSON.stringify(events);
    expect(logged).not.toContain(secret);
    expect(logged).not.toContain(KEY);
  });

  it("records refused credentials, without the key that was sent", async () => {
    const wrong = "wrong-key-that-must-not-appear";
    await fetch(`${server.url}/v1/sandboxes`, {
      headers: { Authorization: `Bearer ${wrong}`, "X-Request-Id": "audit-denied-1" },
    });
    expect(events.find((e) => e.requestId === "audit-denied-1")).toMatchObject({
      operation: "listSandboxes",
      status: 401,
      code: "unauthorized",
      credential: "none",
      keyId: null,
    });
    expect(JSON.stringify(events)).not.toContain(wrong);
  });
});

describe("stdout audit sink", () => {
  it("writes the events of one event-loop turn as JSON lines in one write", async () => {
    const writes: string[] = [];
    const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      writes.push(String(chunk));
      return true;
    });
    try {
      const event = (requestId: string) =>
        ({ requestId, status: 200, operation: "readFile" }) as unknown as AuditEvent;
      stdoutAuditSink(event("a"));
      stdoutAuditSink(event("b"));
      expect(writes).toEqual([]);
      await new Promise((resolve) => setImmediate(resolve));
      stdoutAuditSink(event("c"));
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      write.mockRestore();
    }
    expect(
      writes.map((w) =>
        w
          .split("\n")
          .filter(Boolean)
          .map((l) => JSON.parse(l).audit.requestId),
      ),
    ).toEqual([["a", "b"], ["c"]]);
  });
});
