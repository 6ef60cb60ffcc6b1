/**
 * The Node request and response behind a context, which the Node adapter puts in `env` (absent
 * for requests made in process with `app.fetch`). Asking `c.req.raw` for its body or signal
 * makes the adapter build a full web Request around the Node one (headers, an AbortController,
 * a web stream for the body): reading them from the Node side costs a fraction of that.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Context } from "hono";

interface NodeBindings {
  incoming?: IncomingMessage;
  outgoing?: ServerResponse;
}

/** The Node request, when the request came from the wire. */
export function nodeRequest(c: Context): IncomingMessage | undefined {
  return (c.env as NodeBindings | undefined)?.incoming;
}

/**
 * Aborts when the client goes away before its response is sent, as `c.req.raw.signal` does
 * (which it is for requests made in process), or when `also` aborts. One signal, where
 * `AbortSignal.any` would make a third.
 */
export function clientSignal(c: Context, also?: AbortSignal): AbortSignal {
  const outgoing = (c.env as NodeBindings | undefined)?.outgoing;
  if (!outgoing) return also ? AbortSignal.any([c.req.raw.signal, also]) : c.req.raw.signal;
  const controller = new AbortController();
  const alsoAborted = () => controller.abort(also?.reason);
  if (also?.aborted) alsoAborted();
  also?.addEventListener("abort", alsoAborted, { once: true });
  outgoing.once("close", () => {
    // `also` may live for the whole process (a shutdown's signal): let go of this request.
    also?.removeEventListener("abort", alsoAborted);
    if (!outgoing.writableFinished) controller.abort(new Error("the client went away"));
  });
  return controller.signal;
}
