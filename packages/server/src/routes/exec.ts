/**
 * POST /v1/sandboxes/{id}/exec (JSON, or server-sent events with
 * `Accept: text/event-stream`) and POST /v1/sandboxes/{id}/exec/batch.
 */
import { createHash } from "node:crypto";
import {
  decodeBytes,
  ExecAbortedError,
  type ExecCommitInfo,
  type ExecInput,
  type ExecOutcome,
  execBatch,
  execScript,
  type StepOutcome,
  tryDecodeUtf8,
} from "@cairn/core";
import type { Schemas } from "@cairn/spec";
import { type Context, Hono } from "hono";
import { shuttingDown } from "../drain.js";
import type { AppEnv } from "../env.js";
import type { CairnMetrics, ExecOutcome as CountedOutcome } from "../metrics/metrics.js";
import { isReadOnly } from "../middleware/access.js";
import { clientSignal } from "../node-request.js";
import { ProblemError, problemBody, toProblemError } from "../problem.js";
import { scriptSemantic } from "../semantic.js";
import { readJson } from "../validation.js";
import { changesOf } from "./history.js";

/** A comment line every so often keeps proxies from closing a quiet stream. */
const KEEPALIVE_MS = 15_000;

export function execRoutes() {
  return new Hono<AppEnv>()
    .post("/v1/sandboxes/:sandboxId/exec", async (c) => {
      const input = c.get("validator").check("ExecRequest", await readJson(c));
      withScriptHash(c, [input.script]);
      const exec: ExecInput = {
        script: input.script,
        cwd: input.cwd,
        env: input.env,
        stdin: input.stdin,
        commit: input.commit,
        // A read-only key's scripts run read-only whatever they ask.
        readOnly: input.readOnly || isReadOnly(c.get("principal")),
        ...controls(c, input),
      };
      if (wantsEventStream(c)) return streamExec(c, exec);
      const outcome = await counted(c.get("metrics"), () =>
        execScript(c.get("service"), c.get("scope"), c.req.param("sandboxId"), exec),
      ).catch(shutdownAware(c));
      return c.json<Schemas["ExecResult"]>({
        ...stepJson(outcome),
        commit: await commitJson(c, outcome.commit),
      });
    })
    .post("/v1/sandboxes/:sandboxId/exec/batch", async (c) => {
      const input = c.get("validator").check("ExecBatchRequest", await readJson(c));
      withScriptHash(
        c,
        input.steps.map((s) => s.script),
      );
      const outcome = await counted(c.get("metrics"), () =>
        execBatch(c.get("service"), c.get("scope"), c.req.param("sandboxId"), {
          steps: input.steps,
          parallel: input.parallel,
          stopOnError: input.stopOnError,
          // A read-only key's batch is a dry run: nothing it writes is kept.
          commit: isReadOnly(c.get("principal")) ? "never" : input.commit,
          ...controls(c, input),
        }),
      ).catch(shutdownAware(c));
      return c.json<Schemas["ExecBatchResult"]>({
        results: outcome.results.map(stepJson),
        durationMs: round(outcome.durationMs),
        commit: await commitJson(c, outcome.commit),
      });
    });
}

/** Runs an exec, and counts and times its outcome when the app records metrics. */
async function counted<T extends { commit: ExecCommitInfo }>(
  metrics: CairnMetrics | undefined,
  run: () => Promise<T>,
): Promise<T> {
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  try {
    const result = await run();
    metrics?.execFinished(commitOutcome(result.commit), seconds());
    return result;
  } catch (error) {
    metrics?.execFinished(failureOutcome(error), seconds());
    throw error;
  }
}

function commitOutcome(commit: ExecCommitInfo): CountedOutcome {
  if (commit.status !== "discarded") return commit.status;
  // Writes over the journal limits or the quota are limits; the others were asked for.
  return commit.reason === "journal_limit" || commit.reason === "quota" ? "limits" : "discarded";
}

function failureOutcome(error: unknown): CountedOutcome {
  if (error instanceof ExecAbortedError) return "aborted";
  const problem = toProblemError(error);
  if (problem.code === "timeout") return "timeout";
  if (problem.code === "conflict") return "conflict";
  if (problem.status === 413 || problem.status === 507) return "limits";
  return "error";
}

/** Time, output and write limits: the request's within the server's bounds. */
function controls(
  c: Context<AppEnv>,
  input: { timeoutMs?: number; maxOutputBytes?: number },
): Pick<ExecInput, "timeoutMs" | "maxOutputBytes" | "limits" | "signal" | "runner" | "semantic"> {
  const limits = c.get("limits");
  const drain = c.get("drain");
  const timeoutMs = input.timeoutMs ?? limits.execTimeoutMs;
  if (timeoutMs > limits.maxExecTimeoutMs) {
    throw new ProblemError(
      400,
      "invalid_request",
      `timeoutMs may be at most ${limits.maxExecTimeoutMs}`,
    );
  }
  return {
    timeoutMs,
    maxOutputBytes: input.maxOutputBytes ?? limits.maxOutputBytes,
    limits: {
      maxFileBytes: limits.maxFileBytes,
      maxJournalBytes: limits.maxJournalBytes,
      maxJournalFiles: limits.maxJournalFiles,
    },
    // A shutdown past its deadline stops the script like a client that went away.
    signal: clientSignal(c, drain?.signal),
    runner: c.get("runner"),
    // `search --semantic|--hybrid` in the script ranks as GET .../fs/search does.
    semantic: scriptSemantic(c.get("semantic"), c.get("service").backend, c.get("scope").tenantId),
  };
}

