import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import { TimeoutError } from "./errors.js";
import { newClient, problem, sandboxData, server, url, useServer } from "./test-server.js";
import type { ExecResult } from "./types.js";

useServer();

const RESULT: ExecResult = {
  exitCode: 0,
  stdout: "hi\n",
  stderr: "",
  durationMs: 3,
  commit: { status: "committed", version: 2 },
};

async function getSandbox(version = 1) {
  server.use(
    http.get(url("/v1/sandboxes/sbx_1"), () =>
      HttpResponse.json(sandboxData("sbx_1", { version })),
    ),
  );
  return newClient().sandboxes.get("sbx_1");
}

describe("sandbox.exec", () => {
  it("posts the script and its options and returns the ExecResult", async () => {
    const sandbox = await getSandbox();
    let body: unknown;
    server.use(
      http.post(url("/v1/sandboxes/sbx_1/exec"), async ({ request }) => {
        body = await request.json();
        return HttpResponse.json(RESULT);
      }),
    );
    const result = await sandbox.exec("echo hi > /a; cat /a", {
      cwd: "/work",
      env: { X: "1" },
      stdin: "in",
      timeoutMs: 5_000,
      commit: "on_success",
    });
    expect(result).toEqual(RESULT);
    expect(body).toEqual({
      script: "echo hi > /a; cat /a",
      cwd: "/work",
      env: { X: "1" },
      stdin: "in",
      timeoutMs: 5_000,
      commit: "on_success",
    });
  });

  it("sends only the script when given no options", async () => {
    const sandbox = await getSandbox();
    let body: unknown;
    server.use(
      http.post(url("/v1/sandboxes/sbx_1/exec"), async ({ request }) => {
        body = await request.json();
        return HttpResponse.json({ ...RESULT, exitCode: 3 });
      }),
    );
    await expect(sandbox.exec("exit 3")).resolves.toMatchObject({ exitCode: 3 });
    expect(body).toEqual({ script: "exit 3" });
  });

  it("throws TimeoutError when the script runs out of time", async () => {
    const sandbox = await getSandbox();
    server.use(http.post(url("/v1/sandboxes/sbx_1/exec"), () => problem(408, "timeout")));
    await expect(sandbox.exec("sleep 99", { timeoutMs: 10 })).rejects.toBeInstanceOf(TimeoutError);
  });
});

describe("sandbox.refresh and delete", () => {
  it("refresh updates the fields in place", async () => {
    const sandbox = await getSandbox(1);
    server.use(
      http.get(url("/v1/sandboxes/sbx_1"), () =>
        HttpResponse.json(
          sandboxData("sbx_1", { version: 9, updatedAt: "2025-02-02T00:00:00.000Z" }),
        ),
      ),
    );
    await expect(sandbox.refresh()).resolves.toBe(sandbox);
    expect(sandbox.version).toBe(9);
    expect(sandbox.updatedAt).toBe("2025-02-02T00:00:00.000Z");
    expect(JSON.parse(JSON.stringify(sandbox))).toMatchObject({ id: "sbx_1", version: 9 });
  });

  it("delete deletes this sandbox", async () => {
    const sandbox = await getSandbox();
    let deleted = false;
    server.use(
      http.delete(url("/v1/sandboxes/sbx_1"), () => {
        deleted = true;
        return new HttpResponse(null, { status: 204 });
      }),
    );
    await sandbox.delete();
    expect(deleted).toBe(true);
  });
});
