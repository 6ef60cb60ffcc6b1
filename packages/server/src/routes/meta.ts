/** A file's tags and one-line summary (getFileMeta, setFileMeta), which searchFiles weighs. */
import { FsError, normalizeFileMeta, type Stat } from "@cairn/core";
import type { Schemas } from "@cairn/spec";
import { Hono } from "hono";
import type { AppEnv } from "../env.js";
import { pathParam } from "../query.js";
import { etagOf } from "../representation.js";
import { readJson } from "../validation.js";
import { checkPreconditions } from "./files.js";
import { mutateSandbox, readSandbox } from "./sandbox-step.js";

function metaJson(stat: Stat, version: number): Schemas["FileMetaResult"] {
  return {
    path: stat.path,
    etag: etagOf(stat),
    tags: stat.meta?.tags ?? [],
    summary: stat.meta?.summary ?? null,
    version,
  };
}

export function metaRoutes() {
  return new Hono<AppEnv>()
    .get("/v1/sandboxes/:sandboxId/fs/meta", async (c) => {
      const path = pathParam(c);
      const { value, version } = await readSandbox(c, (vfs) => {
        const stat = vfs.stat(path, true);
        if (stat.kind === "directory") throw new FsError("EISDIR", "getmeta", path);
        return stat;
      });
      return c.json<Schemas["FileMetaResult"]>(metaJson(value, version));
    })
    .put("/v1/sandboxes/:sandboxId/fs/meta", async (c) => {
      const path = pathParam(c);
      const meta = normalizeFileMeta(c.get("validator").check("FileMeta", await readJson(c)));
      const ifMatch = c.req.header("if-match");
      const { value, version } = await mutateSandbox(c, (vfs) => {
        checkPreconditions(vfs.stat(path, true), { ifMatch });
        return vfs.setMeta(path, meta);
      });
      c.header("ETag", etagOf(value));
      return c.json<Schemas["FileMetaResult"]>(metaJson(value, version));
    });
}
