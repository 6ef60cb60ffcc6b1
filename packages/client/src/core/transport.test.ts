import { delay, HttpResponse, http } from "msw";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  AbortError,
  ConflictError,
  ConnectionError,
  InternalServerError,
  RateLimitError,
  RequestTimeoutError,
} from "../errors.js";
import {
  API_KEY,
  newClient,
  problem,
  sandboxData,
  server,
  url,
  useServer,
} from "../test-server.js";

useServer();

const SANDBOX = url("/v1/sandboxes/sbx_1");
const retryable503 = () => problem(503, "unavailable", { retryable: true });

/** A GET /v1/sandboxes/sbx_1 handler that plays `responses` in order, then succeeds. */
function sequence(...responses: (() => Response)[]) {
  const calls = { count: 0 };
  server.use(
    http.get(SANDBOX, () => {
      const next = responses[calls.count++];
      return next ? next() : HttpResponse.json(sandboxData("sbx_1"));
    }),
  );
  return calls;
}

beforeEach(() => {
  vi.spyOn(Math, "random").mockReturnValue(0); // no backoff wait unless a test says so
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe("retries", () => {
  it("retries a retryable 503, then succeeds", async () => {
    const calls = sequence(retryable503, retryable503);
    const sandbox = await newClient().sandboxes.get("sbx_1");
    expect(sandbox.id).toBe("sbx_1");
    expect(calls.count).toBe(3);
  });

  it("throws the last error once maxRetries is spent", async () => {
    const calls = sequence(retryable503, retryable503, retryable503, retryable503);
    const error = await newClient()
      .sandboxes.get("sbx_1")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalServerError);
    expect(error).toMatchObject({ status: 503, code: "unavailable", retryable: true });
    expect(calls.count).toBe(3);
  });

  it("does not retry an error whose problem says retryable: false", async () => {
    const calls = sequence(() => problem(500, "internal_error"));
    await expect(newClient().sandboxes.get("sbx_1")).rejects.toBeInstanceOf(InternalServerError);
    expect(calls.count).toBe(1);
  });

  it("takes maxRetries per call over the client's", async () => {
    const none = sequence(retryable503);
    await expect(newClient().sandboxes.get("sbx_1", { maxRetries: 0 })).rejects.toThrow();
    expect(none.count).toBe(1);

    const five = sequence(retryable503, retryable503, retryable503, retryable503);
    await expect(
      newClient({ maxRetries: 0 }).sandboxes.get("sbx_1", { maxRetries: 5 }),
    ).resolves.toBeDefined();
    expect(five.count).toBe(5);
  });

  it("retries a 429 and a retryable 409 on PUT (a lost write race)", async () => {
    let calls = 0;
    server.use(
      http.put(url("/v1/sandboxes/sbx_1/files"), () => {
        calls++;
        if (calls === 1) return problem(429, "rate_limited", { retryable: true });
        if (calls === 2) return problem(409, "conflict", { retryable: true });
        return HttpResponse.json(
          { version: 1, file: { path: "/a", type: "file", size: 1, mode: 420, mtime: "" } },
          { status: 201 },
        );
      }),
    );
    const fs = (await sandboxFor()).fs;
    await expect(fs.write("/a", "x")).resolves.toMatchObject({ version: 1, created: true });
    expect(calls).toBe(3);
  });

  it("does not retry a non-retryable 409 (EEXIST)", async () => {
    let calls = 0;
    server.use(
      http.delete(url("/v1/sandboxes/sbx_1/files"), () => {
        calls++;
        return problem(409, "ENOTEMPTY");
      }),
    );
    const fs = (await sandboxFor()).fs;
    await expect(fs.remove("/dir")).rejects.toBeInstanceOf(ConflictError);
    expect(calls).toBe(1);
  });

  it("retries a POST after a retryable 503 and after a connection failure", async () => {
    let calls = 0;
    server.use(
      http.post(url("/v1/sandboxes"), () => {
        calls++;
        if (calls === 1) return retryable503();
        if (calls === 2) return HttpResponse.error();
        return HttpResponse.json(sandboxData("sbx_2"), { status: 201 });
      }),
    );
    await expect(newClient().sandboxes.create()).resolves.toMatchObject({ id: "sbx_2" });
    expect(calls).toBe(3);
  });

  it("keeps an Idempotency-Key header the caller set", async () => {
    const keys: (string | null)[] = [];
    server.use(
      http.post(url("/v1/sandboxes"), ({ request }) => {
        keys.push(request.headers.get("idempotency-key"));
        return keys.length === 1
          ? retryable503()
          : HttpResponse.json(sandboxData("sbx_2"), { status: 201 });
      }),
    );
    const sandbox = await newClient().sandboxes.create({ headers: { "Idempotency-Key": "k-1" } });
    expect(sandbox.id).toBe("sbx_2");
    expect(keys).toEqual(["k-1", "k-1"]);
  });

  it("sends the same body again on a retried PUT", async () => {
    const bodies: string[] = [];
    server.use(
      http.put(url("/v1/sandboxes/sbx_1/files"), async ({ request }) => {
        bodies.push(await request.text());
        return bodies.length === 1
          ? HttpResponse.error()
          : HttpResponse.json({
              version: 1,
              file: { path: "/a", type: "file", size: 5, mode: 420, mtime: "" },
            });
      }),
    );
    const fs = (await sandboxFor()).fs;
    await fs.write("/a", new Blob(["hello"]));
    expect(bodies).toEqual(["hello", "hello"]);
  });

  it("honours Retry-After seconds", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const calls = sequence(() =>
      problem(429, "rate_limited", { retryable: true }, { "Retry-After": "2" }),
    );
    const pending = newClient().sandboxes.get("sbx_1");
    await until(() => calls.count === 1);
    await vi.advanceTimersByTimeAsync(1_999);
    expect(calls.count).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    await expect(pending).resolves.toMatchObject({ id: "sbx_1" });
    expect(calls.count).toBe(2);
  });

  it("honours a Retry-After HTTP date", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    vi.setSystemTime(new Date("2030-01-01T00:00:00.000Z"));
    const calls = sequence(() =>
      problem(
        503,
        "unavailable",
        { retryable: true },
        {
          "Retry-After": new Date("2030-01-01T00:00:03.000Z").toUTCString(),
        },
      ),
    );
    const pending = newClient().sandboxes.get("sbx_1");
    await until(() => calls.count === 1);
    await vi.advanceTimersByTimeAsync(2_999);
    expect(calls.count).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    await expect(pending).resolves.toMatchObject({ id: "sbx_1" });
    expect(calls.count).toBe(2);
  });

  it("honours Retry-After on a 429 to a POST, resending the same key", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const keys: (string | null)[] = [];
    server.use(
      http.post(url("/v1/sandboxes"), ({ request }) => {
        keys.push(request.headers.get("idempotency-key"));
        return keys.length === 1
          ? problem(429, "rate_limited", { retryable: true }, { "Retry-After": "5" })
          : HttpResponse.json(sandboxData("sbx_2"), { status: 201 });
      }),
    );
    const pending = newClient().sandboxes.create();
    await until(() => keys.length === 1);
    await vi.advanceTimersByTimeAsync(4_999);
    expect(keys).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await expect(pending).resolves.toMatchObject({ id: "sbx_2" });
    expect(keys).toEqual([keys[0], keys[0]]);
  });

  it("does not wait for a Retry-After over a minute: throws RateLimitError with retryAfter", async () => {
    const calls = sequence(() => problem(429, "rate_limited", {}, { "Retry-After": "3600" }));
    const error = await newClient()
      .sandboxes.get("sbx_1")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ retryAfter: 3600 });
    expect(calls.count).toBe(1);
  });

  it("backs off exponentially with jitter between attempts", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    vi.spyOn(Math, "random").mockReturnValue(1);
    const calls = sequence(retryable503, retryable503);
    const pending = newClient().sandboxes.get("sbx_1");
    await until(() => calls.count === 1);
    await vi.advanceTimersByTimeAsync(499);
    expect(calls.count).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    await until(() => calls.count === 2);
    await vi.advanceTimersByTimeAsync(999);
    expect(calls.count).toBe(2);
    await vi.advanceTimersByTimeAsync(1);
    await expect(pending).resolves.toBeDefined();
    expect(calls.count).toBe(3);
  });

  it("turns a network error into ConnectionError after the retries", async () => {
    const calls = sequence(HttpResponse.error, HttpResponse.error, HttpResponse.error);
    const error = await newClient()
      .sandboxes.get("sbx_1")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).not.toBeInstanceOf(RequestTimeoutError);
    expect(String((error as Error).message)).toContain(SANDBOX);
    expect(String((error as Error).message)).not.toContain(API_KEY);
    expect(calls.count).toBe(3);
  });
});

