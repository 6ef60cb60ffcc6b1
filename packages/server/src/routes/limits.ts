/** GET /v1/limits: every bound the server applies, so clients and agents can stay within them. */
import { MAX_NAME_BYTES, MAX_PATH_BYTES, MAX_PATH_DEPTH } from "@cairn/core";
import type { Schemas } from "@cairn/spec";
import { Hono } from "hono";
import type { AppEnv } from "../env.js";

export function limitsRoutes() {
  return new Hono<AppEnv>().get("/v1/limits", (c) => {
    const limits = c.get("limits");
    return c.json<Schemas["Limits"]>({
      maxBodyBytes: limits.maxBodyBytes,
      maxFileBytes: limits.maxFileBytes,
      maxPathBytes: MAX_PATH_BYTES,
      maxNameBytes: MAX_NAME_BYTES,
      maxPathDepth: MAX_PATH_DEPTH,
      sandboxMaxBytes: limits.sandboxMaxBytes,
      sandboxMaxFiles: limits.sandboxMaxFiles,
      rateLimitPerSecond: limits.rateLimitPerSecond,
      rateLimitBurst: limits.rateLimitBurst,
      authFailuresPerSecond: limits.authFailuresPerSecond,
      authFailureBurst: limits.authFailureBurst,
      maxInFlightPerKey: limits.maxInFlightPerKey,
      maxConcurrentExecs: limits.maxConcurrentExecs,
      execTimeoutMs: limits.execTimeoutMs,
      maxExecTimeoutMs: limits.maxExecTimeoutMs,
      maxOutputBytes: limits.maxOutputBytes,
      maxJournalBytes: limits.maxJournalBytes,
      maxJournalFiles: limits.maxJournalFiles,
      grepTimeBudgetMs: limits.grepTimeBudgetMs,
      maxArchiveBytes: limits.maxArchiveBytes,
      maxArchiveUnpackedBytes: limits.maxArchiveUnpackedBytes,
      maxArchiveEntries: limits.maxArchiveEntries,
      maxArchiveEntryBytes: limits.maxArchiveEntryBytes,
    });
  });
}
