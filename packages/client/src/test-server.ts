/** Test helpers: an msw server standing in for Cairn, a client pointed at it, and response fixtures. */
import { HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll } from "vitest";
import { Cairn, type CairnOptions } from "./cairn.js";
import type { ErrorCode, Problem, SandboxData } from "./types.js";

export const BASE_URL = "http://cairn.test";
export const API_KEY = "sk_test";

export const server = setupServer();

/** An idempotency key as the client generates it: a random UUID v4. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Starts the msw server for the file's tests; unhandled requests fail the test. */
export function useServer(): void {
  beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
}

/** `BASE_URL` + an API path, the form msw handlers match on. */
export function url(path: string): string {
  return `${BASE_URL}${path}`;
}

/** A client for the msw server; retries wait no time unless a test says otherwise. */
export function newClient(options: Partial<CairnOptions> = {}): Cairn {
  return new Cairn({ baseUrl: BASE_URL, apiKey: API_KEY, ...options });
}

export function sandboxData(id: string, overrides: Partial<SandboxData> = {}): SandboxData {
  return {
    id,
    name: null,
    version: 0,
    env: {},
    persistShell: false,
    runtimes: [],
    policy: { readOnly: false, denySecrets: false, denyGlobs: [], redactSecrets: false },
    shell: null,
    createdAt: "2025-01-01T00:00:00.000Z",
    updatedAt: "2025-01-01T00:00:00.000Z",
    expiresAt: null,
    idleTimeout: null,
    idleExpiresAt: null,
    ...overrides,
  };
}

/** An `application/problem+json` response, as the server sends for every error. */
export function problem(
  status: number,
  code: ErrorCode,
  extra: Partial<Problem> = {},
  headers: Record<string, string> = {},
): HttpResponse<Problem> {
  const body: Problem = {
    type: "about:blank",
    title: code,
    status,
    code,
    retryable: false,
    ...extra,
  };
  return HttpResponse.json(body, {
    status,
    headers: { "Content-Type": "application/problem+json", ...headers },
  });
}

/**
 * A `text/event-stream` response whose body is `chunks`, each enqueued as its own chunk (a
 * string is UTF-8 encoded). `onCancel` hears when the client cancels the body.
 */
export function eventStream(
  chunks: (string | Uint8Array)[],
  options: { onCancel?: (reason: unknown) => void; keepOpen?: boolean } = {},
): HttpResponse<ReadableStream<Uint8Array>> {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) {
        controller.enqueue(typeof chunk === "string" ? encoder.encode(chunk) : chunk);
      }
      if (!options.keepOpen) controller.close();
    },
    cancel(reason) {
      options.onCancel?.(reason);
    },
  });
  return new HttpResponse(body, {
    headers: { "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache" },
  });
}

/** One server-sent event as the server writes it: `id`, `event`, one `data` line, blank line. */
export function sse(id: number, event: string, data: unknown): string {
  return `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
