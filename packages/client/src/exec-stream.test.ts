import { HttpResponse, http } from "msw";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  AbortError,
  CairnError,
  ConnectionError,
  InternalServerError,
  NotFoundError,
  TimeoutError,
} from "./errors.js";
import type { ExecStreamEvent } from "./exec-stream.js";
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
import type { ExecExit } from "./types.js";

useServer();

const EXEC = url("/v1/sandboxes/sbx_1/exec");
const EXIT: ExecExit = {
  exitCode: 0,
  durationMs: 4,
  truncated: { stdout: false, stderr: false },
  commit: { status: "committed", version: 2 },
};
const utf8 = (text: string) => new TextEncoder().encode(text);

beforeEach(() => {
  vi.spyOn(Math, "random").mockReturnValue(0); // no backoff wait
});
afterEach(() => {
  vi.restoreAllMocks();
});

async function getSandbox() {
  server.use(http.get(url("/v1/sandboxes/sbx_1"), () => HttpResponse.json(sandboxData("sbx_1"))));
  return newClient().sandboxes.get("sbx_1");
}

/** Serves `chunks` as the exec's event stream and records the request. */
function serveStream(chunks: (string | Uint8Array)[], options: Parameters<typeof eventStream>[1]) {
  const seen: { accept: string | null; body: unknown; count: number } = {
    accept: null,
    body: undefined,
    count: 0,
  };
  server.use(
    http.post(EXEC, async ({ request }) => {
      seen.count++;
      seen.accept = request.headers.get("accept");
      seen.body = await request.json();
      return eventStream(chunks, options);
    }),
  );
  return seen;
}

/**
 * A sandbox whose client fetch is a test double serving `chunks` as an exec event stream that
 * stays open. msw hands the client a clone of each response, so a cancel would not reach the
 * body a handler made; this fetch returns the body itself, so the test sees the cancel.
 */
async function sandboxWithOpenStream(chunks: string[]) {
  const state = { cancelled: false, reason: undefined as unknown };
  const fetch = async (request: Request) => {
    if (request.method === "GET") return Response.json(sandboxData("sbx_1"));
    return eventStream(chunks, {
      keepOpen: true,
      onCancel: (reason) => {
        state.cancelled = true;
        state.reason = reason;
      },
    });
  };
  return { sandbox: await newClient({ fetch }).sandboxes.get("sbx_1"), state };
}

