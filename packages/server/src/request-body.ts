/**
 * Request bodies read straight from the Node request when they can be. The Node adapter builds
 * a web Request around the Node one only when something asks for it, and reading a body
 * through it builds one (an AbortController, headers, a web stream every chunk passes
 * through): about a tenth of the HTTP thread's work for a small exec. A body whose length the
 * headers declare is read from the Node request instead, once, into Hono's body cache, so
 * `c.req.text()` and `c.req.arrayBuffer()` give the same bytes without that Request.
 */
import type { IncomingMessage } from "node:http";
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "./env.js";
import { nodeRequest } from "./node-request.js";
import { ProblemError } from "./problem.js";

const decoder = new TextDecoder();

/**
 * Refuses bodies over `maxBytes` (413 payload_too_large). A wire request says in its headers
 * whether it has a body, as HTTP/1.1 requires: one without passes untouched (asking `c.req.raw`
 * would build the web Request for every GET), and one that declares its length (and no transfer
 * coding) is judged by its header and left unread, marked for {@link requestBytes}. Other
 * bodies, and requests made in process, are counted as they are read.
 */
export function limitRequestBody(maxBytes: number): MiddlewareHandler<AppEnv> {
  const tooLarge = (): never => {
    throw new ProblemError(413, "payload_too_large", `request body over ${maxBytes} bytes`);
  };
  const counted = bodyLimit({ maxSize: maxBytes, onError: tooLarge });
  return (c, next) => {
    if (!nodeRequest(c) || c.req.header("transfer-encoding") !== undefined) {
      return counted(c, next);
    }
    const length = c.req.header("content-length");
    if (length === undefined || length === "0") return next(); // no body
    if (!/^\d+$/.test(length)) return counted(c, next);
    if (Number(length) > maxBytes) tooLarge();
    c.set("declaredBodyBytes", Number(length));
    return next();
  };
}

/** The request body's bytes (read once; later reads, also through `c.req`, get the same). */
export async function requestBytes(c: Context<AppEnv>): Promise<Uint8Array> {
  fromWire(c);
  return new Uint8Array(await c.req.arrayBuffer());
}

/** The request body as text (UTF-8, a leading BOM dropped, as `Response.text()` decodes). */
export function requestText(c: Context<AppEnv>): Promise<string> {
  fromWire(c);
  return c.req.text();
}

/** Puts a body {@link limitRequestBody} left unread into Hono's body cache, read from the wire. */
function fromWire(c: Context<AppEnv>): void {
  const cache = c.req.bodyCache as { arrayBuffer?: Promise<ArrayBuffer>; text?: Promise<string> };
  const declared = c.get("declaredBodyBytes");
  const incoming = nodeRequest(c);
  if (cache.arrayBuffer || cache.text || declared === undefined || !incoming) return;
  const bytes = readAll(incoming, declared);
  const buffer = bytes.then((b) => b.buffer as ArrayBuffer);
  buffer.catch(() => {}); // a failed read is reported to whoever reads the body
  cache.arrayBuffer = buffer;
  let text: Promise<string> | undefined;
  // Decoded on first use only: most bodies are read as bytes or as text, not both.
  Object.defineProperty(cache, "text", {
    get: () => {
      text ??= bytes.then((b) => decoder.decode(b));
      return text;
    },
    enumerable: true,
    configurable: true,
  });
}

/** Reads a Node request whose body the headers declare as `length` bytes, into one buffer. */
function readAll(incoming: IncomingMessage, length: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const body = new Uint8Array(length);
    let at = 0;
    let settled = false;
    // The client went away or sent less than it declared: its fault, not the server's (no 500).
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      reject(new ProblemError(400, "invalid_request", `the request body ${why}`));
    };
    incoming.on("data", (chunk: Buffer) => {
      // Node's HTTP parser stops at the declared length; this only guards the copy.
      if (at + chunk.length > length) return fail("is longer than its Content-Length");
      body.set(chunk, at);
      at += chunk.length;
    });
    incoming.once("end", () => {
      if (at !== length) return fail("ended before its Content-Length");
      settled = true;
      resolve(body);
    });
    incoming.on("error", () => fail("was cut off (the client went away)"));
    incoming.once("close", () => fail("was cut off (the client went away)"));
  });
}
