/** Exec over real HTTP: a client that goes away aborts the script, commits nothing and holds no lock. */
import { createMemoryBackend } from "@cairn/backend-memory";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../app.js";
import { type RunningServer, startServer } from "../serve.js";

const KEY = "test-key-0123456789";
const headers = { Authorization: `Bearer ${KEY}`, "Content-Type": "application/json" };

describe("exec when the client disconnects", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({
      app: createApp({ backend: createMemoryBackend(), apiKey: KEY }),
      port: 0,
    });
  });
  afterAll(() => server.close());

  async function post(path: string, body: unknown, init: RequestInit = {}) {
    return fetch(`${server.url}${path}`, {
      method: "POST",
      headers: { ...headers, ...(init.headers as Record<string, string>) },
      body: JSON.stringify(body),
      signal: init.signal,
    });
  }

  async function newSandbox(): Promise<{ id: string; version: number }> {
    return (await post("/v1/sandboxes", {})).json() as Promise<{ id: string; version: number }>;
  }

  async function exec(id: string, script: string) {
    const res = await post(`/v1/sandboxes/${id}/exec`, { script });
    return (await res.json()) as { stdout: string; commit: { version: number } };
  }

  /** Runs a script that writes, then loops, and drops the connection once it has started. */
  async function abandon(id: string, accept: string): Promise<void> {
    const controller = new AbortController();
    const pending = post(
      `/v1/sandboxes/${id}/exec`,
      { script: "echo started > /marker; echo go; while true; do echo x >> /spin; done" },
      { headers: { Accept: accept }, signal: controller.signal },
    ).catch(() => undefined);
    if (accept === "text/event-stream") {
      // The event stream is open: read until output arrives, then hang up.
      await (await pending)?.body?.getReader().read();
    } else {
      await new Promise((r) => setTimeout(r, 300));
    }
    controller.abort();
    await pending;
  }

  for (const accept of ["application/json", "text/event-stream"]) {
    it(`${accept}: stops the script, commits nothing, and the next write proceeds`, async () => {
      const sandbox = await newSandbox();
      await abandon(sandbox.id, accept);
      const next = await exec(sandbox.id, "echo after >> /log; ls /");
      expect(next.stdout).toBe("bin\nhome\nlog\ntmp\nusr\n");
      expect(next.commit.version).toBe(sandbox.version + 1);
    });
  }
});
