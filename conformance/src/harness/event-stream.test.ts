/** Tests of the event-stream parser and of the checks the exec stream reader makes. */
import { describe, expect, it } from "vitest";
import { SpecViolationError } from "./errors.js";
import { ExecEventStream, SseParser } from "./event-stream.js";
import { SpecValidator } from "./spec-validator.js";

const validator = new SpecValidator();
const execOp = validator.findOperation("POST", "/v1/sandboxes/sbx_1/exec")!;

function parseAll(chunks: string[]) {
  const parser = new SseParser();
  const events = chunks.flatMap((c) => parser.push(c));
  const end = parser.end();
  return { events: [...events, ...end.events], incomplete: end.incomplete };
}

function streamOf(chunks: string[]): ExecEventStream {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const c of chunks) controller.enqueue(encoder.encode(c));
      controller.close();
    },
  });
  return new ExecEventStream({
    describe: "POST /v1/sandboxes/sbx_1/exec (execScript) → 200",
    status: 200,
    headers: new Headers({ "content-type": "text/event-stream" }),
    body,
    checkEvent: (e) => validator.checkStreamItem(execOp, 200, "text/event-stream", e),
  });
}

const exit = {
  exitCode: 0,
  durationMs: 1,
  truncated: { stdout: false, stderr: false },
  commit: { status: "unchanged", version: 1 },
};
const sse = (id: number | undefined, event: string, data: unknown) =>
  `${id === undefined ? "" : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

describe("SseParser", () => {
  it("parses LF, CRLF and CR line ends alike", () => {
    for (const nl of ["\n", "\r\n", "\r"]) {
      const text = `id: 1${nl}event: stdout${nl}data: x${nl}${nl}`;
      expect(parseAll([text]).events).toEqual([{ id: "1", event: "stdout", data: "x" }]);
    }
  });

  it("keeps a CRLF split across chunks as one line end", () => {
    const { events } = parseAll(["data: a\r", "\ndata: b\r", "\n\r", "\n"]);
    expect(events).toEqual([{ id: undefined, event: undefined, data: "a\nb" }]);
  });

  it("joins multi-line data with LF and ignores comments and unknown fields", () => {
    const { events } = parseAll([": keepalive\n\ndata:one\ndata: two\nretry: 5\nfoo\n\n"]);
    expect(events).toEqual([{ id: undefined, event: undefined, data: "one\ntwo" }]);
  });

  it("strips one leading space only, and a leading BOM", () => {
    const { events } = parseAll(["\uFEFFdata:  x\n\n"]);
    expect(events[0]?.data).toBe(" x");
  });

  it("reports an unterminated last event", () => {
    expect(parseAll(["data: x\n"]).incomplete).toBe(true);
    expect(parseAll(["data: x\n\n"]).incomplete).toBe(false);
  });
});

describe("ExecEventStream", () => {
  it("reads events one at a time and decodes output", async () => {
    const stream = streamOf([
      sse(1, "stdout", { data: "hi\n", encoding: "utf8" }),
      sse(2, "stdout", { data: "/wBB", encoding: "base64" }),
      sse(3, "exit", exit),
    ]);
    expect((await stream.next())?.event).toBe("stdout");
    const all = await stream.collect();
    expect(all.events.map((e) => e.id)).toEqual([1, 2, 3]);
    expect([...all.stdout]).toEqual([...new TextEncoder().encode("hi\n"), 0xff, 0x00, 0x41]);
    expect(all.exit).toEqual(exit);
  });

  it("shows events that arrived in the same read as the one returned", async () => {
    const together = streamOf([
      sse(1, "stdout", { data: "a", encoding: "utf8" }) + sse(2, "exit", exit),
    ]);
    await together.next();
    expect([together.received.length, together.buffered]).toEqual([2, 1]);
    const apart = streamOf([
      sse(1, "stdout", { data: "a", encoding: "utf8" }),
      sse(2, "exit", exit),
    ]);
    await apart.next();
    expect([apart.received.length, apart.buffered]).toEqual([1, 0]);
  });

  it.each([
    ["a missing id", [sse(undefined, "exit", exit)], /has no id/],
    ["ids out of order", [sse(2, "exit", exit)], /has id "2", expected "1"/],
    ["an unknown event type", [sse(1, "message", { data: "x" }), sse(2, "exit", exit)], /event/],
    ["data that is not JSON", ["id: 1\nevent: exit\ndata: {\n\n"], /not JSON/],
    ["an exit without commit", [sse(1, "exit", { ...exit, commit: undefined })], /commit/],
    ["no final event", [sse(1, "stdout", { data: "x", encoding: "utf8" })], /without an exit/],
    ["an event after exit", [sse(1, "exit", exit), sse(2, "exit", exit)], /follows the final/],
    ["bad base64", [sse(1, "stdout", { data: "!!", encoding: "base64" })], /base64/],
  ])("rejects %s", async (_, chunks, message) => {
    const error = await streamOf(chunks)
      .collect()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SpecViolationError);
    expect((error as Error).message).toMatch(message);
  });
});