async function collect(stream: AsyncIterable<ExecStreamEvent>): Promise<ExecStreamEvent[]> {
  const events: ExecStreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

describe("sandbox.execStream", () => {
  it("asks for an event stream and yields typed output events, then exit", async () => {
    const sandbox = await getSandbox();
    const seen = serveStream(
      [
        sse(1, "stdout", { data: "hi\n", encoding: "utf8" }),
        sse(2, "stderr", { data: "warn ✓\n", encoding: "utf8" }),
        sse(3, "exit", EXIT),
      ],
      {},
    );
    const stream = sandbox.execStream("echo hi; echo 'warn ✓' >&2", {
      cwd: "/work",
      readOnly: true,
      maxOutputBytes: 1024,
      timeoutMs: 5_000,
    });
    expect(seen.count).toBe(0); // nothing is sent until the stream is read
    const events = await collect(stream);

    expect(seen.accept).toBe("text/event-stream");
    expect(seen.body).toEqual({
      script: "echo hi; echo 'warn ✓' >&2",
      cwd: "/work",
      readOnly: true,
      maxOutputBytes: 1024,
      timeoutMs: 5_000,
    });
    expect(events).toEqual([
      { type: "stdout", data: utf8("hi\n"), text: "hi\n" },
      { type: "stderr", data: utf8("warn ✓\n"), text: "warn ✓\n" },
      { type: "exit", ...EXIT },
    ]);
  });

  it("parses CRLF line endings, multi-line data and comments", async () => {
    const sandbox = await getSandbox();
    serveStream(
      [
        ": ping\r\n\r\n",
        'id: 1\r\nevent: stdout\r\ndata: {"data": "a\\n",\r\ndata:  "encoding": "utf8"}\r\n\r\n',
        ":keepalive\r\n",
        `id: 2\r\nevent: exit\r\ndata: ${JSON.stringify(EXIT)}\r\n\r\n`,
      ],
      {},
    );
    const events = await collect(sandbox.execStream("echo a"));
    expect(events).toEqual([
      { type: "stdout", data: utf8("a\n"), text: "a\n" },
      { type: "exit", ...EXIT },
    ]);
  });

  it("reassembles events split across chunks at every byte, CRLF and multi-byte characters included", async () => {
    const sandbox = await getSandbox();
    const text = `${sse(1, "stdout", { data: "héllo ✓ 🌍\n", encoding: "utf8" })}: ping\r\n\r\n${sse(2, "exit", EXIT).replaceAll("\n", "\r\n")}`;
    const bytes = utf8(text);
    serveStream(
      Array.from(bytes, (byte) => Uint8Array.of(byte)),
      {},
    );
    const events = await collect(sandbox.execStream("echo"));
    expect(events).toEqual([
      { type: "stdout", data: utf8("héllo ✓ 🌍\n"), text: "héllo ✓ 🌍\n" },
      { type: "exit", ...EXIT },
    ]);
  });

  it("decodes a base64 chunk to its exact bytes", async () => {
    const sandbox = await getSandbox();
    const binary = Uint8Array.of(0x00, 0xff, 0xfe, 0x80, 0x41, 0x0a);
    serveStream(
      [
        sse(1, "stdout", { data: Buffer.from(binary).toString("base64"), encoding: "base64" }),
        sse(2, "exit", EXIT),
      ],
      {},
    );
    const [chunk] = await collect(sandbox.execStream("cat /bin.dat"));
    expect(chunk).toMatchObject({ type: "stdout", data: binary });
    expect(chunk).toHaveProperty("text", "\u0000\uFFFD\uFFFD\uFFFDA\n");
  });

  it("result() concatenates each stream's bytes and returns the exit fields", async () => {
    const sandbox = await getSandbox();
    serveStream(
      [
        sse(1, "stdout", { data: "ab", encoding: "utf8" }),
        sse(2, "stderr", { data: "e", encoding: "utf8" }),
        sse(3, "stdout", { data: Buffer.of(0xff).toString("base64"), encoding: "base64" }),
        sse(4, "exit", { ...EXIT, exitCode: 3 }),
      ],
      {},
    );
    const result = await sandbox.execStream("x").result();
    expect(result).toEqual({
      ...EXIT,
      exitCode: 3,
      stdout: Uint8Array.of(0x61, 0x62, 0xff),
      stderr: utf8("e"),
    });
  });

  it("skips events it does not know", async () => {
    const sandbox = await getSandbox();
    serveStream(
      [sse(1, "progress", { pct: 50 }), "data: no event name\n\n", sse(2, "exit", EXIT)],
      {},
    );
    expect(await collect(sandbox.execStream("x"))).toEqual([{ type: "exit", ...EXIT }]);
  });

  it.each([
    [408, "timeout", TimeoutError],
    [404, "sandbox_not_found", NotFoundError],
    [500, "internal_error", InternalServerError],
  ] as const)("throws an error event %i %s as %o", async (status, code, ErrorClass) => {
    const body = {
      type: "about:blank",
      title: code,
      status,
      code,
      detail: "it went wrong",
      retryable: false,
      requestId: "req_7",
    };
    const { sandbox, state } = await sandboxWithOpenStream([
      sse(1, "stdout", { data: "partial", encoding: "utf8" }),
      sse(2, "error", body),
    ]);
    const events: ExecStreamEvent[] = [];
    const error = await (async () => {
      for await (const event of sandbox.execStream("sleep 99", { timeoutMs: 10 })) {
        events.push(event);
      }
    })().catch((e: unknown) => e);

    expect(events).toEqual([{ type: "stdout", data: utf8("partial"), text: "partial" }]);
    expect(error).toBeInstanceOf(ErrorClass);
    expect(error).toMatchObject({ status, code, requestId: "req_7", problem: body });
    expect((error as Error).message).toBe(`${status} ${code}: it went wrong`);
    expect(state.cancelled).toBe(true);
  });

  it("throws the usual typed error for an HTTP error before the stream starts", async () => {
    const sandbox = await getSandbox();
    server.use(http.post(EXEC, () => problem(404, "sandbox_not_found", { requestId: "req_1" })));
    const stream = sandbox.execStream("echo");
    await expect(stream.result()).rejects.toSatisfy(
      (e) => e instanceof NotFoundError && e.requestId === "req_1",
    );
  });

  it("retries a retryable error before the stream starts, with the same Idempotency-Key", async () => {
    const sandbox = await getSandbox();
    const keys: (string | null)[] = [];
    server.use(
      http.post(EXEC, ({ request }): Response => {
        keys.push(request.headers.get("idempotency-key"));
        return keys.length % 2 === 1
          ? problem(503, "unavailable", { retryable: true })
          : eventStream([sse(1, "exit", EXIT)]);
      }),
    );
    await expect(sandbox.execStream("echo").result()).resolves.toMatchObject(EXIT);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(UUID);
    expect(keys[1]).toBe(keys[0]);

    const idempotencyKey = "key_1";
    await expect(sandbox.execStream("echo", { idempotencyKey }).result()).resolves.toMatchObject(
      EXIT,
    );
    expect(keys.slice(2)).toEqual(["key_1", "key_1"]);
  });

  it("is not retried once the stream has started", async () => {
    const sandbox = await getSandbox();
    let calls = 0;
    server.use(
      http.post(EXEC, (): Response => {
        calls++;
        return eventStream([sse(1, "stdout", { data: "a", encoding: "utf8" })]);
      }),
    );
    await expect(sandbox.execStream("echo").result()).rejects.toBeInstanceOf(ConnectionError);
    expect(calls).toBe(1);
  });

  it("aborting mid-stream stops the iteration and cancels the body", async () => {
    const { sandbox, state } = await sandboxWithOpenStream([
      sse(1, "stdout", { data: "first", encoding: "utf8" }),
    ]);
    const controller = new AbortController();
    const iterator = sandbox
      .execStream("yes", { signal: controller.signal })
      [Symbol.asyncIterator]();
    await expect(iterator.next()).resolves.toMatchObject({ value: { text: "first" } });
    const pending = iterator.next(); // waits for data that will not come
    controller.abort(new Error("stop"));
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect((error as AbortError).cause).toEqual(new Error("stop"));
    expect(state).toEqual({ cancelled: true, reason: new Error("stop") });
    await expect(iterator.next()).resolves.toEqual({ done: true, value: undefined });
  });

  it("aborting between reads throws on the next one", async () => {
    const sandbox = await getSandbox();
    serveStream(
      [
        sse(1, "stdout", { data: "a", encoding: "utf8" }),
        sse(2, "stdout", { data: "b", encoding: "utf8" }),
      ],
      { keepOpen: true },
    );
    const controller = new AbortController();
    const seen: string[] = [];
    const error = await (async () => {
      for await (const event of sandbox.execStream("x", { signal: controller.signal })) {
        if (event.type !== "exit") seen.push(event.text);
        controller.abort();
      }
    })().catch((e: unknown) => e);
    expect(seen).toEqual(["a"]);
    expect(error).toBeInstanceOf(AbortError);
  });

  it("an aborted signal rejects before anything is sent", async () => {
    const sandbox = await getSandbox();
    const seen = serveStream([sse(1, "exit", EXIT)], {});
    const stream = sandbox.execStream("x", { signal: AbortSignal.abort() });
    await expect(stream.result()).rejects.toBeInstanceOf(AbortError);
    expect(seen.count).toBe(0);
  });

  it("breaking out of the loop cancels the body", async () => {
    const { sandbox, state } = await sandboxWithOpenStream([
      sse(1, "stdout", { data: "a", encoding: "utf8" }),
    ]);
    for await (const event of sandbox.execStream("yes")) {
      expect(event.type).toBe("stdout");
      break;
    }
    expect(state.cancelled).toBe(true);
  });

  it("throws ConnectionError when the stream ends without exit or error", async () => {
    const sandbox = await getSandbox();
    serveStream(
      [sse(1, "stdout", { data: "a", encoding: "utf8" }), 'event: exit\ndata: {"exitCode":0'],
      {},
    );
    await expect(sandbox.execStream("x").result()).rejects.toBeInstanceOf(ConnectionError);
  });

  it("rejects a response that is not an event stream", async () => {
    const sandbox = await getSandbox();
    server.use(http.post(EXEC, () => HttpResponse.json({ exitCode: 0 })));
    const error = await sandbox
      .execStream("x")
      .result()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CairnError);
    expect((error as Error).message).toMatch(/event stream.*application\/json/);
  });

  it("can be read only once", async () => {
    const sandbox = await getSandbox();
    serveStream([sse(1, "exit", EXIT)], {});
    const stream = sandbox.execStream("x");
    await stream.result();
    expect(() => stream[Symbol.asyncIterator]()).toThrow(/only once/);
  });
});
