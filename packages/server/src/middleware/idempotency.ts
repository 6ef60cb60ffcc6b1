/**
 * `Idempotency-Key`: the first response to a keyed request is stored by the
 * backend and replayed to repeats of the same request, so a client may retry a
 * POST whose reply it lost without applying it twice.
 *
 * A request is the same when its method, path, query, body and wanted media
 * type are. A response that says nothing was applied (a problem with
 * `retryable: true`) is not kept: the key is released so a retry runs again.
 * Streamed responses are kept once the stream ends with its final event.
 *
 * A streamed upload (an archive import) is never buffered to be hashed: its
 * fingerprint is the method, path and query, and the bytes the route read are
 * hashed as it reads them and kept beside the response. A repeat is replayed
 * only if its body starts with those same bytes (and ends there, when the first
 * request's body was read to its end); a rejected upload read only in part is
 * the same request as any body with that prefix, which would be rejected alike.
 */
import { createHash } from "node:crypto";
import type { StoredResponse } from "@cairn/core";
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../env.js";
import { ProblemError } from "../problem.js";
import { requestBytes } from "../request-body.js";
import {
  type BodyDigest,
  bodyMatches,
  digestingBody,
  formatDigest,
  isStreamedUpload,
  parseDigest,
} from "./streamed-upload.js";

export interface IdempotencyOptions {
  /** How long a response is replayed (default 24 h). */
  windowMs: number;
  /**
   * After this, a claim whose request never finished is taken over. With a
   * store that renews claims the lease is renewed every third of it while the
   * request runs, so it only runs out when its server died (default 6 s);
   * without one it must outlast the longest request (default 5 min).
   */
  leaseMs: number;
}

export const DEFAULT_IDEMPOTENCY: IdempotencyOptions = {
  windowMs: 24 * 3600_000,
  leaseMs: 5 * 60_000,
};

/** The lease when the store renews claims: a dead replica's claims free up this fast. */
export const RENEWED_LEASE_MS = 6_000;

const KEY = /^[!-~]{1,255}$/;
/** Response headers worth replaying; the rest (date, request id) belong to each answer. */
const KEPT_HEADERS = ["content-type", "etag", "location", "content-range", "accept-ranges"];
/** Kept beside a streamed upload's response: what of its body was read. Never replayed. */
const UPLOAD_DIGEST = "x-cairn-upload-digest";

