import { createMemoryBackend } from "@cairn/backend-memory";
import { type Backend, VersionConflictError } from "@cairn/core";
import { describe, expect, it } from "vitest";
import { createApp } from "../app.js";

const json = { "content-type": "application/json" };

describe("Idempotency-Key", () => {
  it("does not keep a response that applied nothing: a retry runs the request again", async () => {
    const memory = createMemoryBackend();
    let failCommits = false;
    const backend: Backend = {
      ...memory,
      commit: (tenantId, id, changes) => {
        if (failCommits) return Promise.reject(new VersionConflictError(id, changes.baseVersion));
        return memory.commit(tenantId, id, changes);
      },
    };
    const app = createApp({ backend, apiKey: null });
    const sandbox = (await (
      await app.request("/v1/sandboxes", { method: "POST", headers: json, body: "{}" })
    ).json()) as { id: string };
    const exec = () =>
      app.request(`/v1/sandboxes/${sandbox.id}/exec`, {
        method: "POST",
        headers: { ...json, "idempotency-key": "retry-me" },
        body: JSON.stringify({ script: "echo x >> /f; cat /f" }),
      });

    failCommits = true;
    const lost = await exec();
    expect(lost.status).toBe(409);
    expect(await lost.json()).toMatchObject({ code: "conflict", retryable: true });

    failCommits = false;
    const retried = await exec();
    expect(retried.status).toBe(200);
    expect(retried.headers.get("idempotent-replayed")).toBeNull();
    expect(await retried.json()).toMatchObject({ stdout: "x\n", commit: { status: "committed" } });

    const replayed = await exec();
    expect(replayed.headers.get("idempotent-replayed")).toBe("true");
    expect(await replayed.json()).toMatchObject({ stdout: "x\n" });
  });

  it("renews its claim while the request runs; a claim nobody renews is free after the lease", async () => {
    const backend = createMemoryBackend();
    const app = createApp({ backend, apiKey: null, idempotency: { leaseMs: 300 } });
    const sandbox = (await (
      await app.request("/v1/sandboxes", { method: "POST", headers: json, body: "{}" })
    ).json()) as { id: string };
    const exec = (key: string) =>
      app.request(`/v1/sandboxes/${sandbox.id}/exec`, {
        method: "POST",
        headers: { ...json, "idempotency-key": key },
        body: JSON.stringify({ script: "sleep 1; echo x >> /f; cat /f" }),
      });
    const first = exec("slow");
    // Well past the lease, the running request still holds its key: a repeat is refused, not run.
    await new Promise((resolve) => setTimeout(resolve, 700));
    const repeat = await exec("slow");
    expect(repeat.status).toBe(409);
    expect(await repeat.json()).toMatchObject({ code: "idempotency_in_progress" });
    expect(await (await first).json()).toMatchObject({ stdout: "x\n" });

    // A holder that died: its claim is never renewed, and is taken over once the lease ran out.
    await backend.claimIdempotencyKey("default", {
      key: "orphan",
      fingerprint: "whatever",
      windowMs: 60_000,
      leaseMs: 300,
    });
    expect((await exec("orphan")).status).toBe(422); // held (for another request) until then
    await new Promise((resolve) => setTimeout(resolve, 400));
    const taken = await exec("orphan");
    expect(taken.status).toBe(200);
  });

  it("never runs again a request that committed before its server died: the retry says so", async () => {
    const memory = createMemoryBackend();
    // The server "dies" between its commit and storing the response: the answer is never kept
    // and the claim is no longer renewed.
    const dying: Backend = {
      ...memory,
      completeIdempotencyKey: () => Promise.reject(new Error("killed")),
      renewIdempotencyKey: () => Promise.resolve(),
    };
    const options = { apiKey: null, idempotency: { leaseMs: 300 } };
    const first = createApp({ ...options, backend: dying });
    const second = createApp({ ...options, backend: memory });
    const sandbox = (await (
      await first.request("/v1/sandboxes", { method: "POST", headers: json, body: "{}" })
    ).json()) as { id: string; version: number };
    const append = (app: typeof first) =>
      app.request(`/v1/sandboxes/${sandbox.id}/exec`, {
        method: "POST",
        headers: { ...json, "idempotency-key": "append-once" },
        body: JSON.stringify({ script: "echo x >> /f" }),
      });
    expect((await append(first)).status).toBe(200);

    expect(await (await append(second)).json()).toMatchObject({ code: "idempotency_in_progress" });
    await new Promise((resolve) => setTimeout(resolve, 400));
    const retried = await append(second);
    expect(retried.status).toBe(409);
    expect(await retried.json()).toMatchObject({
      code: "idempotency_response_lost",
      retryable: false,
      sandboxId: sandbox.id,
      version: sandbox.version + 1,
    });
    const file = await second.request(`/v1/sandboxes/${sandbox.id}/files?path=/f`);
    expect(await file.text()).toBe("x\n");
  });
});
