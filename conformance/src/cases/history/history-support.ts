/** Helpers for the history cases: reading the commit log over HTTP. */
import type { Schemas } from "@cairn/spec";
import { expectStatus } from "../../harness/assert.js";
import type { SandboxHandle } from "../../harness/sandbox.js";

export type Commit = Schemas["Commit"];
export type CommitPage = Schemas["CommitPage"];
export type PathChange = Schemas["PathChange"];

/** One page of the log (200 expected). */
export async function commitPage(
  sb: SandboxHandle,
  query: { limit?: number; cursor?: string } = {},
): Promise<CommitPage> {
  const res = await sb.request("GET", "/commits", { query });
  expectStatus(res, 200);
  return res.json<CommitPage>();
}

/** The whole log, newest first. */
export async function allCommits(sb: SandboxHandle): Promise<Commit[]> {
  const commits: Commit[] = [];
  let cursor: string | undefined;
  do {
    const page = await commitPage(sb, { limit: 200, cursor });
    commits.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return commits;
}

/** The commit that made `version` (200 expected). */
export async function commitAt(sb: SandboxHandle, version: number): Promise<Commit> {
  const res = await sb.request("GET", `/commits/${version}`);
  expectStatus(res, 200);
  return res.json<Commit>();
}

/** `kind path` (and `from ->` for moves), for compact comparisons. */
export function summary(changes: readonly PathChange[] | undefined): string[] {
  return (changes ?? []).map(
    (c) => `${c.kind} ${c.from === undefined ? "" : `${c.from} -> `}${c.path}`,
  );
}
