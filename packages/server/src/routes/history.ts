/** The commit log: listCommits and getCommit; `changesOf` for the answers of writes. */
import type { CommitRecord, PathChange, SandboxService, Scope } from "@cairn/core";
import type { Schemas } from "@cairn/spec";
import { Hono } from "hono";
import { decodeCursor, encodeCursor } from "../cursor.js";
import type { AppEnv } from "../env.js";
import { ProblemError } from "../problem.js";
import { intParam, stringParam } from "../query.js";

export function historyRoutes() {
  return new Hono<AppEnv>()
    .get("/v1/sandboxes/:sandboxId/commits", async (c) => {
      const limit = intParam(c, "limit", { min: 1, max: 200, fallback: 50 });
      const cursor = stringParam(c, "cursor", 512);
      const before = cursor === undefined ? undefined : versionOf(decodeCursor(cursor));
      const page = await c.get("service").commits(c.get("scope"), c.req.param("sandboxId"), {
        limit,
        before,
      });
      return c.json<Schemas["CommitPage"]>({
        items: page.items.map(commitJson),
        nextCursor: page.next === null ? null : encodeCursor(String(page.next)),
      });
    })
    .get("/v1/sandboxes/:sandboxId/commits/:version", async (c) => {
      const raw = c.req.param("version");
      const version = /^[1-9]\d{0,14}$/.test(raw) ? Number(raw) : undefined;
      if (version === undefined) {
        throw new ProblemError(400, "invalid_request", "version must be a positive integer");
      }
      const service = c.get("service");
      const commit = await service.commitAt(c.get("scope"), c.req.param("sandboxId"), version);
      if (!commit) {
        throw new ProblemError(404, "commit_not_found", `version ${version} is not in the log`);
      }
      return c.json<Schemas["Commit"]>(commitJson(commit));
    });
}

function versionOf(position: string): number {
  if (!/^\d{1,15}$/.test(position)) {
    throw new ProblemError(400, "invalid_request", "malformed cursor");
  }
  return Number(position);
}

export function commitJson(commit: CommitRecord): Schemas["Commit"] {
  return {
    version: commit.version,
    at: commit.at.toISOString(),
    origin: commit.origin,
    changes: commit.changes.map(changeJson),
    changeCount: commit.changeCount,
  };
}

export function changeJson(change: PathChange): Schemas["PathChange"] {
  return {
    path: change.path,
    kind: change.kind,
    type: change.type,
    ...(change.from === undefined ? {} : { from: change.from }),
    size: change.size,
    hash: change.hash,
  };
}

/**
 * What a write's commit changed, for its answer: `{ changes }` when it committed
 * `version` (moved past `before`), nothing otherwise.
 */
export async function changesOf(
  service: SandboxService,
  scope: Scope,
  sandboxId: string,
  version: number,
  committed: boolean,
): Promise<{ changes?: Schemas["PathChange"][] }> {
  if (!committed) return {};
  const changes = await service.changesAt(scope, sandboxId, version);
  return changes ? { changes: changes.map(changeJson) } : {};
}
