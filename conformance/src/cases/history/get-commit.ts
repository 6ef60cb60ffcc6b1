/** Cases for getCommit (GET /v1/sandboxes/{id}/commits/{version}) and the changes in write answers. */
import { createHash } from "node:crypto";
import { defineCases } from "../../case.js";
import { assert, expectProblem, expectStatus } from "../../harness/assert.js";
import { textFiles } from "../text-support.js";
import { commitAt, type PathChange, summary } from "./history-support.js";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

export default defineCases("history", "get-commit", {
  "exec-records-the-script-hash-and-request": [
    "An exec's commit names execScript, the sha256 of its script and the request's x-request-id.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const script = "echo hi > /out.txt";
      const res = await sb.request("POST", "/exec", {
        body: { script },
        headers: { "x-request-id": "req-history-conformance" },
      });
      expectStatus(res, 200);
      const commit = await commitAt(sb, 2);
      assert.equal(commit.version, 2);
      assert.equal(commit.origin.operation, "execScript");
      assert.equal(commit.origin.scriptHash, sha256(script));
      assert.equal(commit.origin.requestId, "req-history-conformance");
      assert.deepEqual(summary(commit.changes), ["created /out.txt"]);
    },
  ],
  "batch-hashes-its-scripts-in-order": [
    "A batch's commit carries the sha256 of its scripts joined by NUL.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const steps = ["echo a > /a", "echo b > /b"];
      const result = await sb.batch({ steps: steps.map((script) => ({ script })) });
      assert.equal(result.commit.status, "committed");
      assert.deepEqual(summary(result.commit.changes), ["created /a", "created /b"]);
      const commit = await commitAt(sb, result.commit.version);
      assert.equal(commit.origin.operation, "execBatch");
      assert.equal(commit.origin.scriptHash, sha256(steps.join("\0")));
    },
  ],
  "write-answers-carry-the-commits-changes": [
    "exec and patch answers list the paths their commit changed, exactly as the log does.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: textFiles({ "/a.txt": "one\ntwo\n" }) });
      const run = await sb.exec("echo new > /b.txt; rm /a.txt");
      assert.equal(run.commit.status, "committed");
      assert.deepEqual(summary(run.commit.changes), ["deleted /a.txt", "created /b.txt"]);
      assert.deepEqual(run.commit.changes, (await commitAt(sb, run.commit.version)).changes);
      const patched = await sb.request("POST", "/fs/patch", {
        body: { patch: "--- a/b.txt\n+++ b/b.txt\n@@ -1 +1 @@\n-new\n+newer\n" },
      });
      expectStatus(patched, 200);
      const body = patched.json<{ version: number; changes?: PathChange[] }>();
      assert.deepEqual(summary(body.changes), ["modified /b.txt"]);
      assert.deepEqual(body.changes, (await commitAt(sb, body.version)).changes);
      const unchanged = await sb.exec("cat /b.txt");
      assert.equal(unchanged.commit.status, "unchanged");
      assert.equal(unchanged.commit.changes, undefined);
    },
  ],
  "a-version-not-in-the-log-is-404": [
    "A version the sandbox never reached is 404 commit_not_found; a malformed one is 400.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      expectProblem(await sb.request("GET", "/commits/99"), 404, "commit_not_found");
      expectProblem(await sb.request("GET", "/commits/0"), 400, "invalid_request");
    },
  ],
});