/** A script stopped by the shutdown deadline is a retryable 503, not the caller's abort. */
function shutdownAware(c: Context<AppEnv>): (error: unknown) => never {
  return (error) => {
    if (error instanceof ExecAbortedError && c.get("drain")?.signal.aborted) {
      throw shuttingDown("the server shut down before the script ended; nothing was committed");
    }
    throw error;
  };
}

/** The commit log records which script made a commit: sha256 of the scripts, NUL-joined. */
function withScriptHash(c: Context<AppEnv>, scripts: readonly string[]): void {
  const scriptHash = createHash("sha256").update(scripts.join("\0")).digest("hex");
  c.set("scope", { ...c.get("scope"), origin: { ...c.get("scope").origin, scriptHash } });
}

/** The commit info of an answer, with the paths it changed when it committed. */
async function commitJson(
  c: Context<AppEnv>,
  commit: ExecCommitInfo,
): Promise<Schemas["ExecCommit"]> {
  const id = c.req.param("sandboxId") ?? "";
  const committed = commit.status === "committed";
  return {
    ...commit,
    ...(await changesOf(c.get("service"), c.get("scope"), id, commit.version, committed)),
  };
}

function wantsEventStream(c: Context): boolean {
  return /\btext\/event-stream\b/i.test(c.req.header("accept") ?? "");
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

function stepJson(outcome: StepOutcome): Schemas["ExecStepResult"] {
  return {
    exitCode: outcome.exitCode,
    stdout: decodeBytes(outcome.stdout),
    stderr: decodeBytes(outcome.stderr),
    durationMs: round(outcome.durationMs),
    truncated: outcome.truncated,
  };
}

function chunkJson(bytes: Uint8Array): Schemas["ExecChunk"] {
  const text = tryDecodeUtf8(bytes);
  return text === undefined
    ? { data: Buffer.from(bytes).toString("base64"), encoding: "base64" }
    : { data: text, encoding: "utf8" };
}

/**
 * The exec as server-sent events: output as it is flushed, then `exit` or
 * `error`. The sandbox is looked up first, so a missing one is still a plain
 * 404; after the 200 is sent, failures arrive as an `error` event. A client
 * that goes away aborts the script, and nothing is committed.
 */
async function streamExec(c: Context<AppEnv>, exec: ExecInput): Promise<Response> {
  const sandboxId = c.req.param("sandboxId") ?? "";
  const service = c.get("service");
  const scope = c.get("scope");
  const requestId = c.get("requestId");
  const onInternalError = c.get("onInternalError");
  const metrics = c.get("metrics");
  const drain = c.get("drain");
  await service.get(scope, sandboxId);
  // The stream outlives the handler: a graceful shutdown waits for it too.
  const leave = drain?.enter();
  const encoder = new TextEncoder();
  const gone = new AbortController();
  const signal = AbortSignal.any([gone.signal, ...(exec.signal ? [exec.signal] : [])]);
  let id = 0;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const write = (text: string) => {
        if (!gone.signal.aborted) controller.enqueue(encoder.encode(text));
      };
      const send = (event: string, data: unknown) =>
        write(`id: ${++id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      const keepalive = setInterval(() => write(": keepalive\n\n"), KEEPALIVE_MS);
      metrics?.sseStreams.inc();
      counted(metrics, () =>
        execScript(service, scope, sandboxId, {
          ...exec,
          signal,
          onOutput: (stream, bytes) => send(stream, chunkJson(bytes)),
        }),
      )
        .then(async (outcome: ExecOutcome) =>
          send("exit", {
            exitCode: outcome.exitCode,
            durationMs: round(outcome.durationMs),
            truncated: outcome.truncated,
            commit: await commitJson(c, outcome.commit),
          } satisfies Schemas["ExecExit"]),
        )
        .catch(shutdownAware(c))
        .catch((error: unknown) => {
          const problem = toProblemError(error);
          if (problem.code === "internal_error") onInternalError(error, requestId);
          send("error", problemBody(problem, c.req.path, requestId));
        })
        .finally(() => {
          metrics?.sseStreams.dec();
          leave?.();
          clearInterval(keepalive);
          if (!gone.signal.aborted) controller.close();
        });
    },
    cancel() {
      gone.abort();
    },
  });
  return c.body(body, 200, {
    "Content-Type": "text/event-stream; charset=utf-8",
    "Cache-Control": "no-cache",
    "X-Accel-Buffering": "no",
  });
}
