/** Idempotency keys: on every POST, PATCH, PUT and DELETE, the same across a call's retries, never on reads. */
import { HttpResponse, http } from "msw";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { newIdempotencyKey } from "./core/idempotency.js";
import { BadRequestError, ConflictError, IdempotencyKeyMismatchError } from "./errors.js";
import type { Sandbox } from "./sandbox.js";
import {
  eventStream,
  newClient,
  problem,
  sandboxData,
  server,
  sse,
  UUID,
  url,
  useServer,
} from "./test-server.js";
import type { ErrorCode, ExecResult, MutationResult } from "./types.js";

useServer();

const SANDBOX = "/v1/sandboxes/sbx_1";
const EXEC_RESULT: ExecResult = {
  exitCode: 0,
  stdout: "",
  stderr: "",
  durationMs: 1,
  truncated: { stdout: false, stderr: false },
  commit: { status: "unchanged", version: 1 },
};
const { stdout: _stdout, stderr: _stderr, ...EXIT } = EXEC_RESULT;
const MUTATION: MutationResult = { version: 2 };
const FILE = { path: "/a", type: "file", size: 1, mode: 420, mtime: "" };
const IN_PROGRESS: ErrorCode = "idempotency_in_progress";
const MISMATCH: ErrorCode = "idempotency_key_mismatch";

/** Every request the msw server saw: method, path and Idempotency-Key. */
type Seen = { method: string; path: string; key: string | null };

/** Answers every route the client uses with a success, recording each request. */
function recordAll(): Seen[] {
  const seen: Seen[] = [];
  const record = (request: Request) => {
    const { pathname } = new URL(request.url);
    seen.push({
      method: request.method,
      path: pathname,
      key: request.headers.get("idempotency-key"),
    });
  };
  const sandbox = () => HttpResponse.json(sandboxData("sbx_1"));
  server.use(
    http.all(url("/*"), ({ request }) => {
      record(request);
      return undefined; // fall through to the route's handler
    }),
    http.get(url("/v1/health"), () => HttpResponse.json({ status: "ok", version: "1.0.0" })),
    http.get(url("/v1/limits"), () => HttpResponse.json({ sandboxMaxBytes: 1 })),
    http.get(url(`${SANDBOX}/fs/search`), () =>
      HttpResponse.json({
        terms: ["word"],
        hits: [],
        totalHits: 0,
        filesSearched: 0,
        skipped: { tooLarge: 0 },
        truncated: null,
      }),
    ),
    http.get(url(`${SANDBOX}/fs/meta`), () =>
      HttpResponse.json({ path: "/a", etag: '"e"', tags: [], summary: null, version: 1 }),
    ),
    http.put(url(`${SANDBOX}/fs/meta`), () =>
      HttpResponse.json({ path: "/a", etag: '"e"', tags: ["t"], summary: null, version: 2 }),
    ),
    http.post(url("/v1/sandboxes"), () => HttpResponse.json(sandboxData("sbx_1"), { status: 201 })),
    http.get(url("/v1/sandboxes"), () => HttpResponse.json({ items: [], nextCursor: null })),
    http.get(url(SANDBOX), sandbox),
    http.patch(url(SANDBOX), sandbox),
    http.delete(url(SANDBOX), () => new HttpResponse(null, { status: 204 })),
    http.get(url(`${SANDBOX}/files`), () => HttpResponse.arrayBuffer(new ArrayBuffer(1))),
    http.put(url(`${SANDBOX}/files`), () => HttpResponse.json({ version: 2, file: FILE })),
    http.delete(url(`${SANDBOX}/files`), () => HttpResponse.json(MUTATION)),
    http.get(url(`${SANDBOX}/fs/stat`), () => HttpResponse.json(FILE)),
    http.get(url(`${SANDBOX}/fs/list`), () =>
      HttpResponse.json({ path: "/", entries: [], nextCursor: null }),
    ),
    http.get(url(`${SANDBOX}/fs/glob`), () => HttpResponse.json({ paths: [], truncated: null })),
    http.get(url(`${SANDBOX}/fs/grep`), () =>
      HttpResponse.json({
        matches: [],
        filesSearched: 0,
        filesMatched: 0,
        skipped: { tooLarge: 0, binary: 0 },
        truncated: null,
      }),
    ),
    http.get(url(`${SANDBOX}/fs/read`), () =>
      HttpResponse.json({
        path: "/a",
        etag: '"e"',
        binary: false,
        text: "",
        startLine: 1,
        endLine: 0,
        totalLines: 0,
        truncated: false,
      }),
    ),
    http.post(url(`${SANDBOX}/fs/:op`), () => HttpResponse.json(MUTATION)),
    http.post(url(`${SANDBOX}/exec`), ({ request }) =>
      request.headers.get("accept") === "text/event-stream"
        ? eventStream([sse(1, "exit", EXIT)])
        : HttpResponse.json(EXEC_RESULT),
    ),
    http.post(url(`${SANDBOX}/exec/batch`), () =>
      HttpResponse.json({ results: [], commit: EXEC_RESULT.commit }),
    ),
  );
  return seen;
}

