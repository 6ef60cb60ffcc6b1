/** Snapshots and restore: createSnapshot, listSnapshots, getSnapshot, deleteSnapshot, restoreSandbox. */
import {
  createSnapshot,
  type DiffEnd,
  deleteSnapshot,
  diffSandbox,
  getSnapshot,
  listSnapshots,
  restoreSnapshot,
  restoreVersion,
  type SnapshotRecord,
  VersionConflictError,
} from "@cairn/core";
import type { Schemas } from "@cairn/spec";
import { Hono } from "hono";
import { decodeCursor, encodeCursor } from "../cursor.js";
import type { AppEnv } from "../env.js";
import { ProblemError } from "../problem.js";
import { intParam, stringParam } from "../query.js";
import { readJson } from "../validation.js";
import { changeJson, changesOf } from "./history.js";
import { versionPrecondition } from "./sandboxes.js";

export function snapshotRoutes() {
  return new Hono<AppEnv>()
    .post("/v1/sandboxes/:sandboxId/snapshots", async (c) => {
      const input = c.get("validator").check("CreateSnapshotRequest", await readJson(c, true));
      const id = c.req.param("sandboxId");
      const ifVersion = versionPrecondition(c.req.header("if-match"));
      try {
        const snapshot = await createSnapshot(c.get("service"), c.get("scope"), id, {
          name: input.name ?? null,
          ifVersion,
        });
        c.header("Location", `/v1/sandboxes/${id}/snapshots/${snapshot.id}`);
        return c.json<Schemas["Snapshot"]>(snapshotJson(snapshot), 201);
      } catch (error) {
        if (error instanceof VersionConflictError && ifVersion !== undefined) {
          throw new ProblemError(
            412,
            "precondition_failed",
            `the sandbox is not at version ${ifVersion}`,
          );
        }
        throw error;
      }
    })
    .get("/v1/sandboxes/:sandboxId/snapshots", async (c) => {
      const limit = intParam(c, "limit", { min: 1, max: 200, fallback: 50 });
      const cursor = stringParam(c, "cursor", 512);
      const page = await listSnapshots(c.get("service"), c.get("scope"), c.req.param("sandboxId"), {
        limit,
        after: cursor === undefined ? undefined : decodeCursor(cursor),
      });
      return c.json<Schemas["SnapshotPage"]>({
        items: page.items.map(snapshotJson),
        nextCursor: page.next === null ? null : encodeCursor(page.next),
      });
    })
    .get("/v1/sandboxes/:sandboxId/snapshots/:snapshotId", async (c) => {
      const { sandboxId, snapshotId } = c.req.param();
      const snapshot = await getSnapshot(c.get("service"), c.get("scope"), sandboxId, snapshotId);
      return c.json<Schemas["Snapshot"]>(snapshotJson(snapshot));
    })
    .delete("/v1/sandboxes/:sandboxId/snapshots/:snapshotId", async (c) => {
      const { sandboxId, snapshotId } = c.req.param();
      await deleteSnapshot(c.get("service"), c.get("scope"), sandboxId, snapshotId);
      return c.body(null, 204);
    })
    .get("/v1/sandboxes/:sandboxId/diff", async (c) => {
      const from = diffEnd(stringParam(c, "from", 80), "from");
      const raw = stringParam(c, "to", 80);
      const to = raw === undefined ? undefined : diffEnd(raw, "to");
      if (!from) throw new ProblemError(400, "invalid_request", "`from` is required");
      const diff = await diffSandbox(
        c.get("service"),
        c.get("scope"),
        c.req.param("sandboxId"),
        from,
        to,
      );
      return c.json<Schemas["SandboxDiff"]>({
        ...diff,
        changes: diff.changes.map(changeJson),
      });
    })
    .post("/v1/sandboxes/:sandboxId/restore", async (c) => {
      const input = c.get("validator").check("RestoreRequest", await readJson(c));
      const id = c.req.param("sandboxId");
      const ifVersion = versionPrecondition(c.req.header("if-match"));
      const service = c.get("service");
      const scope = c.get("scope");
      const check = (current: number) => {
        if (ifVersion !== undefined && current !== ifVersion) {
          throw new ProblemError(
            412,
            "precondition_failed",
            `the sandbox is at version ${current}, not ${ifVersion}`,
          );
        }
      };
      const outcome =
        input.version !== undefined
          ? await restoreVersion(service, scope, id, input.version, check)
          : await restoreSnapshot(service, scope, id, input.snapshotId ?? "", check);
      const { changes } = await changesOf(service, scope, id, outcome.version, outcome.changed);
      return c.json<Schemas["RestoreResult"]>({ version: outcome.version, changes: changes ?? [] });
    });
}

/** `snp_...` or a version number. */
function diffEnd(raw: string | undefined, name: string): DiffEnd | undefined {
  if (raw === undefined) return undefined;
  if (/^snp_[A-Za-z0-9]{1,64}$/.test(raw)) return { snapshotId: raw };
  if (/^[1-9]\d{0,14}$/.test(raw)) return { version: Number(raw) };
  throw new ProblemError(400, "invalid_request", `${name} must be a snapshot id or a version`);
}

function snapshotJson(snapshot: SnapshotRecord): Schemas["Snapshot"] {
  return {
    id: snapshot.id,
    sandboxId: snapshot.sandboxId,
    name: snapshot.name,
    version: snapshot.version,
    files: snapshot.files,
    bytes: snapshot.bytes,
    createdAt: snapshot.createdAt.toISOString(),
  };
}
