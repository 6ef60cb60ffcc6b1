/** The context each case runs with: validated HTTP, a sandbox fixture and cleanup. */
import type { Sandbox } from "@cairn/spec";
import { expectStatus } from "./harness/assert.js";
import type { ExecEventStream } from "./harness/event-stream.js";
import type { CreateSandboxInput } from "./harness/inputs.js";
import {
  createRequester,
  createStreamer,
  type RequestFn,
  type StreamFn,
} from "./harness/request.js";
import { SandboxHandle } from "./harness/sandbox.js";
import type { SpecValidator } from "./harness/spec-validator.js";

/** Thrown by `ctx.skip(reason)`: the case does not apply to this server (e.g. its limits). */
export class CaseSkipped extends Error {
  override readonly name = "CaseSkipped";
}

export interface CaseContext {
  readonly baseUrl: string;
  readonly apiKey: string;
  /** A key with the `admin` scope, when the run was given one (tenant and key cases need it). */
  readonly adminApiKey: string | undefined;
  /** Aborted when the case times out. */
  readonly signal: AbortSignal;
  /** Real HTTP against `baseUrl`; throws `SpecViolationError` for a non-conforming response. */
  readonly request: RequestFn;
  /**
   * Like `request`, but asks for server-sent events and returns a 200 event stream unread (its
   * events are checked as they are read). Streams still open when the case ends are closed.
   */
  readonly stream: StreamFn;
  /** Creates a sandbox (201 expected) that is deleted after the case. */
  sandbox(init?: CreateSandboxInput): Promise<SandboxHandle>;
  /** Deletes this sandbox after the case (for sandboxes a case created itself). */
  deleteLater(sandboxId: string): void;
  /** Registers a cleanup step, run after the case in reverse order. */
  defer(cleanup: () => Promise<void> | void): void;
  /** Ends the case as skipped, saying why it does not apply to this server. */
  skip(reason: string): never;
}

export interface ContextOptions {
  baseUrl: string;
  apiKey: string;
  adminApiKey?: string;
  validator: SpecValidator;
  signal: AbortSignal;
  /** Time allowed for all cleanup steps (default 10 s). */
  cleanupTimeoutMs?: number;
}

/** Creates a case's context and the function that runs its cleanups. */
export function createCaseContext(options: ContextOptions): {
  ctx: CaseContext;
  cleanup(): Promise<void>;
} {
  const { baseUrl, apiKey, validator, signal } = options;
  const request = createRequester({ baseUrl, apiKey, validator, signal });
  const openStreams = new Set<ExecEventStream>();
  const stream = createStreamer({
    baseUrl,
    apiKey,
    validator,
    signal,
    onOpen: (s) => openStreams.add(s),
  });
  const cleanups: (() => Promise<void> | void)[] = [];

  function deleteLater(sandboxId: string): void {
    cleanups.push(async () => {
      // Not the case's signal: cleanup must still run after a case timed out.
      const timeout = AbortSignal.timeout(options.cleanupTimeoutMs ?? 10_000);
      const del = createRequester({ baseUrl, apiKey, validator, signal: timeout });
      const gone = await del("DELETE", `/v1/sandboxes/${sandboxId}`);
      expectStatus(gone, 204, 404);
    });
  }

  const ctx: CaseContext = {
    baseUrl,
    apiKey,
    adminApiKey: options.adminApiKey,
    signal,
    request,
    stream,
    defer: (fn) => {
      cleanups.push(fn);
    },
    skip: (reason) => {
      throw new CaseSkipped(reason);
    },
    deleteLater,
    async sandbox(init) {
      const res = await request("POST", "/v1/sandboxes", { body: init ?? {} });
      expectStatus(res, 201);
      const created = res.json<Sandbox>();
      deleteLater(created.id);
      return new SandboxHandle(created, request, stream);
    },
  };

  async function cleanup(): Promise<void> {
    const errors: unknown[] = [];
    // Close what the case left open first, so no script keeps running against its sandbox.
    await Promise.all([...openStreams].map((s) => s.cancel()));
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, "several cleanup steps failed");
  }

  return { ctx, cleanup };
}
