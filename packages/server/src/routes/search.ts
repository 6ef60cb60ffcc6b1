/** Finding files: globFiles (by name) and grepFiles (by content, pushed down to the backend when it can). */
import { type GrepCandidates, type GrepOptions, glob, grep } from "@cairn/core";
import type { Schemas } from "@cairn/spec";
import { type Context, Hono } from "hono";
import type { AppEnv } from "../env.js";
import { boolParam, intParam, optionalPathParam, requiredParam, stringParam } from "../query.js";

export function searchRoutes() {
  return new Hono<AppEnv>()
    .get("/v1/sandboxes/:sandboxId/fs/glob", async (c) => {
      const pattern = requiredParam(c, "pattern", 1024);
      const path = optionalPathParam(c);
      const limit = intParam(c, "limit", { min: 1, max: 10_000, fallback: 1000 });
      const maxEntries = intParam(c, "maxEntries", { min: 1, max: 1_000_000, fallback: 100_000 });
      const { value } = await c.var.service.read(c.var.scope, c.req.param("sandboxId"), (vfs) =>
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
      };
      const { service, scope } = c.var;
      const { value } = await service.read(scope, c.req.param("sandboxId"), (vfs) =>
        grep(vfs, options, backendCandidates(c, options)),
      );
      return c.json<Schemas["GrepResult"]>(value);
    });
}

/** The backend's index narrows the files to read, when it has one. */
function backendCandidates(c: Context<AppEnv>, options: GrepOptions): GrepCandidates | undefined {
  const backend = c.var.service.backend;
  if (!backend.grepCandidates) return undefined;
  const query = {
    pattern: options.pattern,
    fixedString: options.fixedString ?? false,
    ignoreCase: options.ignoreCase ?? false,
  };
  return (files) =>
    backend.grepCandidates!(
      c.var.scope.tenantId,
      files.map((f) => f.hash),
      query,
    );
}