export function idempotency(options: Partial<IdempotencyOptions> = {}): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const key = c.req.header("idempotency-key");
    if (key === undefined || c.req.method === "GET" || c.req.method === "HEAD") return next();
    if (!KEY.test(key)) {
      throw new ProblemError(
        400,
        "invalid_request",
        "Idempotency-Key must be 1 to 255 printable ASCII characters",
      );
    }
    const backend = c.get("service").backend;
    const tenantId = c.get("scope").tenantId;
    const streamed = isStreamedUpload(c);
    const renews = backend.renewIdempotencyKey !== undefined;
    const leaseMs = options.leaseMs ?? (renews ? RENEWED_LEASE_MS : DEFAULT_IDEMPOTENCY.leaseMs);
    const state = await backend.claimIdempotencyKey(tenantId, {
      key,
      fingerprint: await fingerprint(c, !streamed),
      windowMs: options.windowMs ?? DEFAULT_IDEMPOTENCY.windowMs,
      leaseMs,
    });
    if (state.state === "done") {
      const read = parseDigest(state.response.headers[UPLOAD_DIGEST]);
      if (streamed && read && !(await bodyMatches(c.req.raw.body, read))) {
        throw new ProblemError(
          422,
          "idempotency_key_mismatch",
          "this Idempotency-Key was used for a different request",
        );
      }
      return replay(c, state.response);
    }
    if (state.state === "in_progress") {
      throw new ProblemError(
        409,
        "idempotency_in_progress",
        "a request with this Idempotency-Key is still running; retry later",
        { retryable: true, headers: { "Retry-After": "1" } },
      );
    }
    if (state.state === "mismatch") {
      throw new ProblemError(
        422,
        "idempotency_key_mismatch",
        "this Idempotency-Key was used for a different request",
      );
    }
    if (state.state === "applied") {
      throw new ProblemError(
        409,
        "idempotency_response_lost",
        `the request with this Idempotency-Key was applied (sandbox ${state.sandboxId}, version ${state.version}), but the server that ran it stopped before storing its response; it is not run again`,
        { sandboxId: state.sandboxId, version: state.version },
      );
    }
    // The request's commits mark the key applied in their own transaction.
    c.set("scope", { ...c.get("scope"), idempotencyKey: key });
    let uploaded: (() => BodyDigest) | undefined;
    if (streamed && c.req.raw.body) {
      const digesting = digestingBody(c.req.raw.body);
      c.set("uploadBody", digesting.body);
      uploaded = digesting.digest;
    }
    // The claim lives while this server works on it: renewed until the response is stored.
    const heartbeat = renews
      ? setInterval(
          () => void backend.renewIdempotencyKey?.(tenantId, key).catch(() => {}),
          leaseMs / 3,
        )
      : undefined;
    heartbeat?.unref();
    try {
      await next();
    } catch (error) {
      clearInterval(heartbeat);
      await backend.releaseIdempotencyKey(tenantId, key).catch(() => {});
      throw error;
    }
    const store = (response: StoredResponse | undefined) => {
      clearInterval(heartbeat);
      return (
        response
          ? backend.completeIdempotencyKey(tenantId, key, response)
          : backend.releaseIdempotencyKey(tenantId, key)
      ).catch(() => {});
    };
    const res = c.res;
    const headers = keptHeaders(res.headers);
    if (uploaded) headers[UPLOAD_DIGEST] = formatDigest(uploaded());
    if (res.headers.get("content-type")?.startsWith("text/event-stream") && res.body) {
      // Keep a copy of the stream as it goes out; store it once it ended with its last event.
      const [toClient, toStore] = res.body.tee();
      c.res = new Response(toClient, res);
      void new Response(toStore).arrayBuffer().then(
        (bytes) =>
          store(
            finishedStream(new Uint8Array(bytes))
              ? { status: res.status, headers, body: new Uint8Array(bytes) }
              : undefined,
          ),
        () => store(undefined),
      );
      return;
    }
    const body = new Uint8Array(await res.clone().arrayBuffer());
    await store(appliedNothing(res, body) ? undefined : { status: res.status, headers, body });
  };
}

async function fingerprint(c: Context<AppEnv>, withBody: boolean): Promise<string> {
  const url = new URL(c.req.url);
  const wantsStream = /\btext\/event-stream\b/i.test(c.req.header("accept") ?? "");
  const hash = createHash("sha256")
    .update(`${c.req.method} ${url.pathname}${url.search} ${wantsStream ? "stream" : "plain"}\n`)
    .update(withBody ? await requestBytes(c) : "streamed upload");
  return hash.digest("hex");
}

function keptHeaders(headers: Headers): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of KEPT_HEADERS) {
    const value = headers.get(name);
    if (value !== null) kept[name] = value;
  }
  return kept;
}

function replay(c: Context<AppEnv>, response: StoredResponse): Response {
  for (const [name, value] of Object.entries(response.headers)) {
    if (name !== UPLOAD_DIGEST) c.header(name, value);
  }
  c.header("Idempotent-Replayed", "true");
  if (response.body.length === 0) return c.body(null, response.status as 204);
  return c.body(response.body.slice().buffer, response.status as 200);
}

/** A problem that says nothing was applied: the key should not pin it. */
function appliedNothing(res: Response, body: Uint8Array): boolean {
  if (!res.headers.get("content-type")?.startsWith("application/problem+json")) return false;
  try {
    return (
      (JSON.parse(new TextDecoder().decode(body)) as { retryable?: unknown }).retryable === true
    );
  } catch {
    return false;
  }
}

/** Whether a stored event stream ended with `exit`, or with an `error` that applied something. */
function finishedStream(bytes: Uint8Array): boolean {
  const text = new TextDecoder().decode(bytes);
  const events = text.split(/\n\n/).filter((e) => /^event: /m.test(e));
  const last = events.at(-1) ?? "";
  if (/^event: exit$/m.test(last)) return true;
  if (!/^event: error$/m.test(last)) return false;
  return !/"retryable":true/.test(last);
}
