/**
 * Cases for a sandbox's policy (`policy` on create and PATCH): read-only sandboxes, denied
 * secret paths (for the API and for scripts) and redaction of secret-looking strings in reads.
 */
import type { Sandbox } from "@cairn/spec";
import { defineCases } from "../../case.js";
import { assert, expectProblem, expectStatus } from "../../harness/assert.js";
import { grep, searchSettled, textFiles } from "../text-support.js";

const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const AWS_KEY = "AKIAIOSFODNN7EXAMPLE";
const GITHUB_TOKEN = `ghp_${"a1B2c3D4e5".repeat(4)}`;

export default defineCases("sandboxes", "sandbox-policy", {
  "off-by-default": [
    "A new sandbox reports its policy with every rule off.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      assert.deepEqual((await sb.get()).policy, {
        readOnly: false,
        denySecrets: false,
        denyGlobs: [],
        redactSecrets: false,
      });
    },
  ],
  "read-only-refuses-writes": [
    "In a read-only sandbox every API write is 403 EROFS, a script's writes fail and nothing commits; reads work.",
    async (ctx) => {
      const sb = await ctx.sandbox({
        policy: { readOnly: true },
        files: textFiles({ "/a.txt": "hello\n" }),
      });
      const version = await sb.version();
      expectProblem(await sb.writeRaw("/b.txt", "x"), 403, "EROFS");
      expectProblem(
        await sb.request("DELETE", "/files", { query: { path: "/a.txt" } }),
        403,
        "EROFS",
      );
      expectProblem(await sb.request("POST", "/fs/mkdir", { body: { path: "/d" } }), 403, "EROFS");
      expectProblem(
        await sb.request("POST", "/fs/edit", {
          body: { path: "/a.txt", oldString: "hello", newString: "bye" },
        }),
        403,
        "EROFS",
      );
      const r = await sb.exec("echo x > /c.txt; cat /a.txt");
      assert.match(r.stderr, /EROFS|read-only/i);
      assert.equal(r.stdout, "hello\n");
      assert.equal(r.commit.status, "unchanged");
      assert.equal(await sb.version(), version);
      assert.equal(decode(await sb.read("/a.txt")), "hello\n");
    },
  ],
  "patch-lifts-read-only-and-keeps-the-rest": [
    "PATCH policy.readOnly false makes the sandbox writable again; other PATCHes keep the policy.",
    async (ctx) => {
      const sb = await ctx.sandbox({ policy: { readOnly: true, denySecrets: true } });
      const kept = await sb.request("PATCH", "", { body: { persistShell: true } });
      expectStatus(kept, 200);
      assert.deepEqual(kept.json<Sandbox>().policy, {
        readOnly: true,
        denySecrets: true,
        denyGlobs: [],
        redactSecrets: false,
      });
      const lifted = await sb.request("PATCH", "", { body: { policy: { readOnly: false } } });
      expectStatus(lifted, 200);
      assert.equal(lifted.json<Sandbox>().policy.denySecrets, true);
      await sb.write("/now.txt", "writable");
    },
  ],
  "denied-secrets-through-the-api": [
    "With denySecrets, reading, writing or deleting /app/.env or /home/.ssh/id_rsa is 403 EACCES; their names still list.",
    async (ctx) => {
      const sb = await ctx.sandbox({
        policy: { denySecrets: true },
        files: textFiles({
          "/app/.env": "TOKEN=1\n",
          "/home/.ssh/id_rsa": "key\n",
          "/app/main.ts": "ok\n",
        }),
      });
      for (const path of ["/app/.env", "/home/.ssh/id_rsa"]) {
        expectProblem(await sb.readRaw(path), 403, "EACCES");
        expectProblem(await sb.writeRaw(path, "x"), 403, "EACCES");
        expectProblem(await sb.request("DELETE", "/files", { query: { path } }), 403, "EACCES");
      }
      expectProblem(await sb.writeRaw("/app/.env.local", "x"), 403, "EACCES");
      expectProblem(
        await sb.request("POST", "/fs/copy", { body: { from: "/app/.env", to: "/app/copy" } }),
        403,
        "EACCES",
      );
      assert.equal(decode(await sb.read("/app/main.ts")), "ok\n");
      const list = await sb.request("GET", "/fs/list", { query: { path: "/app" } });
      expectStatus(list, 200);
      assert.ok(
        list.json<{ entries: Array<{ name: string }> }>().entries.some((e) => e.name === ".env"),
      );
    },
  ],
  "denied-secrets-in-scripts": [
    "With denySecrets, a script cannot cat, copy, move or overwrite /app/.env (permission denied), and the file is unchanged.",
    async (ctx) => {
      const sb = await ctx.sandbox({
        policy: { denySecrets: true },
        files: textFiles({ "/app/.env": "TOKEN=1\n" }),
      });
      for (const script of [
        "cat /app/.env",
        "cp /app/.env /tmp/x",
        "mv /app/.env /app/env",
        "echo TOKEN=2 > /app/.env",
        "ln -s /app/.env /link && cat /link",
      ]) {
        const r = await sb.exec(script);
        assert.notEqual(r.exitCode, 0, script);
        assert.doesNotMatch(r.stdout, /TOKEN/, script);
      }
      await sb.request("PATCH", "", { body: { policy: { denySecrets: false } } });
      assert.equal(decode(await sb.read("/app/.env")), "TOKEN=1\n");
    },
  ],
  "denied-files-skipped-by-grep-and-search": [
    "grep and search never read a denied file: a word only in /app/.env is not found.",
    async (ctx) => {
      const sb = await ctx.sandbox({
        policy: { denyGlobs: ["secrets/**"] },
        files: textFiles({ "/secrets/db.txt": "zebrapassword\n", "/open.txt": "zebra\n" }),
      });
      const found = await grep(sb, { pattern: "zebra" });
      assert.deepEqual(
        found.matches.map((m) => m.path),
        ["/open.txt"],
      );
      const hits = await searchSettled(sb, { q: "zebrapassword" });
      assert.deepEqual(hits.hits, []);
      expectProblem(await sb.readRaw("/secrets/db.txt"), 403, "EACCES");
    },
  ],
  "invalid-deny-glob-400": [
    "A deny glob that does not parse is 400 invalid_request, on create and on PATCH.",
    async (ctx) => {
      const res = await ctx.request("POST", "/v1/sandboxes", {
        body: { policy: { denyGlobs: ["["] } },
      });
      expectProblem(res, 400, "invalid_request");
      const sb = await ctx.sandbox();
      expectProblem(
        await sb.request("PATCH", "", { body: { policy: { denyGlobs: ["{a"] } } }),
        400,
        "invalid_request",
      );
    },
  ],
  "redacted-in-reads-not-in-scripts": [
    "With redactSecrets, file reads, line reads and grep show [REDACTED] for an AWS key and a GitHub token, and grep cannot find them; a script sees the real bytes.",
    async (ctx) => {
      const text = `aws=${AWS_KEY}\ngh=${GITHUB_TOKEN}\nplain=1\n`;
      const sb = await ctx.sandbox({
        policy: { redactSecrets: true },
        files: textFiles({ "/conf.txt": text }),
      });
      const read = decode(await sb.read("/conf.txt"));
      assert.equal(read, "aws=[REDACTED]\ngh=[REDACTED]\nplain=1\n");
      const lines = await sb.request("GET", "/fs/read", { query: { path: "/conf.txt" } });
      assert.doesNotMatch(lines.json<{ text: string }>().text, /AKIA|ghp_/);
      assert.deepEqual((await grep(sb, { pattern: "AKIA", fixedString: true })).matches, []);
      const shown = await grep(sb, { pattern: "^aws=" });
      assert.equal(shown.matches[0]?.text, "aws=[REDACTED]");
      const r = await sb.exec("cat /conf.txt");
      assert.equal(r.stdout, text);
    },
  ],
});
