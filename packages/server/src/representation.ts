/** Core values turned into the spec's response shapes. */
import { normalizePolicy, type SandboxRecord, type Stat } from "@cairn/core";
import type { Schemas } from "@cairn/spec";

const KIND_TO_TYPE = { file: "file", directory: "directory", symlink: "symlink" } as const;

export function sandboxJson(record: SandboxRecord): Schemas["Sandbox"] {
  return {
    id: record.id,
    name: record.name,
    version: record.version,
    env: record.env,
    persistShell: record.options.persistShell,
    runtimes: record.options.runtimes,
    policy: normalizePolicy(record.options.policy),
    shell: record.shell,
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
    expiresAt: record.expiresAt?.toISOString() ?? null,
    idleTimeout: record.idleTimeout,
    idleExpiresAt: record.idleExpiresAt?.toISOString() ?? null,
  };
}

/** A strong ETag: the quoted sha256 of the content. */
export function etagOf(stat: Pick<Stat, "blob">): string {
  return `"${stat.blob ?? ""}"`;
}

export function statJson(stat: Stat): Schemas["FileStat"] {
  const json: Schemas["FileStat"] = {
    path: stat.path,
    type: KIND_TO_TYPE[stat.kind],
    size: stat.size,
    mode: stat.mode,
    mtime: new Date(stat.mtimeMs).toISOString(),
  };
  if (stat.kind === "file") json.etag = etagOf(stat);
  if (stat.kind === "symlink" && stat.target !== null) json.target = stat.target;
  return json;
}

export function entryJson(name: string, stat: Stat): Schemas["DirectoryEntry"] {
  const { path: _path, etag: _etag, ...rest } = statJson(stat);
  return { name, ...rest };
}

/** Whether an `If-Match` / `If-None-Match` header value lists `etag` (or is `*`). */
export function etagMatches(header: string, etag: string | undefined): boolean {
  if (etag === undefined) return false;
  return header
    .split(",")
    .map((t) => t.trim().replace(/^W\//, ""))
    .some((t) => t === "*" || t === etag);
}
