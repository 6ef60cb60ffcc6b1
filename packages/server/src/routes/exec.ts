/** POST /v1/sandboxes/{id}/exec: run a script as one optimistic transaction. */
import { decodeBytes, execScript } from "@cairn/core";
import type { Schemas } from "@cairn/spec";
import { Hono } from "hono";
import type { AppEnv } from "../env.js";
import { ProblemError } from "../problem.js";
import { readJson } from "../validation.js";

export function execRoutes() {
  return new Hono<AppEnv>().post("/v1/sandboxes/:sandboxId/exec", async (c) => {
    const input = c.var.validator.check("ExecRequest", await readJson(c));
    const { execTimeoutMs, maxExecTimeoutMs } = c.var.limits;
    const timeoutMs = input.timeoutMs ?? execTimeoutMs;
    if (timeoutMs > maxExecTimeoutMs) {
      throw new ProblemError(
        400,
        "invalid_request",
        `timeoutMs may be at most ${maxExecTimeoutMs}`,
      );
    }
    const outcome = await execScript(c.var.service, c.var.scope, c.req.param("sandboxId"), {
      script: input.script,
      cwd: input.cwd,
      env: input.env,
      stdin: input.stdin,
      timeoutMs,
      commit: input.commit,
      signal: c.req.raw.signal,
    });
    return c.json<Schemas["ExecResult"]>({
      exitCode: outcome.exitCode,
      stdout: decodeBytes(outcome.stdout),
      stderr: decodeBytes(outcome.stderr),
      durationMs: Math.round(outcome.durationMs * 1000) / 1000,
      commit: outcome.commit,
    });
  });
}
