/** The client signal of requests from the wire: a client that goes away, or a shutdown, stops a script. */
import { getEventListeners } from "node:events";
import { createMemoryBackend } from "@cairn/backend-memory";
import { afterEach, describe, expect, it } from "vitest";
import { createApp } from "./app.js";
import { Drain } from "./drain.js";
import { type RunningServer, startServer } from "./serve.js";

const KEY = "test-key-0123456789";
const headers = { authorization: `Bearer ${KEY}`, "content-type": "application/json" };

describe("client signal", () => {
  let server: RunningServer | undefined;
  afterEach(() => server?.close());

  async function serve(drain: Drain) {
    server = await startServer({
      app: createApp({ backend: createMemoryBackend(), apiKey: KEY, drain }),
      port: 0,
    });
    const url = server.url;
    const created = await fetch(`${url}/v1/sandboxes`, { method: "POST", headers, body: "{}" });
    const { id } = (await created.json()) as { id: string };
    const exec = (script: string) =>
      fetch(`${url}/v1/sandboxes/${id}/exec`, {
        method: "POST",
        headers,
        body: JSON.stringify({ script }),
      });
    return { exec };
  }

  it("a finished request lets go of the shutdown signal it also listened to", async () => {
    const drain = new Drain();
    const { exec } = await serve(drain);
    const before = getEventListeners(drain.signal, "abort").length;
    for (let i = 0; i < 20; i++) expect((await exec("echo hi")).status).toBe(200);
    expect(getEventListeners(drain.signal, "abort").length).toBe(before);
  });

  it("many requests in flight at once listen to the shutdown signal without a leak warning", async () => {
    const drain = new Drain();
    const { exec } = await serve(drain);
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on("warning", onWarning);
    try {
      const running = Array.from({ length: 32 }, () => exec("sleep 0.2"));
      for (const res of await Promise.all(running)) expect(res.status).toBe(200);
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off("warning", onWarning);
    }
    expect(warnings).not.toContain("MaxListenersExceededWarning");
  });

  it("a shutdown past its deadline stops a running script, as a client going away would", async () => {
    const drain = new Drain();
    const { exec } = await serve(drain);
    const started = performance.now();
    const running = exec("sleep 20; echo never");
    await new Promise((resolve) => setTimeout(resolve, 300));
    drain.abort();
    const res = await running;
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(await res.text()).not.toContain("never");
  });
});
