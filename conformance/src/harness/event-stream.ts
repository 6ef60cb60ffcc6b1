/**
 * Server-sent events for streamed exec: an incremental parser (WHATWG rules: CR, LF or CRLF line
 * ends, multi-line `data`, comments) and a reader that checks every event of a response against
 * the spec while the response is still open.
 */
import type { ExecChunk, ExecExit, ExecStreamEvent, Problem } from "@cairn/spec";
import { preview, SpecViolationError } from "./errors.js";

/** One dispatched event as it was on the wire. */
export interface ServerSentEvent {
  /** The value of this event's own `id:` line; undefined when it had none. */
  readonly id: string | undefined;
  /** The `event:` field; undefined when it had none (the default type `message`). */
  readonly event: string | undefined;
  /** The `data:` lines joined with LF. */
  readonly data: string;
}

/**
 * Parses an event stream as it arrives.
 * @example
 * const parser = new SseParser();
 * parser.push("id: 1\r\nevent: stdout\r\ndata: {}\r\n\r\n"); // → [{ id: "1", event: "stdout", data: "{}" }]
 */
export class SseParser {
  #buffer = "";
  #started = false;
  #data: string[] = [];
  #event: string | undefined;
  #id: string | undefined;
  /** Whether the current event has any field yet. */
  #pending = false;

  /** Feeds decoded text; returns the events it completed. */
  push(text: string): ServerSentEvent[] {
    this.#buffer += text;
    if (!this.#started && this.#buffer.length > 0) {
      this.#started = true;
      if (this.#buffer.startsWith("\uFEFF")) this.#buffer = this.#buffer.slice(1);
    }
    return this.#drain(false);
  }

  /**
   * Ends the stream: returns the events the rest of the buffer completed, and whether an event
   * was left unterminated (a stream must end each event with a blank line; such a tail is dropped).
   */
  end(): { events: ServerSentEvent[]; incomplete: boolean } {
    const events = this.#drain(true);
    const incomplete = this.#pending || this.#buffer.length > 0;
    this.#buffer = "";
    this.#reset();
    return { events, incomplete };
  }

  #drain(final: boolean): ServerSentEvent[] {
    const events: ServerSentEvent[] = [];
    for (;;) {
      const at = this.#buffer.search(/[\r\n]/);
      if (at < 0) break;
      // A CR at the very end may be the first half of a CRLF still in flight.
      if (this.#buffer[at] === "\r" && at === this.#buffer.length - 1 && !final) break;
      const line = this.#buffer.slice(0, at);
      const width = this.#buffer.startsWith("\r\n", at) ? 2 : 1;
      this.#buffer = this.#buffer.slice(at + width);
      const event = this.#line(line);
      if (event) events.push(event);
    }
    return events;
  }

  #line(line: string): ServerSentEvent | undefined {
    if (line === "") {
      const had = this.#pending && this.#data.length > 0;
      const event: ServerSentEvent = {
        id: this.#id,
        event: this.#event,
        data: this.#data.join("\n"),
      };
      this.#reset();
      return had ? event : undefined;
    }
    if (line.startsWith(":")) return undefined;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    this.#pending = true;
    if (field === "data") this.#data.push(value);
    else if (field === "event") this.#event = value;
    else if (field === "id" && !value.includes("\0")) this.#id = value;
    return undefined;
  }

  #reset(): void {
    this.#data = [];
    this.#event = undefined;
    this.#id = undefined;
    this.#pending = false;
  }
}

/** A streamed exec event, checked against `ExecStreamEvent`, with its id and arrival time. */
export type ExecEvent = ExecStreamEvent & {
  readonly id: number;
  /** `performance.now()` when the event was parsed (diagnostics only). */
  readonly receivedAt: number;
};

/** Everything a streamed exec sent. */
export interface StreamedExec {
  readonly events: readonly ExecEvent[];
  /** The stdout chunks, decoded (base64 or UTF-8) and concatenated. */
  readonly stdout: Uint8Array;
  readonly stderr: Uint8Array;
  /** The final `exit` event's data, when the stream ended with one. */
  readonly exit?: ExecExit;
  /** The final `error` event's data, when the stream ended with one. */
  readonly error?: Problem;
}

export interface EventStreamInit {
  /** `POST /v1/... (execScript) → 200`, for messages. */
  readonly describe: string;
  readonly status: number;
  readonly headers: Headers;
  readonly body: ReadableStream<Uint8Array> | null;
  /** Schema violations of one `{ event, data }` object (empty when it conforms). */
  readonly checkEvent: (event: { event: string; data: unknown }) => string[];
}

const base64Pattern = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * A 200 `text/event-stream` response of execScript, read incrementally. Every event must carry
 * `id:` 1, 2, 3, ..., an `event:` and JSON `data:` that together validate against
 * `ExecStreamEvent`; the last event must be `exit` or `error`, and nothing may follow it. Any
 * breach throws a `SpecViolationError` from `next()` / `collect()`.
 */
export class ExecEventStream {
  readonly status: number;
  readonly headers: Headers;
  readonly #describe: string;
  readonly #checkEvent: EventStreamInit["checkEvent"];
  readonly #reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  readonly #decoder = new TextDecoder("utf-8", { fatal: true });
  readonly #parser = new SseParser();
  readonly #received: ExecEvent[] = [];
  #delivered = 0;
  #ended = false;

