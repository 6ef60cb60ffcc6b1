/**
 * Finding files: globFiles (by name), grepFiles (lines by pattern) and
 * searchFiles (ranked by words); content search asks the backend's index
 * which files to read, when it has one.
 */
import {
  type ContentCandidates,
  type GrepOptions,
  glob,
  grep,
  type SearchMode,
  search,
} from "@cairn/core";
import type { Schemas } from "@cairn/spec";
import { type Context, Hono } from "hono";
import type { AppEnv } from "../env.js";
import { ProblemError } from "../problem.js";
import {
  boolParam,
  intParam,
  optionalPathParam,
  requiredParam,
  stringParam,
  stringsParam,
} from "../query.js";
import { semanticRanking } from "../semantic.js";
import { readSandbox } from "./sandbox-step.js";

const MODES: readonly SearchMode[] = ["text", "semantic", "hybrid"];

export function searchRoutes() {
  return new Hono<AppEnv>()
    .get("/v1/sandboxes/:sandboxId/fs/glob", async (c) => {
      const pattern = requiredParam(c, "pattern", 1024);
      const path = optionalPathParam(c);
      const limit = intParam(c, "limit", { min: 1, max: 10_000, fallback: 1000 });
      const maxEntries = intParam(c, "maxEntries", { min: 1, max: 1_000_000, fallback: 100_000 });
      const { value } = await readSandbox(c, (vfs) =>
        glob(vfs, pattern, { path, limit, maxEntries }),
      );
      return c.json<Schemas["GlobResult"]>(value);
    })
    .get("/v1/sandboxes/:sandboxId/fs/grep", async (c) => {
      const options: GrepOptions = {
        pattern: requiredParam(c, "pattern", 4096),
        fixedString: boolParam(c, "fixedString", false),
        ignoreCase: boolParam(c, "ignoreCase", false),
        wholeWord: boolParam(c, "wholeWord", false),
        context: intParam(c, "context", { min: 0, max: 20, fallback: 0 }),
        path: optionalPathParam(c),
        glob: stringParam(c, "glob", 1024),
        maxResults: intParam(c, "maxResults", { min: 1, max: 10_000, fallback: 1000 }),
        maxLineBytes: intParam(c, "maxLineBytes", { min: 1, max: 65_536, fallback: 500 }),
        maxFileBytes: intParam(c, "maxFileBytes", {
          min: 1,
          max: 100 << 20,
          fallback: 10 << 20,
        }),
        timeBudgetMs: c.get("limits").grepTimeBudgetMs,
      };
      const service = c.get("service");
      const scope = c.get("scope");
      const { value } = await service.read(scope, c.req.param("sandboxId"), (vfs) =>
        grep(vfs, options, backendCandidates(c)),
      );
      return c.json<Schemas["GrepResult"]>(value);
    })
    .get("/v1/sandboxes/:sandboxId/fs/search", async (c) => {
      const options = {
        query: stringParam(c, "q", 1000) ?? "",
        tags: stringsParam(c, "tag", { maxItems: 32, maxLength: 64 }),
        path: optionalPathParam(c),
        glob: stringParam(c, "glob", 1024),
        limit: intParam(c, "limit", { min: 1, max: 200, fallback: 20 }),
        maxFileBytes: intParam(c, "maxFileBytes", { min: 1, max: 100 << 20, fallback: 10 << 20 }),
      };
      const mode = (c.req.query("mode") ?? "text") as SearchMode;
      if (!MODES.includes(mode)) {
        throw new ProblemError(400, "invalid_request", "mode must be text, semantic or hybrid");
      }
      const service = c.get("service");
      const scope = c.get("scope");
      const { ranking, note } = await semanticRanking(
        c.get("semantic"),
        service.backend,
        scope.tenantId,
        mode,
        options.query,
      );
      const { value } = await service.read(scope, c.req.param("sandboxId"), (vfs) =>
        search(vfs, options, backendCandidates(c), ranking),
      );
      return c.json<Schemas["SearchResult"]>({ ...value, note });
    });
}

/** The backend's index narrows the files to read, when it has one. */
function backendCandidates(c: Context<AppEnv>): ContentCandidates | undefined {
  const backend = c.get("service").backend;
  if (!backend.grepCandidates) return undefined;
  return (files, query) =>
    backend.grepCandidates!(
      c.get("scope").tenantId,
      files.map((f) => f.hash),
      query,
    );
}
