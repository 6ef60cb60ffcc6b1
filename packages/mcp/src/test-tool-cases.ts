/**
 * Every tool's success and failure paths, through the SDK's own MCP client over real HTTP. One
 * suite, run against each backend (memory.test.ts, postgres.test.ts).
 */
import type { Backend } from "@cairn/core";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, fails, type McpTestServer, ok, startMcpTestServer, textOf } from "./test-server.js";

const TOOLS = [
  "bash",
  "create_sandbox",
  "delete_sandbox",
  "diff",
  "edit_file",
  "glob",
  "grep",
  "list_sandboxes",
  "read_file",
  "restore",
  "snapshot",
  "write_file",
];

export function describeTools(label: string, openBackend: () => Promise<Backend>): void {
  describe(`MCP tools over HTTP (${label})`, () => {
    let backend: Backend;
    let server: McpTestServer;
    let client: Client;
    let sandboxId: string;

    beforeAll(async () => {
      backend = await openBackend();
      server = await startMcpTestServer(backend);
      client = await server.connect();
      const created = await ok(client, "create_sandbox", { name: `tools-${label}` });
      sandboxId = (created.data.sandbox as { id: string }).id;
    });
    afterAll(async () => {
      await server?.close();
      await backend?.close?.();
    });

    /** `bash` in the suite's sandbox; must succeed as a tool call. */
    const bash = (script: string, extra: Record<string, unknown> = {}) =>
      ok(client, "bash", { sandboxId, script, ...extra });

    it("snapshot and restore put the files back, and say what changed", async () => {
      await bash("echo keep > /checkpoint.txt; rm -f /later.txt");
      const snap = await ok(client, "snapshot", { sandboxId, name: "before" });
      const snapshotId = snap.data.snapshotId as string;
      expect(snapshotId).toMatch(/^snp_/);
      await bash("echo changed > /checkpoint.txt; echo new > /later.txt");
      const diff = await ok(client, "diff", { sandboxId, from: snapshotId });
      expect(diff.data.changes).toEqual([
        { path: "/checkpoint.txt", kind: "modified" },
        { path: "/later.txt", kind: "created" },
      ]);
      expect(diff.data.diff).toContain("-keep\n+changed\n");
      const restored = await ok(client, "restore", { sandboxId, snapshotId });
      expect(restored.data.changes).toEqual([
        { path: "/checkpoint.txt", kind: "modified" },
        { path: "/later.txt", kind: "deleted" },
      ]);
      expect((await bash("cat /checkpoint.txt")).text).toContain("keep");
      const again = await ok(client, "restore", { sandboxId, snapshotId });
      expect(again.text).toContain("nothing changed");
      const missing = await fails(client, "restore", { sandboxId, snapshotId: "snp_nothere" });
      expect(missing).toContain("snapshot_not_found");
      // Undo the restore: the version before it, from the commit log.
      const undo = await ok(client, "restore", {
        sandboxId,
        version: Number(restored.data.version) - 1,
      });
      expect(undo.data.changes).toEqual([
        { path: "/checkpoint.txt", kind: "modified" },
        { path: "/later.txt", kind: "created" },
      ]);
      expect(await fails(client, "restore", { sandboxId })).toContain("snapshotId or version");
    });

    it("lists exactly the tools, each with a description and strict input and output schemas", async () => {
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name).sort()).toEqual(TOOLS);
      for (const tool of tools) {
        expect(tool.description?.length, tool.name).toBeGreaterThan(60);
        expect(tool.inputSchema.additionalProperties, tool.name).toBe(false);
        expect(tool.outputSchema?.type, tool.name).toBe("object");
        for (const [name, property] of Object.entries(tool.inputSchema.properties ?? {})) {
          expect(
            (property as { description?: string }).description,
            `${tool.name}.${name}`,
          ).toMatch(/\w{3}/);
        }
      }
      const byName = Object.fromEntries(tools.map((tool) => [tool.name, tool]));
      expect(byName.bash?.inputSchema.required).toEqual(["sandboxId", "script"]);
      expect(Object.keys(byName.bash?.inputSchema.properties ?? {})).toEqual(
        expect.arrayContaining(["cwd", "timeoutMs", "readOnly"]),
      );
      expect(byName.read_file?.inputSchema.required).toEqual(["sandboxId", "path"]);
      expect(Object.keys(byName.read_file?.inputSchema.properties ?? {})).toEqual([
        "sandboxId",
        "path",
        "startLine",
        "endLine",
      ]);
      expect(byName.edit_file?.inputSchema.required).toEqual([
        "sandboxId",
        "path",
        "oldString",
        "newString",
      ]);
      expect(Object.keys(byName.grep?.inputSchema.properties ?? {})).toEqual(
        expect.arrayContaining(["path", "glob", "maxResults"]),
      );
      expect(byName.read_file?.annotations?.readOnlyHint).toBe(true);
      expect(byName.delete_sandbox?.annotations?.destructiveHint).toBe(true);
      expect(client.getInstructions()).toMatch(/create_sandbox/);
    });

    describe("sandboxes", () => {
      it("creates (with files), lists and deletes a sandbox; a deleted id fails clearly", async () => {
        const created = await ok(client, "create_sandbox", {
          name: "scratch",
          env: { GREETING: "hello" },
          files: [{ path: "/notes/todo.txt", content: "one\ntwo\n" }],
        });
        const sandbox = created.data.sandbox as { id: string; name: string };
        expect(sandbox).toMatchObject({ id: expect.stringMatching(/^sbx_/), name: "scratch" });
        expect(created.text).toContain(sandbox.id);
        const read = await ok(client, "read_file", {
          sandboxId: sandbox.id,
          path: "/notes/todo.txt",
        });
        expect(read.data.text).toBe("one\ntwo\n");
        const env = await ok(client, "bash", { sandboxId: sandbox.id, script: "echo $GREETING" });
        expect(env.data.stdout).toBe("hello\n");

        const listed = await ok(client, "list_sandboxes", { limit: 200 });
        const ids = (listed.data.sandboxes as { id: string }[]).map((s) => s.id);
        expect(ids).toContain(sandbox.id);
        expect(ids).toContain(sandboxId);
        expect(listed.text).toContain(`${sandbox.id}  "scratch"`);

        const deleted = await ok(client, "delete_sandbox", { sandboxId: sandbox.id });
        expect(deleted.data).toEqual({ deleted: sandbox.id });
        const gone = await fails(client, "bash", { sandboxId: sandbox.id, script: "ls" });
        expect(gone).toMatch(/^sandbox_not_found: /);
        expect(gone).toContain("list_sandboxes");
        expect(await fails(client, "delete_sandbox", { sandboxId: sandbox.id })).toMatch(
          /^sandbox_not_found: /,
        );
      });

      it("pages through sandboxes with a cursor", async () => {
        await ok(client, "create_sandbox", { name: "page-a" });
        await ok(client, "create_sandbox", { name: "page-b" });
        const first = await ok(client, "list_sandboxes", { limit: 1 });
        expect(first.data.sandboxes).toHaveLength(1);
        const cursor = first.data.nextCursor as string;
        expect(first.text).toContain(`cursor=${JSON.stringify(cursor)}`);
        const second = await ok(client, "list_sandboxes", { limit: 1, cursor });
        const [a] = first.data.sandboxes as { id: string }[];
        const [b] = second.data.sandboxes as { id: string }[];
        expect(b?.id).not.toBe(a?.id);
      });

      it("rejects arguments outside the schema before calling the API", async () => {
        expect(await fails(client, "bash", { sandboxId: "not-an-id", script: "ls" })).toMatch(
          /sbx_/,
        );
        // An argument the tool does not have is an error, not silently ignored.
        expect(await fails(client, "read_file", { sandboxId, path: "/x", offset: 10 })).toMatch(
          /offset/,
        );
        expect(await fails(client, "read_file", { sandboxId, path: "relative.txt" })).toMatch(
          /absolute/,
        );
        expect(
          await fails(client, "bash", { sandboxId, script: "ls", timeoutMs: 300_001 }),
        ).toMatch(/timeoutMs/);
      });
    });

    describe("bash", () => {
      it("runs a script and reports exit code, stdout and the commit", async () => {
        const { text, data } = await bash("echo hi; echo note >&2; echo saved > /bash-out.txt");
        expect(data).toMatchObject({
          exitCode: 0,
          stdout: "hi\n",
          stderr: "note\n",
          truncated: { stdout: false, stderr: false },
          commit: { status: "committed" },
        });
        expect(text).toMatch(
          /^exit code 0 · \d+ ms · file changes committed \(sandbox version \d+\)/,
        );
        expect(text).toContain("--- stdout ---\nhi\n--- stderr ---\nnote");
        const read = await ok(client, "read_file", { sandboxId, path: "/bash-out.txt" });
        expect(read.data.text).toBe("saved\n");
      });

      it("reports a non-zero exit as a result, not an error", async () => {
        const result = await call(client, "bash", { sandboxId, script: "echo bad >&2; exit 3" });
        expect(result.isError).toBeFalsy();
        expect(result.structuredContent).toMatchObject({ exitCode: 3, stderr: "bad\n" });
        expect(textOf(result)).toMatch(/^exit code 3 .* no file changes\n--- stderr ---\nbad$/);
      });

      it("starts in cwd, creating it", async () => {
        const { data } = await bash("pwd; echo x > here.txt", { cwd: "/work/dir" });
        expect(data.stdout).toBe("/work/dir\n");
        expect((await ok(client, "glob", { sandboxId, pattern: "/work/**" })).data.paths).toEqual([
          "/work",
          "/work/dir",
          "/work/dir/here.txt",
        ]);
      });

      it("read-only: writes fail with EROFS and nothing changes", async () => {
        const { text, data } = await bash("cat /bash-out.txt; echo changed > /bash-out.txt", {
          readOnly: true,
        });
        expect(data.stdout).toBe("saved\n");
        expect(data.exitCode).not.toBe(0);
        expect(data.stderr).toMatch(/EROFS|read-only/i);
        expect(text).toContain("read-only run, nothing changed");
        const read = await ok(client, "read_file", { sandboxId, path: "/bash-out.txt" });
        expect(read.data.text).toBe("saved\n");
      });

      it("times out as an error, keeping none of the script's changes", async () => {
        const error = await fails(client, "bash", {
          sandboxId,
          script: "echo partial > /timed.txt; while true; do :; done",
          timeoutMs: 300,
        });
        expect(error).toMatch(/^timeout: /);
        expect(error).toContain("nothing it changed was committed");
        expect(await fails(client, "read_file", { sandboxId, path: "/timed.txt" })).toMatch(
          /^ENOENT: /,
        );
      });

      it("keeps the first maxOutputBytes of output and says it cut the rest", async () => {
        const { text, data } = await bash("seq 1 10000", { maxOutputBytes: 20 });
        expect(data.stdout).toBe("1\n2\n3\n4\n5\n6\n7\n8\n9\n10");
        expect(data.truncated).toEqual({ stdout: true, stderr: false });
        expect(text).toContain("--- stdout (cut: only the first 20 bytes are kept");
      });

      it("keeps 32 KiB per stream by default", async () => {
        const { data } = await bash("seq 1 100000");
        expect((data.stdout as string).length).toBe(32 * 1024);
        expect(data.truncated).toEqual({ stdout: true, stderr: false });
      });
    });

    describe("read_file", () => {
      beforeAll(async () => {
        await bash(
          "seq 1 5000 > /lines.txt; for i in $(seq 1 3000); do printf '%099d\\n' $i; done > /wide.txt",
        );
      });

      it("numbers lines and pages through a big file, saying how to continue", async () => {
        const first = await ok(client, "read_file", { sandboxId, path: "/lines.txt" });
        expect(first.data).toMatchObject({
          startLine: 1,
          endLine: 2000,
          totalLines: 5000,
          truncated: false,
          nextStartLine: 2001,
        });
        expect(first.text.startsWith("     1\t1\n     2\t2\n")).toBe(true);
        expect(first.text).toContain(
          "  2000\t2000\n\n[Lines 1-2000 of 5000; 3000 more: continue with startLine=2001.]",
        );

        const last = await ok(client, "read_file", {
          sandboxId,
          path: "/lines.txt",
          startLine: 4001,
        });
        expect(last.data).toMatchObject({ startLine: 4001, endLine: 5000, nextStartLine: null });
        expect(last.text).toMatch(/^ {2}4001\t4001\n/);
        expect(last.text.endsWith("  5000\t5000\n\n[Lines 4001-5000 of 5000 (end of file).]")).toBe(
          true,
        );

        const range = await ok(client, "read_file", {
          sandboxId,
          path: "/lines.txt",
          startLine: 10,
          endLine: 12,
        });
        expect(range.text).toBe(
          "    10\t10\n    11\t11\n    12\t12\n\n[Lines 10-12 of 5000; 4988 more: continue with startLine=13.]",
        );
      });

      it("cuts at 64 KiB on a line boundary and says where to continue", async () => {
        const { text, data } = await ok(client, "read_file", { sandboxId, path: "/wide.txt" });
        // 100 bytes a line: 655 lines fit in 65536 bytes.
        expect(data).toMatchObject({
          endLine: 655,
          totalLines: 3000,
          truncated: true,
          nextStartLine: 656,
        });
        expect(text).toContain(
          "[Lines 1-655 of 3000 (cut at 65536 bytes); 2345 more: continue with startLine=656.]",
        );
      });

      it("explains a line too long to show whole", async () => {
        const content = `${"a".repeat(70_000)}\ntail\n`;
        await ok(client, "write_file", { sandboxId, path: "/one-line.txt", content });
        const { text, data } = await ok(client, "read_file", { sandboxId, path: "/one-line.txt" });
        expect(data).toMatchObject({ startLine: 1, endLine: 0, totalLines: 2, truncated: true });
        expect(data.nextStartLine).toBe(2);
        expect(
          text.startsWith(`${"a".repeat(65536)}\n\n[Line 1 of 2 alone is longer than 65536 bytes`),
        ).toBe(true);
        expect(text).toContain(
          "`sed -n '1p' /one-line.txt | cut -c 65537-131072`; then continue with startLine=2.",
        );
        // The advice works.
        const rest = await bash("sed -n '1p' /one-line.txt | cut -c 65537-131072 | wc -c");
        expect(rest.data.stdout).toMatch(/^\s*4465\n$/);
      });

      it("reports empty, binary and past-the-end reads, and missing files", async () => {
        await bash("touch /empty.txt; printf 'a\\000b' > /blob.bin");
        expect((await ok(client, "read_file", { sandboxId, path: "/empty.txt" })).text).toBe(
          "/empty.txt is empty (0 lines).",
        );
        const binary = await ok(client, "read_file", { sandboxId, path: "/blob.bin" });
        expect(binary.data.binary).toBe(true);
        expect(binary.text).toMatch(/^\/blob\.bin is a binary file/);
        const past = await ok(client, "read_file", {
          sandboxId,
          path: "/lines.txt",
          startLine: 6000,
        });
        expect(past.text).toBe(
          "startLine 6000 is past the end of /lines.txt, which has 5000 lines.",
        );
        expect(await fails(client, "read_file", { sandboxId, path: "/nope.txt" })).toMatch(
          /^ENOENT: [^\n]*\nNothing exists at that path/,
        );
        expect(await fails(client, "read_file", { sandboxId, path: "/work" })).toMatch(/^EISDIR: /);
        expect(
          await fails(client, "read_file", {
            sandboxId,
            path: "/lines.txt",
            startLine: 5,
            endLine: 4,
          }),
        ).toMatch(/endLine/);
      });
    });

    describe("write_file and edit_file", () => {
      it("creates (with parents), replaces and sets the mode", async () => {
        const created = await ok(client, "write_file", {
          sandboxId,
          path: "/new/dir/file.txt",
          content: "héllo\n",
        });
        expect(created.data).toMatchObject({ path: "/new/dir/file.txt", size: 7, created: true });
        expect(created.text).toMatch(
          /^Created \/new\/dir\/file\.txt \(7 bytes; sandbox version \d+\)\.$/,
        );
        const replaced = await ok(client, "write_file", {
          sandboxId,
          path: "/new/dir/file.txt",
          content: "bye\n",
          mode: "755",
        });
        expect(replaced.data).toMatchObject({ size: 4, created: false });
        expect(replaced.text).toMatch(/^Replaced /);
        const { data } = await bash("cat /new/dir/file.txt; stat -c %a /new/dir/file.txt");
        expect(data.stdout).toBe("bye\n755\n");
        expect(
          await fails(client, "write_file", { sandboxId, path: "/new/dir", content: "x" }),
        ).toMatch(/^EISDIR: /);
      });

      it("replaces an exact string once, or every occurrence with replaceAll", async () => {
        await ok(client, "write_file", {
          sandboxId,
          path: "/src/config.ts",
          content: "const debug = false;\nlog(1);\nlog(2);\nlog(3);\n",
        });
        const once = await ok(client, "edit_file", {
          sandboxId,
          path: "/src/config.ts",
          oldString: "debug = false",
          newString: "debug = true",
        });
        expect(once.data).toMatchObject({ path: "/src/config.ts", replacements: 1 });
        expect(once.text).toMatch(
          /^Replaced 1 occurrence in \/src\/config\.ts \(sandbox version \d+\)\.$/,
        );
        const all = await ok(client, "edit_file", {
          sandboxId,
          path: "/src/config.ts",
          oldString: "log(",
          newString: "console.log(",
          replaceAll: true,
        });
        expect(all.data.replacements).toBe(3);
        const read = await ok(client, "read_file", { sandboxId, path: "/src/config.ts" });
        expect(read.data.text).toBe(
          "const debug = true;\nconsole.log(1);\nconsole.log(2);\nconsole.log(3);\n",
        );
      });

      it("fails clearly on no match and on several matches, changing nothing", async () => {
        const before = (await ok(client, "read_file", { sandboxId, path: "/src/config.ts" })).data
          .text;
        const noMatch = await fails(client, "edit_file", {
          sandboxId,
          path: "/src/config.ts",
          oldString: "debug = maybe",
          newString: "x",
        });
        expect(noMatch).toMatch(/^edit_no_match: /);
        expect(noMatch).toContain("Nothing was changed");
        const ambiguous = await fails(client, "edit_file", {
          sandboxId,
          path: "/src/config.ts",
          oldString: "console.log(",
          newString: "x(",
        });
        expect(ambiguous).toMatch(/^edit_ambiguous: oldString occurs 3 times/);
        expect(ambiguous).toContain("replaceAll: true");
        expect(
          await fails(client, "edit_file", {
            sandboxId,
            path: "/src/missing.ts",
            oldString: "a",
            newString: "b",
          }),
        ).toMatch(/^ENOENT: /);
        const after = (await ok(client, "read_file", { sandboxId, path: "/src/config.ts" })).data
          .text;
        expect(after).toBe(before);
      });
    });

    describe("glob and grep", () => {
      beforeAll(async () => {
        await bash(
          [
            "mkdir -p /proj/src/lib /proj/test",
            "printf 'import x from \"y\";\\n// TODO one\\nconst a = 1;\\n' > /proj/src/main.ts",
            "printf 'export const todo = 2; // todo two\\n' > /proj/src/lib/util.ts",
            "printf '# TODO docs\\n' > /proj/README.md",
            "printf 'test(\"x\");\\n// TODO test\\n' > /proj/test/main.test.ts",
          ].join("\n"),
        );
      });

      it("globs, sorted, relative to path or absolute", async () => {
        const ts = await ok(client, "glob", { sandboxId, pattern: "**/*.ts", path: "/proj" });
        expect(ts.data).toEqual({
          paths: ["/proj/src/lib/util.ts", "/proj/src/main.ts", "/proj/test/main.test.ts"],
          truncated: null,
        });
        expect(ts.text).toBe(
          "/proj/src/lib/util.ts\n/proj/src/main.ts\n/proj/test/main.test.ts\n\n[3 paths]",
        );
        const absolute = await ok(client, "glob", { sandboxId, pattern: "/proj/*.{md,txt}" });
        expect(absolute.data.paths).toEqual(["/proj/README.md"]);
        const cut = await ok(client, "glob", { sandboxId, pattern: "**", path: "/proj", limit: 2 });
        expect(cut.data.truncated).toEqual({ reason: "limit", limit: 2 });
        expect(cut.text).toContain(
          "[2 paths, cut at limit=2: narrow the pattern or path, or raise limit]",
        );
        expect(
          (await ok(client, "glob", { sandboxId, pattern: "**/*.rs", path: "/proj" })).text,
        ).toBe("No paths under /proj match **/*.rs.");
        expect(await fails(client, "glob", { sandboxId, pattern: "*", path: "/absent" })).toMatch(
          /^ENOENT: /,
        );
      });

      it("greps with a path filter, a glob, context and a result limit", async () => {
        const all = await ok(client, "grep", { sandboxId, pattern: "TODO", path: "/proj" });
        expect(all.text).toBe(
          [
            "/proj/README.md:1:# TODO docs",
            "/proj/src/main.ts:2:// TODO one",
            "/proj/test/main.test.ts:2:// TODO test",
            "",
            "[3 matching lines in 3 files (4 searched)]",
          ].join("\n"),
        );
        const src = await ok(client, "grep", {
          sandboxId,
          pattern: "todo",
          path: "/proj/src",
          glob: "**/*.ts",
          ignoreCase: true,
          context: 1,
        });
        expect(src.data).toMatchObject({ filesSearched: 2, filesMatched: 2, truncated: null });
        expect(src.text).toBe(
          [
            "/proj/src/lib/util.ts:1:export const todo = 2; // todo two",
            "--",
            '/proj/src/main.ts-1-import x from "y";',
            "/proj/src/main.ts:2:// TODO one",
            "/proj/src/main.ts-3-const a = 1;",
            "",
            "[2 matching lines in 2 files (2 searched)]",
          ].join("\n"),
        );
        const limited = await ok(client, "grep", { sandboxId, pattern: "TODO", maxResults: 1 });
        expect(limited.data.matches).toHaveLength(1);
        expect(limited.data.truncated).toEqual({ reason: "results", limit: 1 });
        expect(limited.text).toContain(
          "cut at maxResults=1: narrow with path or glob, or raise maxResults",
        );
        const fixed = await ok(client, "grep", {
          sandboxId,
          pattern: "test(",
          fixedString: true,
          path: "/proj",
        });
        expect(fixed.data.matches).toMatchObject([{ path: "/proj/test/main.test.ts", line: 1 }]);
        const none = await ok(client, "grep", { sandboxId, pattern: "nowhere", path: "/proj" });
        expect(none.text).toBe("No matches: 0 matching lines in 0 files (4 searched).");
        expect(await fails(client, "grep", { sandboxId, pattern: "a(b" })).toMatch(
          /^invalid_request: /,
        );
      });
    });
  });
}