  constructor(init: EventStreamInit) {
    this.status = init.status;
    this.headers = init.headers;
    this.#describe = init.describe;
    this.#checkEvent = init.checkEvent;
    this.#reader = init.body?.getReader();
  }

  /** `POST /v1/... (execScript) → 200 (event stream)`, for messages. */
  describe(): string {
    return `${this.#describe} (event stream)`;
  }

  /** Every event parsed so far, including those `next()` has not returned yet. */
  get received(): readonly ExecEvent[] {
    return this.#received;
  }

  /** Events already parsed (they arrived with earlier bytes) that `next()` has not returned. */
  get buffered(): number {
    return this.#received.length - this.#delivered;
  }

  /** Whether the response body has ended. */
  get ended(): boolean {
    return this.#ended;
  }

  /** The `exit` or `error` event, once it was received. */
  get final(): ExecEvent | undefined {
    const last = this.#received.at(-1);
    return last && (last.event === "exit" || last.event === "error") ? last : undefined;
  }

  /**
   * The next event, reading only as much of the body as needed; undefined once the body ended
   * (after the final event).
   */
  async next(): Promise<ExecEvent | undefined> {
    while (this.#delivered >= this.#received.length && !this.#ended) await this.#read();
    return this.#delivered < this.#received.length ? this.#received[this.#delivered++] : undefined;
  }

  /** Reads to the end of the body and returns every event with the decoded output. */
  async collect(): Promise<StreamedExec> {
    while (!this.#ended) await this.#read();
    this.#delivered = this.#received.length;
    const out = { stdout: [] as Uint8Array[], stderr: [] as Uint8Array[] };
    for (const e of this.#received) {
      if (e.event === "stdout" || e.event === "stderr") out[e.event].push(decodeChunk(e.data));
    }
    const final = this.final;
    return {
      events: [...this.#received],
      stdout: Buffer.concat(out.stdout),
      stderr: Buffer.concat(out.stderr),
      ...(final?.event === "exit" ? { exit: final.data } : {}),
      ...(final?.event === "error" ? { error: final.data } : {}),
    };
  }

  /** Stops reading and closes the connection (the server should abort the script). */
  async cancel(): Promise<void> {
    if (this.#ended) return;
    this.#ended = true;
    await this.#reader?.cancel().catch(() => {});
  }

  async #read(): Promise<void> {
    if (!this.#reader) {
      this.#finish("");
      return;
    }
    const { done, value } = await this.#reader.read();
    let text: string;
    try {
      text = this.#decoder.decode(value ?? new Uint8Array(0), { stream: !done });
    } catch {
      this.#fail(["the event stream is not valid UTF-8"], value ?? new Uint8Array(0));
    }
    if (done) {
      this.#finish(text);
      return;
    }
    for (const raw of this.#parser.push(text)) this.#accept(raw);
  }

  #finish(text: string): void {
    for (const raw of this.#parser.push(text)) this.#accept(raw);
    const { events, incomplete } = this.#parser.end();
    for (const raw of events) this.#accept(raw);
    this.#ended = true;
    const violations: string[] = [];
    if (incomplete) violations.push("the stream ended in the middle of an event");
    if (!this.final) {
      const last = this.#received.at(-1);
      violations.push(
        `the stream ended without an exit or error event (last event: ${last ? `${last.id} ${last.event}` : "none"})`,
      );
    }
    if (violations.length > 0) this.#fail(violations);
  }

  #accept(raw: ServerSentEvent): void {
    const violations: string[] = [];
    const expectedId = this.#received.length + 1;
    if (this.final) {
      violations.push(`event ${raw.id ?? "(no id)"} ${raw.event ?? ""} follows the final event`);
    }
    if (raw.id === undefined) violations.push(`event #${expectedId} has no id`);
    else if (raw.id !== String(expectedId)) {
      violations.push(
        `event #${expectedId} has id ${JSON.stringify(raw.id)}, expected "${expectedId}"`,
      );
    }
    if (raw.event === undefined) violations.push(`event #${expectedId} has no event type`);
    let data: unknown;
    try {
      data = JSON.parse(raw.data);
    } catch (error) {
      violations.push(`event #${expectedId} data is not JSON: ${(error as Error).message}`);
    }
    if (violations.length === 0) {
      const where = `event #${expectedId} (${raw.event})`;
      for (const v of this.#checkEvent({ event: raw.event as string, data })) {
        violations.push(`${where}: ${v}`);
      }
      if (
        (raw.event === "stdout" || raw.event === "stderr") &&
        (data as ExecChunk).encoding === "base64" &&
        !base64Pattern.test((data as ExecChunk).data)
      ) {
        violations.push(`${where}: data is not valid base64`);
      }
    }
    if (violations.length > 0) this.#fail(violations, new TextEncoder().encode(raw.data));
    this.#received.push({
      id: expectedId,
      event: raw.event,
      data,
      receivedAt: performance.now(),
    } as ExecEvent);
  }

  #fail(violations: string[], bytes?: Uint8Array): never {
    void this.cancel();
    throw new SpecViolationError(this.describe(), violations, bytes ? preview(bytes) : undefined);
  }
}

/** The bytes of an output chunk. */
export function decodeChunk(chunk: ExecChunk): Uint8Array {
  return chunk.encoding === "base64"
    ? new Uint8Array(Buffer.from(chunk.data, "base64"))
    : new TextEncoder().encode(chunk.data);
}