beforeEach(() => {
  vi.spyOn(Math, "random").mockReturnValue(0); // no backoff wait
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

type Key = { idempotencyKey?: string };

/** Every call that POSTs, PATCHes, PUTs or DELETEs, by name, with `key` merged into its options. */
const MUTATING: [string, (sandbox: Sandbox, key: Key) => Promise<unknown>][] = [
  ["sandboxes.create", (_, key) => newClient().sandboxes.create({ name: "x", ...key })],
  ["sandboxes.update", (_, key) => newClient().sandboxes.update("sbx_1", { name: "x" }, key)],
  ["sandbox.update", (s, key) => s.update({ name: "x" }, { ifVersion: 0, ...key })],
  ["fs.mkdir", (s, key) => s.fs.mkdir("/d", key)],
  ["fs.move", (s, key) => s.fs.move("/a", "/b", key)],
  ["fs.copy", (s, key) => s.fs.copy("/a", "/b", key)],
  ["fs.edit", (s, key) => s.fs.edit("/a", "x", "y", key)],
  ["fs.patch", (s, key) => s.fs.patch("--- a/a\n+++ b/a\n@@ -1 +1 @@\n-x\n+y\n", key)],
  ["exec", (s, key) => s.exec("true", key)],
  ["execBatch", (s, key) => s.execBatch(["true"], key)],
  ["execStream", (s, key) => s.execStream("true", key).result()],
  ["fs.write", (s, key) => s.fs.write("/a", "x", key)],
  ["fs.create", (s, key) => s.fs.create("/a", "x", key)],
  ["fs.remove", (s, key) => s.fs.remove("/a", key)],
  ["fs.setMeta", (s, key) => s.fs.setMeta("/a", { tags: ["t"] }, key)],
  ["sandboxes.delete", (_, key) => newClient().sandboxes.delete("sbx_1", key)],
  ["sandbox.delete", (s, key) => s.delete(key)],
];

/** Every call that GETs. */
const READS: [string, (sandbox: Sandbox) => Promise<unknown>][] = [
  ["health", () => newClient().health()],
  ["limits", () => newClient().limits()],
  ["fs.search", (s) => s.fs.search("word")],
  ["fs.getMeta", (s) => s.fs.getMeta("/a")],
  ["sandboxes.get", () => newClient().sandboxes.get("sbx_1")],
  ["sandboxes.list", async () => newClient().sandboxes.list()],
  ["sandbox.refresh", (s) => s.refresh()],
  ["fs.readBytes", (s) => s.fs.readBytes("/a")],
  ["fs.readText", (s) => s.fs.readText("/a")],
  ["fs.readStream", async (s) => new Response(await s.fs.readStream("/a")).arrayBuffer()],
  ["fs.stat", (s) => s.fs.stat("/a")],
  ["fs.list", async (s) => s.fs.list("/")],
  ["fs.glob", (s) => s.fs.glob("*")],
  ["fs.grep", (s) => s.fs.grep("x")],
  ["fs.readLines", (s) => s.fs.readLines("/a")],
];

async function sandboxAndRecorder() {
  const seen = recordAll();
  const sandbox = await newClient().sandboxes.get("sbx_1");
  seen.length = 0;
  return { sandbox, seen };
}

describe("Idempotency-Key", () => {
  it.each(MUTATING)("%s sends a new random UUID as its key", async (_name, call) => {
    const { sandbox, seen } = await sandboxAndRecorder();
    await call(sandbox, {});
    await call(sandbox, {});
    expect(seen).toHaveLength(2);
    expect(seen[0]?.method).toMatch(/^(POST|PATCH|PUT|DELETE)$/);
    expect(seen[0]?.key).toMatch(UUID);
    expect(seen[1]?.key).toMatch(UUID);
    expect(seen[1]?.key).not.toBe(seen[0]?.key);
  });

  it.each(MUTATING)("%s sends the caller's idempotencyKey instead", async (name, call) => {
    const { sandbox, seen } = await sandboxAndRecorder();
    await call(sandbox, { idempotencyKey: `key-${name}` });
    expect(seen).toEqual([expect.objectContaining({ key: `key-${name}` })]);
  });

  it.each(READS)("%s sends no key", async (_name, call) => {
    const { sandbox, seen } = await sandboxAndRecorder();
    await call(sandbox);
    expect(seen.length).toBeGreaterThan(0);
    for (const request of seen) expect(request).toMatchObject({ method: "GET", key: null });
  });

  it("a ReadableStream upload (sent once, never retried) carries a key only if given one", async () => {
    const { sandbox, seen } = await sandboxAndRecorder();
    await sandbox.fs.write("/a", new Blob(["x"]).stream());
    await sandbox.fs.write("/a", new Blob(["x"]).stream(), { idempotencyKey: "upload-1" });
    expect(seen.map((s) => s.key)).toEqual([null, "upload-1"]);
  });

  it("reuses one key across every retry of a call (503, lost connection, 429, 409 in progress)", async () => {
    const keys: (string | null)[] = [];
    const answers = [
      () => problem(503, "unavailable", { retryable: true }),
      () => HttpResponse.error(),
      () => problem(429, "rate_limited", { retryable: true }),
      () => problem(409, IN_PROGRESS, { retryable: true }),
    ];
    server.use(
      http.post(url(`${SANDBOX}/fs/mkdir`), ({ request }) => {
        keys.push(request.headers.get("idempotency-key"));
        return answers[keys.length - 1]?.() ?? HttpResponse.json(MUTATION);
      }),
    );
    server.use(http.get(url(SANDBOX), () => HttpResponse.json(sandboxData("sbx_1"))));
    const client = newClient({ maxRetries: 4 });
    const result = await (await client.sandboxes.get("sbx_1")).fs.mkdir("/d");
    expect(result).toEqual(MUTATION);
    expect(keys).toHaveLength(5);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(UUID);
  });

  it("a new call gets a new key, even with the same arguments", async () => {
    const { sandbox, seen } = await sandboxAndRecorder();
    await sandbox.exec("true");
    await sandbox.exec("true");
    expect(new Set(seen.map((s) => s.key)).size).toBe(2);
  });

  it("409 idempotency_in_progress is a retryable ConflictError once the retries run out", async () => {
    let calls = 0;
    server.use(
      http.get(url(SANDBOX), () => HttpResponse.json(sandboxData("sbx_1"))),
      http.post(url(`${SANDBOX}/exec`), () => {
        calls++;
        return problem(409, IN_PROGRESS, { retryable: true });
      }),
    );
    const sandbox = await newClient({ maxRetries: 1 }).sandboxes.get("sbx_1");
    const error = await sandbox.exec("true").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ status: 409, code: IN_PROGRESS, retryable: true });
    expect(calls).toBe(2);
  });

  it("422 idempotency_key_mismatch is an IdempotencyKeyMismatchError (a BadRequestError), not retried", async () => {
    let calls = 0;
    server.use(
      http.post(url("/v1/sandboxes"), () => {
        calls++;
        return problem(422, MISMATCH, { detail: "key used for another request" });
      }),
    );
    const error = await newClient()
      .sandboxes.create({ idempotencyKey: "reused" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdempotencyKeyMismatchError);
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error).toMatchObject({ status: 422, code: MISMATCH, retryable: false });
    expect(calls).toBe(1);
  });
});

describe("newIdempotencyKey", () => {
  it("is crypto.randomUUID() where it exists", () => {
    const spy = vi.spyOn(crypto, "randomUUID");
    expect(newIdempotencyKey()).toMatch(UUID);
    expect(spy).toHaveBeenCalledOnce();
  });

  it("builds a UUID v4 from getRandomValues where randomUUID is missing (insecure browser pages)", () => {
    const real = globalThis.crypto;
    const getRandomValues = <T extends ArrayBufferView>(array: T) => real.getRandomValues(array);
    vi.stubGlobal("crypto", { getRandomValues });
    const keys = new Set(Array.from({ length: 100 }, () => newIdempotencyKey()));
    expect(keys.size).toBe(100);
    for (const key of keys) expect(key).toMatch(UUID);
  });
});
