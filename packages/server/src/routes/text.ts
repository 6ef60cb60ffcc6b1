/**
 * Text files for agents: readLines (a line range with the total count),
 * editFile (exact-string replace) and patchFiles (unified diff), each edit
 * one fenced commit.
 */
import {
  applyHunks,
  decodeBytes,
  encodeText,
  isBinary,
  normalizePath,
  parsePatch,
  readLines,
  replaceExact,
  type Vfs,
} from "@cairn/core";
import type { Schemas } from "@cairn/spec";
import { Hono } from "hono";
import type { AppEnv } from "../env.js";
import { ProblemError } from "../problem.js";
import { intParam, pathParam } from "../query.js";
import { etagOf, statJson } from "../representation.js";
import { readJson } from "../validation.js";
import { checkPreconditions } from "./files.js";
import { changesOf } from "./history.js";
import { mutateSandbox, readSandbox } from "./sandbox-step.js";

export function textRoutes() {
  return new Hono<AppEnv>()
    .get("/v1/sandboxes/:sandboxId/fs/read", async (c) => {
      const path = pathParam(c);
      const startLine = optionalInt(c, "startLine");
      const endLine = optionalInt(c, "endLine");
      const maxBytes = intParam(c, "maxBytes", { min: 1, max: 16 << 20, fallback: 256 << 10 });
      const { value } = await readSandbox(c, async (vfs) => ({
        stat: vfs.stat(path, true),
        bytes: await vfs.readFile(path),
      }));
      const lines = readLines(value.bytes, { startLine, endLine, maxBytes });
      return c.json<Schemas["ReadLinesResult"]>({
        path: value.stat.path,
        etag: etagOf(value.stat),
        ...lines,
      });
    })
    .post("/v1/sandboxes/:sandboxId/fs/edit", async (c) => {
      const input = c.get("validator").check("EditRequest", await readJson(c));
      const path = normalizePath(input.path);
      const ifMatch = c.req.header("if-match");
      const outcome = await mutateSandbox(c, async (vfs) => {
        const current = vfs.stat(path, true);
        checkPreconditions(current, { ifMatch });
        const { text, bom } = await textOf(vfs, path);
        const edited = replaceExact(text, input.oldString, input.newString, {
          replaceAll: input.replaceAll,
        });
        const stat = vfs.writeFile(current.path, encodeFileText(edited.text, bom));
        return { stat, replacements: edited.replacements };
      });
      const { stat, replacements } = outcome.value;
      c.header("ETag", etagOf(stat));
      return c.json<Schemas["EditResult"]>({
        version: outcome.version,
        file: statJson(stat),
        etag: etagOf(stat),
        replacements,
      });
    })
    .post("/v1/sandboxes/:sandboxId/fs/patch", async (c) => {
      const input = c.get("validator").check("PatchRequest", await readJson(c));
      const ifMatch = c.req.header("if-match");
      const patches = parsePatch(input.patch);
      const target = input.path === undefined ? undefined : normalizePath(input.path);
      if (target !== undefined && patches.length !== 1) {
        throw new ProblemError(400, "patch_invalid", "with `path`, the diff must touch one file");
      }
      if (ifMatch !== undefined && target === undefined) {
        throw new ProblemError(400, "invalid_request", "If-Match on a patch needs `path`");
      }
      const outcome = await mutateSandbox(c, async (vfs) => {
        const files: Schemas["PatchResult"]["files"] = [];
        for (const patch of patches) {
          // `path` renames the diff's file; /dev/null still means "create" or "delete".
          const from = patch.oldPath === null ? null : (target ?? patch.oldPath);
          const to = patch.newPath === null ? null : (target ?? patch.newPath);
          if (from === null) {
            // A new file: it must not exist yet.
            if (to === null)
              throw new ProblemError(400, "patch_invalid", "a diff from and to /dev/null");
            if (vfs.exists(to, false)) {
              throw new ProblemError(409, "EEXIST", `the diff creates ${to}, which exists`, {
                path: to,
              });
            }
            const stat = vfs.writeFile(to, encodeText(applyHunks("", patch.hunks, to)));
            files.push({ path: stat.path, status: "created", etag: etagOf(stat) });
            continue;
          }
          const current = vfs.stat(from, true);
          if (target !== undefined) checkPreconditions(current, { ifMatch });
          const { text, bom } = await textOf(vfs, from);
          const result = applyHunks(text, patch.hunks, from);
          if (to === null) {
            if (result !== "") {
              throw new ProblemError(
                422,
                "patch_conflict",
                `the diff deletes ${from}, but text would be left`,
                {
                  path: from,
                },
              );
            }
            vfs.rm(from);
            files.push({ path: current.path, status: "deleted" });
            continue;
          }
          if (to !== from) vfs.rename(from, to, { overwrite: false });
          const stat = vfs.writeFile(to, encodeFileText(result, bom), { mode: current.mode });
          files.push({ path: stat.path, status: "modified", etag: etagOf(stat) });
        }
        return files;
      });
      const service = c.get("service");
      const scope = c.get("scope");
      const id = c.req.param("sandboxId");
      return c.json<Schemas["PatchResult"]>({
        version: outcome.version,
        files: outcome.value,
        ...(await changesOf(service, scope, id, outcome.version, outcome.changed)),
      });
    });
}

/**
 * A file's text, without a leading UTF-8 byte order mark, and whether it had one (so that an
 * edit can write it back: only the edited text may change). A binary file cannot be edited as text.
 */
async function textOf(vfs: Vfs, path: string): Promise<{ text: string; bom: boolean }> {
  const bytes = await vfs.readFile(path);
  if (isBinary(bytes)) {
    throw new ProblemError(400, "invalid_request", `${path} is binary; edit it with a write`, {
      path,
    });
  }
  const bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  // decodeBytes drops one leading byte order mark; encodeFileText puts it back.
  return { text: decodeBytes(bytes), bom };
}

/** The bytes of edited text, with the byte order mark the file had. */
function encodeFileText(text: string, bom: boolean): Uint8Array {
  return encodeText(bom ? `\uFEFF${text}` : text);
}

function optionalInt(c: Parameters<typeof intParam>[0], name: string): number | undefined {
  return c.req.query(name) === undefined
    ? undefined
    : intParam(c, name, { min: 1, max: Number.MAX_SAFE_INTEGER, fallback: 1 });
}
