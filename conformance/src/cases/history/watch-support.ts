/** A watcher of GET /v1/sandboxes/{id}/events for the cases: real HTTP, events read as they come. */
import { assert } from "../../harness/assert.js";
import { type ServerSentEvent, SseParser } from "../../harness/event-stream.js";
import type { Commit } from "./history-support.js";

export interface Watcher {
  /** The next event (keepalive comments skipped); fails after `timeoutMs`. */
  next(timeoutMs?: number): Promise<ServerSentEvent>;
  /** The next `count` events, each a commit: their data. */
  commits(count: number): Promise<Array<Commit & { id: string }>>;
  /** Whether the server ended the stream (after the events already read). */
  ended(timeoutMs?: number): Promise<boolean>;
  close(): void;
}

export async function watch(
  ctx: { baseUrl: string; apiKey: string; defer(cleanup: () => void): void },
  sandboxId: string,
  options: { path?: string; lastEventId?: number } = {},
): Promise<Watcher> {
  const controller = new AbortController();
  const url = new URL(`/v1/sandboxes/${sandboxId}/events`, ctx.baseUrl);
  if (options.path !== undefined) url.searchParams.set("path", options.path);
  const res = await fetch(url, {
    headers: {
      authorization: `Bearer ${ctx.apiKey}`,
      accept: "text/event-stream",
      ...(options.lastEventId === undefined
        ? {}
        : { "last-event-id": String(options.lastEventId) }),
    },
    signal: controller.signal,
  });
  assert.equal(res.status, 200, `events: ${res.status}`);
  assert.match(res.headers.get("content-type") ?? "", /^text\/event-stream/);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser();
  const queue: ServerSentEvent[] = [];
  let done = false;
  const close = () => controller.abort();
  ctx.defer(close);
  const fill = async (timeoutMs: number): Promise<void> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), timeoutMs);
    });
    try {
      while (queue.length === 0 && !done) {
        const read = await Promise.race([reader.read(), timeout]);
        if (read === "timeout") return;
        if (read.done) done = true;
        else queue.push(...parser.push(decoder.decode(read.value, { stream: true })));
      }
    } finally {
      clearTimeout(timer);
    }
  };
  const next = async (timeoutMs = 10_000) => {
    await fill(timeoutMs);
    const event = queue.shift();
    if (!event) assert.fail(done ? "the event stream ended" : `no event within ${timeoutMs} ms`);
    return event;
  };
  return {
    next,
    async commits(count) {
      const out: Array<Commit & { id: string }> = [];
      for (let i = 0; i < count; i++) {
        const event = await next();
        assert.equal(event.event, "commit", `event ${i + 1} of ${count}`);
        const data = JSON.parse(event.data) as Commit;
        assert.equal(event.id, String(data.version), "the event id is the commit's version");
        out.push({ ...data, id: event.id! });
      }
      return out;
    },
    async ended(timeoutMs = 300) {
      await fill(timeoutMs);
      return queue.length === 0 && done;
    },
    close,
  };
}
