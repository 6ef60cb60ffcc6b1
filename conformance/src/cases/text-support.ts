/** Helpers shared by the agent file-tool cases: glob, grep, readLines, edit and patch. */
import type { operations, Schemas } from "@cairn/spec";
import type { ApiResponse } from "../harness/api-response.js";
import { assert, expectStatus } from "../harness/assert.js";
import type { SeedFileInput } from "../harness/inputs.js";
import type { SandboxHandle } from "../harness/sandbox.js";
import { sleep } from "./support.js";

export type GlobResult = Schemas["GlobResult"];
export type GrepResult = Schemas["GrepResult"];
export type GrepMatch = Schemas["GrepMatch"];
export type ReadLinesResult = Schemas["ReadLinesResult"];
export type EditResult = Schemas["EditResult"];
export type PatchResult = Schemas["PatchResult"];
export type SearchResult = Schemas["SearchResult"];
export type FileMetaResult = Schemas["FileMetaResult"];

/** searchFiles' query parameters (`tag` repeats). */
export type SearchQuery = Partial<operations["searchFiles"]["parameters"]["query"]>;

export interface GlobQuery {
  pattern?: string;
  path?: string;
  limit?: number;
  maxEntries?: number;
}

/** grepFiles' query parameters, `pattern` optional so a case can leave it out. */
export type GrepQuery = Partial<operations["grepFiles"]["parameters"]["query"]>;

/** Seed files for `ctx.sandbox({ files })` from a path → UTF-8 text map. */
export function textFiles(files: Record<string, string>): SeedFileInput[] {
  return Object.entries(files).map(([path, content]) => ({ path, content }));
}

/** A seed file given as bytes (sent base64). */
export function binaryFile(path: string, bytes: Uint8Array): SeedFileInput {
  return { path, content: Buffer.from(bytes).toString("base64"), encoding: "base64" };
}

export function globRaw(sb: SandboxHandle, query: GlobQuery): Promise<ApiResponse> {
  return sb.request("GET", "/fs/glob", { query: { ...query } });
}

/** GET /fs/glob (200 expected). */
export async function glob(sb: SandboxHandle, query: GlobQuery): Promise<GlobResult> {
  const res = await globRaw(sb, query);
  expectStatus(res, 200);
  return res.json<GlobResult>();
}

export function grepRaw(sb: SandboxHandle, query: GrepQuery): Promise<ApiResponse> {
  return sb.request("GET", "/fs/grep", { query: { ...query } });
}

/** GET /fs/grep (200 expected). */
export async function grep(sb: SandboxHandle, query: GrepQuery): Promise<GrepResult> {
  const res = await grepRaw(sb, query);
  expectStatus(res, 200);
  return res.json<GrepResult>();
}

/** Pauses between the rounds of {@link grepSettledAll}, in ms. */
const SETTLE_PAUSES = [0, 10, 30, 60, 150];

/**
 * Runs the same greps right away and again a few times over the next few hundred milliseconds,
 * and fails unless every round gives the same answers; returns them. A server may index content
 * after the commit that wrote it (Postgres fills its trigram index asynchronously): a grep must
 * give the same result before, during and after that, so this catches an index that loses
 * matches (the later rounds) as well as one that misses fresh content (the first).
 */
export async function grepSettledAll(
  sb: SandboxHandle,
  queries: readonly GrepQuery[],
): Promise<GrepResult[]> {
  return settled(`grep ${JSON.stringify(queries)}`, async () => {
    const results: GrepResult[] = [];
    for (const query of queries) results.push(await grep(sb, query));
    return results;
  });
}

/** Runs `read` in rounds as {@link grepSettledAll} does; fails unless every round agrees. */
export async function settled<T>(what: string, read: () => Promise<T>): Promise<T> {
  let first: T | undefined;
  for (const [round, pause] of SETTLE_PAUSES.entries()) {
    if (pause > 0) await sleep(pause);
    const result = await read();
    if (round === 0) first = result;
    else assert.deepEqual(result, first, `${what}: round ${round + 1} differs from the first`);
  }
  return first!;
}

/** {@link grepSettledAll} for one query. */
export async function grepSettled(sb: SandboxHandle, query: GrepQuery): Promise<GrepResult> {
  const [result] = await grepSettledAll(sb, [query]);
  return result!;
}

/** `[path, line, text]` of every match, for compact comparisons. */
export function matchedLines(result: GrepResult): Array<[string, number, string]> {
  return result.matches.map((m) => [m.path, m.line, m.text]);
}

export function readLinesRaw(
  sb: SandboxHandle,
  query: { path?: string; startLine?: number; endLine?: number; maxBytes?: number },
): Promise<ApiResponse> {
  return sb.request("GET", "/fs/read", { query: { ...query } });
}

/** GET /fs/read (200 expected). */
export async function readLines(
  sb: SandboxHandle,
  query: { path: string; startLine?: number; endLine?: number; maxBytes?: number },
): Promise<ReadLinesResult> {
  const res = await readLinesRaw(sb, query);
  expectStatus(res, 200);
  return res.json<ReadLinesResult>();
}

export function editRaw(
  sb: SandboxHandle,
  body: object,
  headers?: Record<string, string>,
): Promise<ApiResponse> {
  return sb.request("POST", "/fs/edit", { body, headers });
}

export function patchRaw(
  sb: SandboxHandle,
  body: object,
  headers?: Record<string, string>,
): Promise<ApiResponse> {
  return sb.request("POST", "/fs/patch", { body, headers });
}

export function searchRaw(sb: SandboxHandle, query: SearchQuery): Promise<ApiResponse> {
  return sb.request("GET", "/fs/search", { query: { ...query } });
}

/** GET /fs/search (200 expected), repeated until stable like {@link grepSettled}. */
export function searchSettled(sb: SandboxHandle, query: SearchQuery): Promise<SearchResult> {
  return settled(`search ${JSON.stringify(query)}`, async () => {
    const res = await searchRaw(sb, query);
    expectStatus(res, 200);
    return res.json<SearchResult>();
  });
}

export function setMetaRaw(
  sb: SandboxHandle,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<ApiResponse> {
  return sb.request("PUT", "/fs/meta", { query: { path }, body: body as object, headers });
}

/** PUT /fs/meta (200 expected). */
export async function setMeta(
  sb: SandboxHandle,
  path: string,
  body: { tags?: string[]; summary?: string | null },
): Promise<FileMetaResult> {
  const res = await setMetaRaw(sb, path, body);
  expectStatus(res, 200);
  return res.json<FileMetaResult>();
}

/** GET /fs/meta (200 expected). */
export async function getMeta(sb: SandboxHandle, path: string): Promise<FileMetaResult> {
  const res = await sb.request("GET", "/fs/meta", { query: { path } });
  expectStatus(res, 200);
  return res.json<FileMetaResult>();
}
