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
});
