/** `ExecStream`: a streamed exec's server-sent events, read as typed events or awaited as one result. */
import { createParser, type EventSourceMessage } from "eventsource-parser";
import { abortError, toCairnError } from "./core/transport.js";
import { APIError, CairnError, ConnectionError } from "./errors.js";
import type { ExecChunk, ExecExit } from "./types.js";

/** A piece of the script's output, as the server flushed it. */
export interface ExecOutputEvent {
  type: "stdout" | "stderr";
  /** The exact bytes. */
  data: Uint8Array;
  /** `data` decoded as UTF-8 (a sequence that is not UTF-8 becomes U+FFFD). */
  text: string;
}

/** The last event: the script ended; `commit` says whether its file changes were kept. */
export interface ExecExitEvent extends ExecExit {
  type: "exit";
}

/** What iterating an `ExecStream` yields: output chunks, then one `exit`. */
export type ExecStreamEvent = ExecOutputEvent | ExecExitEvent;

/** What `ExecStream.result()` resolves to: the exit, and all of each stream's bytes. */
export interface ExecStreamResult extends ExecExit {
  stdout: Uint8Array;
  stderr: Uint8Array;
}

/** Sends the request; resolves to the event-stream body, or rejects as any call does. */
export type OpenEventStream = () => Promise<{ body: ReadableStream<Uint8Array>; headers: Headers }>;

/**
 * A script's output as it runs. The request is sent when you start reading: `for await` the
 * events, or `await stream.result()` for everything at once. An `error` event (e.g. the script
 * timed out) is thrown as the `APIError` subclass the non-streaming call would throw. Read it once.
 *
 * @example
 * for await (const event of sandbox.execStream("npm test", { signal })) {
 *   if (event.type === "exit") console.log("exit", event.exitCode);
 *   else process[event.type].write(event.data);
 * }
 */
export class ExecStream implements AsyncIterable<ExecStreamEvent> {
  readonly #open: OpenEventStream;
  readonly #signal: AbortSignal | undefined;
  #read = false;

  /** @internal Made by the client; not meant to be called. */
  constructor(open: OpenEventStream, signal: AbortSignal | undefined) {
    this.#open = open;
    this.#signal = signal;
  }

  [Symbol.asyncIterator](): AsyncGenerator<ExecStreamEvent, void, undefined> {
    if (this.#read) throw new CairnError("An ExecStream can be read only once");
    this.#read = true;
    return this.#events();
  }

  /**
   * Reads the whole stream and resolves to the exit fields plus all of stdout and stderr.
   *
   * @example
   * const { exitCode, stdout } = await sandbox.execStream("tar -c /src").result();
   */
  async result(): Promise<ExecStreamResult> {
    const output: Record<ExecOutputEvent["type"], Uint8Array[]> = { stdout: [], stderr: [] };
    let exit: ExecExitEvent | undefined;
    for await (const event of this) {
      if (event.type === "exit") exit = event;
      else output[event.type].push(event.data);
    }
    // #events() throws rather than end without an exit event.
    if (!exit) throw new ConnectionError("The event stream ended before its exit event");
    const { exitCode, durationMs, truncated, commit } = exit;
    return {
      exitCode,
      durationMs,
      truncated,
      commit,
      stdout: concat(output.stdout),
      stderr: concat(output.stderr),
    };
  }

  async *#events(): AsyncGenerator<ExecStreamEvent, void, undefined> {
    const { body, headers } = await this.#open();
    for await (const message of readEventStream(body, this.#signal)) {
      switch (message.event) {
        case "stdout":
        case "stderr":
          yield outputEvent(message.event, parseData(message) as ExecChunk);
          break;
        case "exit":
          yield { type: "exit", ...(parseData(message) as ExecExit) };
          return;
        case "error":
          throw APIError.fromProblem(parseData(message), headers);
        // Any other event is from a newer server; skip it.
      }
    }
    throw new ConnectionError("The event stream ended before its exit event");
  }
}

/**
 * The server-sent events in `body`, parsed as they arrive (any line endings, comments, events
 * split across chunks). Aborting `signal`, or the consumer stopping early, cancels the body.
 */
export async function* readEventStream(
  body: ReadableStream<Uint8Array>,
  signal: AbortSignal | undefined,
): AsyncGenerator<EventSourceMessage, void, undefined> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const queue: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (message) => queue.push(message) });
  // Cancelling ends a pending read() at once (done: true); the loop then throws AbortError.
  const cancel = () => void reader.cancel(signal?.reason).catch(() => {});
  signal?.addEventListener("abort", cancel, { once: true });
  try {
    let done = false;
    for (;;) {
      if (signal?.aborted) throw abortError(signal);
      const message = queue.shift();
      if (message) {
        yield message;
        continue;
      }
      // An event not ended by a blank line when the body ends is dropped, as EventSource does.
      if (done) return;
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (error) {
        throw toCairnError(error, signal);
      }
      done = chunk.done;
      parser.feed(chunk.done ? decoder.decode() : decoder.decode(chunk.value, { stream: true }));
    }
  } finally {
    signal?.removeEventListener("abort", cancel);
    // A no-op when the body was read to its end; otherwise tells the server to stop. Not
    // awaited: a teed body (a fetch wrapper that cloned the response) settles only when every
    // branch is cancelled.
    void reader.cancel().catch(() => {});
  }
}

function parseData(message: EventSourceMessage): unknown {
  try {
    return JSON.parse(message.data);
  } catch (cause) {
    const data = message.data.slice(0, 200);
    throw new CairnError(`Malformed "${message.event}" event data: ${data}`, { cause });
  }
}

function outputEvent(type: ExecOutputEvent["type"], chunk: ExecChunk): ExecOutputEvent {
  if (chunk.encoding === "base64") {
    const data = fromBase64(chunk.data);
    return { type, data, text: new TextDecoder().decode(data) };
  }
  return { type, data: new TextEncoder().encode(chunk.data), text: chunk.data };
}

function fromBase64(base64: string): Uint8Array {
  let binary: string;
  try {
    binary = atob(base64);
  } catch (cause) {
    throw new CairnError("Malformed base64 output chunk", { cause });
  }
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const bytes = new Uint8Array(chunks.reduce((total, chunk) => total + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}