describe("abort and timeouts", () => {
  it("rejects with AbortError when the signal is already aborted", async () => {
    const calls = sequence();
    const signal = AbortSignal.abort(new Error("stop"));
    const error = await newClient()
      .sandboxes.get("sbx_1", { signal })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect((error as AbortError).cause).toEqual(new Error("stop"));
    expect(calls.count).toBe(0);
  });

  it("aborts a request in flight", async () => {
    let arrived = false;
    server.use(
      http.get(SANDBOX, async () => {
        arrived = true;
        await delay("infinite");
        return HttpResponse.json(sandboxData("sbx_1"));
      }),
    );
    const controller = new AbortController();
    const pending = newClient().sandboxes.get("sbx_1", { signal: controller.signal });
    await vi.waitFor(() => expect(arrived).toBe(true));
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(AbortError);
  });

  it("aborts the wait between retries", async () => {
    const calls = sequence(() =>
      problem(503, "unavailable", { retryable: true }, { "Retry-After": "30" }),
    );
    const controller = new AbortController();
    const pending = newClient().sandboxes.get("sbx_1", { signal: controller.signal });
    await vi.waitFor(() => expect(calls.count).toBe(1));
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(AbortError);
    expect(calls.count).toBe(1);
  });

  it("gives up on a silent server with RequestTimeoutError, retrying first", async () => {
    let calls = 0;
    server.use(
      http.get(SANDBOX, async () => {
        calls++;
        await delay("infinite");
        return HttpResponse.json(sandboxData("sbx_1"));
      }),
    );
    const error = await newClient({ timeoutMs: 20, maxRetries: 1 })
      .sandboxes.get("sbx_1")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestTimeoutError);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(calls).toBe(2);
  });

  it("takes timeoutMs per call", async () => {
    server.use(
      http.get(SANDBOX, async () => {
        await delay(60);
        return HttpResponse.json(sandboxData("sbx_1"));
      }),
    );
    const client = newClient({ timeoutMs: 20, maxRetries: 0 });
    await expect(client.sandboxes.get("sbx_1")).rejects.toBeInstanceOf(RequestTimeoutError);
    await expect(client.sandboxes.get("sbx_1", { timeoutMs: 5_000 })).resolves.toBeDefined();
  });

  it("lets exec's request outlast the client timeout, up to the script's limit", async () => {
    server.use(
      http.post(url("/v1/sandboxes/sbx_1/exec"), async () => {
        await delay(60);
        return HttpResponse.json({
          exitCode: 0,
          stdout: "",
          stderr: "",
          durationMs: 60,
          commit: { status: "unchanged", version: 0 },
        });
      }),
    );
    const sandbox = await sandboxFor({ timeoutMs: 20 });
    await expect(sandbox.exec("sleep 0.05")).resolves.toMatchObject({ exitCode: 0 });
    await expect(sandbox.exec("sleep 0.05", { requestTimeoutMs: 20 })).rejects.toBeInstanceOf(
      RequestTimeoutError,
    );
  });
});

describe("configuration", () => {
  it("sends the client's headers and each call's headers, and uses a custom fetch", async () => {
    const seen: Headers[] = [];
    const fetch = vi.fn((request: Request) => {
      seen.push(request.headers);
      return globalThis.fetch(request);
    });
    sequence();
    const client = newClient({ fetch, headers: { "X-Team": "core" } });
    await client.sandboxes.get("sbx_1", { headers: { "X-Trace": "t1" } });
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(seen[0]?.get("authorization")).toBe(`Bearer ${API_KEY}`);
    expect(seen[0]?.get("x-team")).toBe("core");
    expect(seen[0]?.get("x-trace")).toBe("t1");
  });
});

async function sandboxFor(options: Parameters<typeof newClient>[0] = {}) {
  server.use(http.get(SANDBOX, () => HttpResponse.json(sandboxData("sbx_1"))));
  return newClient(options).sandboxes.get("sbx_1");
}

/** Lets pending I/O run (setImmediate is not faked) until `check` holds. */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !check(); i++) await new Promise((r) => setImmediate(r));
  expect(check()).toBe(true);
}
