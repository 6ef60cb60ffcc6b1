/** Every path-taking operation rejects malformed paths with a 400 problem and changes nothing. */
import type { ErrorCode } from "@cairn/spec";
import type { ConformanceCase } from "../../case.js";
import type { ApiResponse } from "../../harness/api-response.js";
import { assert, expectProblem } from "../../harness/assert.js";
import type { SandboxHandle } from "../../harness/sandbox.js";

interface BadPath {
  readonly kind: string;
  readonly what: string;
  readonly path: string;
  readonly codes: readonly ErrorCode[];
}

const segment = (n: number, ch = "x") => `/${ch.repeat(n)}`;

/** Paths the spec says are rejected, with the codes that name the reason. */
export const badPaths: readonly BadPath[] = [
  {
    kind: "dot-dot",
    what: "a `..` segment (/a/../b)",
    path: "/a/../b",
    codes: ["EINVAL", "invalid_request"],
  },
  {
    kind: "nul-byte",
    what: "a NUL byte (/a\\0b)",
    path: "/a\u0000b",
    codes: ["EINVAL", "invalid_request"],
  },
  {
    kind: "segment-over-255-bytes",
    what: "a 256-byte segment",
    path: segment(256),
    codes: ["ENAMETOOLONG"],
  },
  {
    kind: "multibyte-segment-over-255-bytes",
    what: "a segment of 128 'é' (128 characters, 256 bytes)",
    path: segment(128, "é"),
    codes: ["ENAMETOOLONG"],
  },
  {
    kind: "path-over-4096-bytes",
    what: "a 4221-byte path",
    path: segment(200).repeat(21),
    codes: ["ENAMETOOLONG", "invalid_request"],
  },
  {
    kind: "multibyte-path-over-4096-bytes",
    what: "a path of 2121 characters but 4221 bytes",
    path: segment(100, "é").repeat(21),
    codes: ["ENAMETOOLONG"],
  },
  {
    kind: "relative",
    what: "a relative path (a/b)",
    path: "a/b",
    codes: ["EINVAL", "invalid_request"],
  },
  { kind: "empty", what: "an empty path", path: "", codes: ["EINVAL", "invalid_request"] },
];

interface PathOperation {
  readonly name: string;
  /** Runs the operation with the bad path where a path goes. */
  send(sb: SandboxHandle, path: string): Promise<ApiResponse>;
}

const x = new TextEncoder().encode("x");

const operations: readonly PathOperation[] = [
  {
    name: "write-file",
    send: (sb, path) => sb.request("PUT", "/files", { query: { path }, body: x }),
  },
  { name: "read-file", send: (sb, path) => sb.request("GET", "/files", { query: { path } }) },
  { name: "delete-file", send: (sb, path) => sb.request("DELETE", "/files", { query: { path } }) },
  { name: "stat-file", send: (sb, path) => sb.request("GET", "/fs/stat", { query: { path } }) },
  {
    name: "list-directory",
    send: (sb, path) => sb.request("GET", "/fs/list", { query: { path } }),
  },
  {
    name: "make-directory",
    send: (sb, path) => sb.request("POST", "/fs/mkdir", { body: { path } }),
  },
  {
    name: "move-file",
    send: (sb, to) => sb.request("POST", "/fs/move", { body: { from: "/seed.txt", to } }),
  },
  {
    name: "copy-file",
    send: (sb, to) => sb.request("POST", "/fs/copy", { body: { from: "/seed.txt", to } }),
  },
];

function rejectionCase(op: PathOperation, bad: BadPath): ConformanceCase {
  return {
    id: `paths/${op.name}/${bad.kind}-rejected`,
    feature: "paths",
    title: `${op.name} with ${bad.what} is 400 (${bad.codes.join(" or ")}) and changes nothing.`,
    async run(ctx) {
      // Seed the parts of the bad paths that could exist, so rejection must come from the rule.
      const sb = await ctx.sandbox({
        files: [
          { path: "/seed.txt", content: "seed" },
          { path: "/a/keep.txt", content: "a" },
          { path: "/b", content: "b" },
        ],
      });
      const before = await sb.version();
      expectProblem(await op.send(sb, bad.path), 400, bad.codes);
      assert.equal(await sb.version(), before, "a rejected path must not change the version");
      assert.equal(await sb.readText("/seed.txt"), "seed");
    },
  };
}

export default operations.flatMap((op) => badPaths.map((bad) => rejectionCase(op, bad)));
