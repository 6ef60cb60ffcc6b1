/** File content: readFile (bytes, ETag, Range), writeFile (If-Match / If-None-Match), deleteFile. */
import type { Stat } from "@cairn/core";
import type { Schemas } from "@cairn/spec";
import { Hono } from "hono";
import { setDownloadHeaders } from "../download-headers.js";
import type { AppEnv } from "../env.js";
import { ProblemError } from "../problem.js";
import { boolParam, parseMode, pathParam } from "../query.js";
import { etagMatches, etagOf, statJson } from "../representation.js";
import { requestBytes } from "../request-body.js";
import { mutateSandbox, readSandbox } from "./sandbox-step.js";

export function fileRoutes() {
  return new Hono<AppEnv>()
    .get("/v1/sandboxes/:sandboxId/files", async (c) => {
      const path = pathParam(c);
      const inline = boolParam(c, "inline", false);
      const { value } = await readSandbox(c, async (vfs) => {
        // readFile refuses a directory (EISDIR); stat gives the ETag.
        return { stat: vfs.stat(path, true), bytes: await vfs.readFile(path) };
      });
      const etag = etagOf(value.stat);
      setDownloadHeaders(c, path, "file", { inline });
      c.header("ETag", etag);
      c.header("Accept-Ranges", "bytes");
      const ifNoneMatch = c.req.header("if-none-match");
      if (ifNoneMatch !== undefined && etagMatches(ifNoneMatch, etag)) return c.body(null, 304);
      const range = parseRange(c.req.header("range"), value.bytes.length);
      if (range === "unsatisfiable") {
        throw new ProblemError(416, "range_not_satisfiable", "the range is outside the file", {
          headers: { "Content-Range": `bytes */${value.bytes.length}` },
        });
      }
      if (range) {
        c.header("Content-Range", `bytes ${range.start}-${range.end}/${value.bytes.length}`);
        return c.body(asBody(value.bytes.subarray(range.start, range.end + 1)), 206);
      }
      return c.body(asBody(value.bytes), 200);
    })
    .put("/v1/sandboxes/:sandboxId/files", async (c) => {
      const path = pathParam(c);
      const mode = parseMode(c.req.query("mode"), "query parameter 'mode'");
      const ifMatch = c.req.header("if-match");
      const ifNoneMatch = c.req.header("if-none-match");
      if (ifNoneMatch !== undefined && ifNoneMatch.trim() !== "*") {
        throw new ProblemError(400, "invalid_request", "If-None-Match on a write must be '*'");
      }
      const bytes = await requestBytes(c);
      const outcome = await mutateSandbox(c, (vfs) => {
        const current = vfs.exists(path, false) ? vfs.stat(path, true) : undefined;
        checkPreconditions(current, { ifMatch, ifNoneMatch });
        return { created: current === undefined, stat: vfs.writeFile(path, bytes, { mode }) };
      });
      const { created, stat } = outcome.value;
      c.header("ETag", etagOf(stat));
      return c.json<Schemas["WriteResult"]>(
        { version: outcome.version, file: statJson(stat) },
        created ? 201 : 200,
      );
    })
    .delete("/v1/sandboxes/:sandboxId/files", async (c) => {
      const path = pathParam(c);
      const recursive = boolParam(c, "recursive", false);
      const ifMatch = c.req.header("if-match");
      const outcome = await mutateSandbox(c, (vfs) => {
        if (ifMatch !== undefined) {
          checkPreconditions(vfs.exists(path, false) ? vfs.stat(path, false) : undefined, {
            ifMatch,
          });
        }
        vfs.rm(path, { recursive });
      });
      return c.json<Schemas["MutationResult"]>({ version: outcome.version });
    });
}

/** If-Match needs the current file's ETag; If-None-Match: * needs nothing at the path. */
export function checkPreconditions(
  current: Stat | undefined,
  headers: { ifMatch?: string; ifNoneMatch?: string },
): void {
  if (headers.ifNoneMatch !== undefined && current !== undefined) {
    throw new ProblemError(412, "precondition_failed", "If-None-Match: * but the path exists");
  }
  if (headers.ifMatch !== undefined) {
    const etag = current?.kind === "file" ? etagOf(current) : undefined;
    if (!etagMatches(headers.ifMatch, etag)) {
      throw new ProblemError(
        412,
        "precondition_failed",
        "If-Match does not match the current ETag",
      );
    }
  }
}

type ByteRange = { start: number; end: number };

/**
 * One `bytes=` range; multiple ranges or a malformed header are ignored (the
 * whole file is sent, as RFC 9110 allows).
 */
export function parseRange(
  header: string | undefined,
  size: number,
): ByteRange | "unsatisfiable" | undefined {
  if (header === undefined) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === "" && m[2] === "")) return undefined;
  if (m[1] === "") {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  if (m[2] !== "" && Number(m[2]) < start) return undefined;
  if (start >= size) return "unsatisfiable";
  const end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  return { start, end };
}

/**
 * The bytes as a response body, not copied. A Uint8Array (unlike an ArrayBuffer) keeps the
 * Node adapter's response lightweight, and content never lives in shared memory.
 */
function asBody(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes as Uint8Array<ArrayBuffer>;
}
