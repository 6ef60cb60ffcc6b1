import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import { InternalServerError, TimeoutError } from "./errors.js";
import { newClient, problem, sandboxData, server, url, useServer } from "./test-server.js";
import type { ExecBatchResult, ExecResult, UpdateSandboxRequest } from "./types.js";

useServer();

const RESULT: ExecResult = {
  exitCode: 0,
  stdout: "hi\n",
  stderr: "",
  durationMs: 3,
  truncated: { stdout: false, stderr: false },
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

  it("sends readOnly and maxOutputBytes", async () => {
    const sandbox = await getSandbox();
    let body: unknown;
    server.use(
      http.post(url("/v1/sandboxes/sbx_1/exec"), async ({ request }) => {
        body = await request.json();
        return HttpResponse.json({ ...RESULT, truncated: { stdout: true, stderr: false } });
      }),
    );
    const result = await sandbox.exec("cat /big", { readOnly: true, maxOutputBytes: 10 });
    expect(body).toEqual({ script: "cat /big", readOnly: true, maxOutputBytes: 10 });
    expect(result.truncated).toEqual({ stdout: true, stderr: false });
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

describe("sandbox.execBatch", () => {
  const BATCH: ExecBatchResult = {
    results: [
      { ...RESULT, stdout: "a\n" },
      { ...RESULT, exitCode: 1, stdout: "", stderr: "no\n" },
    ],
    durationMs: 9,
    commit: { status: "discarded", version: 1, reason: "nonzero_exit" },
  };

  it("posts the steps (a string is { script }) and the options", async () => {
    const sandbox = await getSandbox();
    let body: unknown;
    server.use(
      http.post(url("/v1/sandboxes/sbx_1/exec/batch"), async ({ request }) => {
        body = await request.json();
        return HttpResponse.json(BATCH);
      }),
    );
    const result = await sandbox.execBatch(
      ["echo a", { script: "false", cwd: "/app", env: { X: "1" }, stdin: "in" }],
      {
        stopOnError: false,
        parallel: false,
        commit: "on_success",
        timeoutMs: 60_000,
        maxOutputBytes: 4096,
      },
    );
    expect(result).toEqual(BATCH);
    expect(body).toEqual({
      steps: [{ script: "echo a" }, { script: "false", cwd: "/app", env: { X: "1" }, stdin: "in" }],
      stopOnError: false,
      parallel: false,
      commit: "on_success",
      timeoutMs: 60_000,
      maxOutputBytes: 4096,
    });
  });

  it("sends only the steps when given no options", async () => {
    const sandbox = await getSandbox();
    const bodies: unknown[] = [];
    server.use(
      http.post(url("/v1/sandboxes/sbx_1/exec/batch"), async ({ request }) => {
        bodies.push(await request.json());
        return problem(503, "unavailable", { retryable: true });
      }),
    );
    await expect(sandbox.execBatch(["true"], { maxRetries: 0 })).rejects.toBeInstanceOf(
      InternalServerError,
    );
    expect(bodies).toEqual([{ steps: [{ script: "true" }] }]);
  });
});

describe("sandbox.update", () => {
  it("patches the sandbox, sends If-Match for ifVersion and updates the fields", async () => {
    const sandbox = await getSandbox(3);
    const seen: { ifMatch: string | null; body: unknown }[] = [];
    server.use(
      http.patch(url("/v1/sandboxes/sbx_1"), async ({ request }) => {
        seen.push({ ifMatch: request.headers.get("if-match"), body: await request.json() });
        return HttpResponse.json(
          sandboxData("sbx_1", {
            version: 4,
            name: "renamed",
            persistShell: true,
            runtimes: ["python3", "js-exec"],
          }),
        );
      }),
    );
    const patch: UpdateSandboxRequest = {
      name: "renamed",
      persistShell: true,
      runtimes: ["python3", "js-exec"],
    };
    await expect(sandbox.update(patch, { ifVersion: 3 })).resolves.toBe(sandbox);
    await sandbox.update({ resetShell: true });
    expect(seen).toEqual([
      {
        ifMatch: '"3"',
        body: { name: "renamed", persistShell: true, runtimes: ["python3", "js-exec"] },
      },
      { ifMatch: null, body: { resetShell: true } },
    ]);
    expect(sandbox).toMatchObject({
      version: 4,
      name: "renamed",
      persistShell: true,
      runtimes: ["python3", "js-exec"],
    });
  });

  it("sends If-Match for version 0", async () => {
    const sandbox = await getSandbox(0);
    let ifMatch: string | null = null;
    server.use(
      http.patch(url("/v1/sandboxes/sbx_1"), ({ request }) => {
        ifMatch = request.headers.get("if-match");
        return HttpResponse.json(sandboxData("sbx_1", { version: 1, name: null }));
      }),
    );
    await sandbox.update({ name: null }, { ifVersion: 0 });
    expect(ifMatch).toBe('"0"');
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

describe("sandbox.usage", () => {
  it("gets the usage and quota of the sandbox", async () => {
    const sandbox = await getSandbox();
    const usage = { version: 4, bytes: 1234, files: 7, maxBytes: 2 ** 30, maxFiles: 100_000 };
    server.use(http.get(url("/v1/sandboxes/sbx_1/usage"), () => HttpResponse.json(usage)));
    expect(await sandbox.usage()).toEqual(usage);
  });
});
