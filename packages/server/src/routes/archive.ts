/** Archives: importArchive (a streamed tar or tar.gz, one commit) and exportArchive (tar.gz). */
import { applyArchive, type ExportEntry, exportEntries, type Vfs } from "@cairn/core";
import type { Schemas } from "@cairn/spec";
import { Hono } from "hono";
import { readArchive } from "../archive/read-archive.js";
import { type TarSource, tarStream } from "../archive/tar-writer.js";
import { setDownloadHeaders } from "../download-headers.js";
import type { AppEnv } from "../env.js";
import { isArchiveBody, uploadBody } from "../middleware/streamed-upload.js";
import { ProblemError } from "../problem.js";
import { optionalPathParam } from "../query.js";
import { changesOf } from "./history.js";
import { readSandbox } from "./sandbox-step.js";
import { versionPrecondition } from "./sandboxes.js";

export function archiveRoutes() {
  return new Hono<AppEnv>()
    .post("/v1/sandboxes/:sandboxId/archive", async (c) => {
      const id = c.req.param("sandboxId");
      const destination = optionalPathParam(c) ?? "/";
      const ifVersion = versionPrecondition(c.req.header("if-match"));
      if (!isArchiveBody(c)) {
        throw new ProblemError(
          415,
          "unsupported_media_type",
          "send the archive as application/x-tar or application/gzip",
        );
      }
      const service = c.get("service");
      const scope = c.get("scope");
      // Refuse what can be refused before reading a possibly large body.
      const before = await service.get(scope, id);
      checkVersion(before.version, ifVersion);
      const entries = await readArchive(uploadBody(c), c.get("limits"));
      const outcome = await service.mutate(scope, id, (vfs) => {
        checkVersion(vfs.journal.base.version, ifVersion);
        return applyArchive(vfs, destination, entries);
      });
      return c.json<Schemas["ArchiveImportResult"]>({
        version: outcome.version,
        ...outcome.value,
        ...(await changesOf(service, scope, id, outcome.version, outcome.changed)),
      });
    })
    .get("/v1/sandboxes/:sandboxId/archive", async (c) => {
      const path = optionalPathParam(c) ?? "/";
      const { value: vfs, version } = await readSandbox(c, (vfs) => vfs);
      const walk = exportEntries(vfs, path);
      const first = walk.next(); // a missing path is a 404 here, before the 200
      const requestId = c.get("requestId");
      const onError = c.get("onInternalError");
      const sources = (async function* () {
        try {
          if (!first.done) yield await source(vfs, first.value);
          for (const entry of walk) yield await source(vfs, entry);
        } catch (error) {
          // The 200 is out: the stream breaks off (the gzip never ends) and the error is logged.
          onError(error, requestId);
          throw error;
        }
      })();
      c.header("Cairn-Sandbox-Version", String(version));
      const name = path.split("/").filter(Boolean).pop() ?? c.req.param("sandboxId");
      setDownloadHeaders(c, `${name}.tar.gz`, "archive.tar.gz", { type: "application/gzip" });
      const gzip = new CompressionStream("gzip") as unknown as ReadableWritablePair<
        Uint8Array,
        Uint8Array
      >;
      return c.body(tarStream(sources).pipeThrough(gzip), 200);
    });
}

function checkVersion(current: number, wanted: number | undefined): void {
  if (wanted !== undefined && current !== wanted) {
    throw new ProblemError(
      412,
      "precondition_failed",
      `the sandbox is at version ${current}, not ${wanted}`,
    );
  }
}

/** One export entry as a tar entry; a file's bytes are read when the stream gets to it. */
async function source(vfs: Vfs, e: ExportEntry): Promise<TarSource> {
  const { stat } = e;
  const base = { mode: stat.mode, mtimeMs: stat.mtimeMs };
  if (e.kind === "directory") {
    return { entry: { ...base, kind: "directory", name: e.name === "" ? "./" : `${e.name}/` } };
  }
  if (e.kind === "symlink") {
    return { entry: { ...base, kind: "symlink", name: e.name, linkName: stat.target ?? "" } };
  }
  if (e.kind === "hardlink") {
    return { entry: { ...base, kind: "hardlink", name: e.name, linkName: e.linkTo ?? "" } };
  }
  const bytes = await vfs.readFile(e.path);
  return {
    entry: { ...base, kind: "file", name: e.name, size: bytes.length },
    content: async () => bytes,
  };
}
