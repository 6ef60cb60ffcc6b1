/** Tree operations: statFile, listDirectory, makeDirectory, moveFile, copyFile. */
import { compareNames, normalizePath } from "@cairn/core";
import type { Schemas } from "@cairn/spec";
import { Hono } from "hono";
import { decodeCursor, encodeCursor } from "../cursor.js";
import type { AppEnv } from "../env.js";
import { boolParam, intParam, pathParam, stringParam } from "../query.js";
import { entryJson, statJson } from "../representation.js";
import { readJson } from "../validation.js";
import { mutateSandbox, readSandbox } from "./sandbox-step.js";

export function fsRoutes() {
  return new Hono<AppEnv>()
    .get("/v1/sandboxes/:sandboxId/fs/stat", async (c) => {
      const path = pathParam(c);
      const follow = boolParam(c, "followSymlinks", true);
      const { value } = await readSandbox(c, (vfs) => vfs.stat(path, follow));
      return c.json<Schemas["FileStat"]>({ ...statJson(value), path: follow ? value.path : path });
    })
    .get("/v1/sandboxes/:sandboxId/fs/list", async (c) => {
      const path = pathParam(c);
      const limit = intParam(c, "limit", { min: 1, max: 10_000, fallback: 1000 });
      const cursor = stringParam(c, "cursor", 2048);
      const after = cursor === undefined ? undefined : decodeCursor(cursor);
      const { value: entries } = await readSandbox(c, (vfs) => vfs.readdir(path));
      const start =
        after === undefined ? 0 : entries.findIndex((e) => compareNames(e.name, after) > 0);
      const rest = start < 0 ? [] : entries.slice(start);
      const page = rest.slice(0, limit);
      const last = page.at(-1);
      return c.json<Schemas["DirectoryListing"]>({
        path,
        entries: page.map((e) => entryJson(e.name, e.stat)),
        nextCursor: rest.length > limit && last ? encodeCursor(last.name) : null,
      });
    })
    .post("/v1/sandboxes/:sandboxId/fs/mkdir", async (c) => {
      const input = c.get("validator").check("MakeDirectoryRequest", await readJson(c));
      const path = normalizePath(input.path, "mkdir");
      const outcome = await mutateSandbox(c, (vfs) =>
        vfs.mkdir(path, { recursive: input.parents ?? false }),
      );
      return c.json<Schemas["MutationResult"]>({ version: outcome.version }, 201);
    })
    .post("/v1/sandboxes/:sandboxId/fs/move", async (c) => {
      const input = c.get("validator").check("MoveRequest", await readJson(c));
      const from = normalizePath(input.from, "rename");
      const to = normalizePath(input.to, "rename");
      const outcome = await mutateSandbox(c, (vfs) =>
        vfs.rename(from, to, { overwrite: input.overwrite ?? false }),
      );
      return c.json<Schemas["MutationResult"]>({ version: outcome.version });
    })
    .post("/v1/sandboxes/:sandboxId/fs/copy", async (c) => {
      const input = c.get("validator").check("CopyRequest", await readJson(c));
      const from = normalizePath(input.from, "copyfile");
      const to = normalizePath(input.to, "copyfile");
      const outcome = await mutateSandbox(c, (vfs) =>
        vfs.copy(from, to, { recursive: true, overwrite: input.overwrite ?? false }),
      );
      return c.json<Schemas["MutationResult"]>({ version: outcome.version });
    });
}
