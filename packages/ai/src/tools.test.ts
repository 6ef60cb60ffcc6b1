/** The tools against a real Cairn server over HTTP, on the memory backend and on Postgres. */
import { NotFoundError } from "@cairn/client";
import { generateText, stepCountIs } from "ai";
import { MockLanguageModelV3 } from "ai/test";
import { describe, expect, it } from "vitest";
import { BACKENDS, call, useCairn } from "./test-cairn.js";
import { createCairnTools } from "./tools.js";

/** `n` lines `1` ... `n`, as `seq n` prints them. */
function seq(n: number): string {
  return Array.from({ length: n }, (_, i) => `${i + 1}\n`).join("");
}

describe.each(BACKENDS)("createCairnTools on %s", (kind) => {
  const cairn = useCairn(kind);

  describe("bash", () => {
    it("runs a script in cwd, keeps its files, and reports exit code and both streams", async () => {
      const sandbox = await cairn().sandboxes.create({
        files: [{ path: "/work/in.txt", content: "b\na\n" }],
      });
      const { bash } = createCairnTools({ sandbox, cwd: "/work" });
      const result = await call(bash, {
        command: "sort in.txt > sorted.txt\ncat sorted.txt; pwd; echo oops >&2; exit 3",
      });
      expect(result).toEqual({ exitCode: 3, stdout: "a\nb\n/work\n", stderr: "oops\n" });
      expect(await sandbox.fs.readText("/work/sorted.txt")).toBe("a\nb\n");

      await sandbox.fs.write("/work/sub/x.txt", "x");
      expect(await call(bash, { command: "pwd; ls", cwd: "sub" })).toEqual({
        exitCode: 0,
        stdout: "/work/sub\nx.txt\n",
        stderr: "",
      });
    });

    it("cuts long output to the limits and says exactly what it left out", async () => {
      const sandbox = await cairn().sandboxes.create();
      const { bash } = createCairnTools({ sandbox, output: { maxLines: 200 } });
      const result = await call(bash, { command: "seq 12000" });
      const whole = seq(12_000);
      expect(result.exitCode).toBe(0);
      expect(result.truncated).toEqual({ stdout: true, stderr: false });
      expect(result.stdout).toBe(
        `${seq(100)}[stdout truncated: 12,000 lines, 60.9 KB in all; showing lines 1-100 and lines 11901-12000; lines 101-11900 (60 KB) omitted here. To see more, redirect the output to a file (e.g. \`cmd > /tmp/out.txt 2>&1\`) and read parts of it with readFile (startLine/endLine), or filter it with grep, head or tail.]\n${whole.slice(whole.indexOf("\n11901\n") + 1)}`,
      );
    });

    it("says when Cairn itself dropped output past maxOutputBytes", async () => {
      const sandbox = await cairn().sandboxes.create();
      const { bash } = createCairnTools({ sandbox, exec: { maxOutputBytes: 1000 } });
      const result = await call(bash, { command: "seq 5000; echo fine >&2" });
      expect(result.truncated).toEqual({ stdout: true, stderr: false });
      expect(result.stderr).toBe("fine\n");
      expect(result.stdout).toContain(
        "[stdout truncated: the command wrote more than 1 KB; only the first 1 KB (",
      );
      expect(result.stdout.startsWith(seq(100))).toBe(true);
    });

    it("reports a timeout as exit code 124 with nothing kept", async () => {
      const sandbox = await cairn().sandboxes.create();
      const { bash } = createCairnTools({ sandbox });
      const result = await call(bash, {
        command: "echo partial > /t.txt; sleep 10",
        timeoutSeconds: 0.3,
      });
      expect(result).toMatchObject({ exitCode: 124, stdout: "", timedOut: true });
      expect(result.stderr).toMatch(/^\[the command timed out after 0\.3 s and was stopped; none/);
      await expect(sandbox.fs.readText("/t.txt")).rejects.toBeInstanceOf(NotFoundError);
    });

    it("says when changes were discarded under commit: on_success", async () => {
      const sandbox = await cairn().sandboxes.create();
      const { bash } = createCairnTools({ sandbox, exec: { commit: "on_success" } });
      expect(bash.description).toContain("kept only if it exits 0");
      const failed = await call(bash, { command: "echo x > /f.txt; exit 1" });
      expect(failed.discarded).toBe(
        "None of this command's file changes were kept: the command exited non-zero, and changes are kept only on success.",
      );
      await expect(sandbox.fs.readText("/f.txt")).rejects.toBeInstanceOf(NotFoundError);
      const ok = await call(bash, { command: "echo x > /f.txt" });
      expect(ok).toEqual({ exitCode: 0, stdout: "", stderr: "" });
      expect(await sandbox.fs.readText("/f.txt")).toBe("x\n");
    });

    it("describes the sandbox it runs in", async () => {
      const plain = await cairn().sandboxes.create();
      const { bash } = createCairnTools({
        sandbox: plain,
        cwd: "/app",
        instructions: "It is a Go repo.",
      });
      expect(bash.description).toContain("Each call is a fresh shell starting in /app");
      expect(bash.description).toContain(
        "cut to 400 lines and 30 KB (keeping the start and the end)",
      );
      expect(bash.description).toContain(
        "stopped after 30 s unless you set timeoutSeconds (at most 300)",
      );
      expect(bash.description).not.toContain("python3 is available");
      expect(bash.description?.endsWith("\nIt is a Go repo.")).toBe(true);

      const shell = await cairn().sandboxes.create({ persistShell: true, runtimes: ["python3"] });
      const tools = createCairnTools({ sandbox: shell });
      expect(tools.bash.description).toContain("exported variables carry over");
      expect(tools.bash.description).toContain("python3 is available");
    });
  });

  describe("readFile", () => {
    it("pages through a long file and says where to continue", async () => {
      const sandbox = await cairn().sandboxes.create({
        files: [{ path: "/data/n.txt", content: seq(2500) }],
      });
      const { readFile } = createCairnTools({ sandbox, cwd: "/data" });
      const first = await call(readFile, { path: "n.txt" });
      expect(first).toEqual({
        path: "/data/n.txt",
        content: seq(1000),
        startLine: 1,
        endLine: 1000,
        totalLines: 2500,
        note: "Showing lines 1-1000 of 2500. To continue, call readFile with startLine 1001.",
      });
      const last = await call(readFile, { path: "/data/n.txt", startLine: 2001 });
      expect(last).toMatchObject({ startLine: 2001, endLine: 2500, totalLines: 2500 });
      expect(last.content).toBe(seq(2500).slice(seq(2000).length));
      expect(last.note).toBeUndefined();
      const range = await call(readFile, { path: "n.txt", startLine: 10, endLine: 12 });
      expect(range).toEqual({
        path: "/data/n.txt",
        content: "10\n11\n12\n",
        startLine: 10,
        endLine: 12,
        totalLines: 2500,
      });
    });

    it("stops at maxBytes on a line boundary and says so", async () => {
      const sandbox = await cairn().sandboxes.create({
        files: [{ path: "/n.txt", content: seq(100) }],
      });
      const { readFile } = createCairnTools({ sandbox, read: { maxBytes: 20 } });
      const result = await call(readFile, { path: "/n.txt", startLine: 5, endLine: 50 });
      // "5\n" ... "9\n" is 10 bytes, "10\n" ... "12\n" 9 more: 19 of the 20.
      expect(result).toEqual({
        path: "/n.txt",
        content: "5\n6\n7\n8\n9\n10\n11\n12\n",
        startLine: 5,
        endLine: 12,
        totalLines: 100,
        note: "Showing lines 5-12 of 100 (stopped at 20 bytes). To continue, call readFile with startLine 13.",
      });
    });

    it("explains empty files, reads past the end, binary files and overlong lines", async () => {
      const sandbox = await cairn().sandboxes.create({
        files: [
          { path: "/empty.txt", content: "" },
          { path: "/two.txt", content: "a\nb\n" },
          { path: "/bin.dat", content: "AAECA/8=", encoding: "base64" },
          { path: "/long.txt", content: `${"x".repeat(100)}\nshort\n` },
        ],
      });
      const { readFile } = createCairnTools({ sandbox, read: { maxBytes: 30 } });
      expect((await call(readFile, { path: "/empty.txt" })).note).toBe("/empty.txt is empty.");
      expect(await call(readFile, { path: "/two.txt", startLine: 5 })).toMatchObject({
        content: "",
        note: "/two.txt has only 2 lines; startLine 5 is past the end.",
      });
      expect(await call(readFile, { path: "/bin.dat" })).toMatchObject({
        content: "",
        binary: true,
        note: "/bin.dat is a binary file and is not shown; inspect it with bash (e.g. `file /bin.dat` or `od -c /bin.dat | head`).",
      });
      const long = await call(readFile, { path: "/long.txt" });
      expect(long).toMatchObject({ content: "x".repeat(30), startLine: 1, endLine: 0 });
      expect(long.note).toBe(
        "Line 1 alone is longer than 30 bytes; content is its start. To read all of it, split it into short lines with bash (e.g. `sed -n '1p' /long.txt | fold -w 1000 > /tmp/line.txt`) and read that file.",
      );
    });

    it("throws Cairn's error for a missing file", async () => {
      const sandbox = await cairn().sandboxes.create();
      const { readFile } = createCairnTools({ sandbox });
      await expect(call(readFile, { path: "/nope.txt" })).rejects.toMatchObject({
        code: "ENOENT",
      });
    });
  });

  describe("writeFile", () => {
    it("creates parents, replaces content, and counts bytes", async () => {
      const sandbox = await cairn().sandboxes.create();
      const { writeFile } = createCairnTools({ sandbox, cwd: "/home" });
      expect(await call(writeFile, { path: "notes/a.txt", content: "héllo\n" })).toEqual({
        path: "/home/notes/a.txt",
        bytes: 7,
        created: true,
      });
      expect(await call(writeFile, { path: "../home/notes/./a.txt", content: "v2" })).toEqual({
        path: "/home/notes/a.txt",
        bytes: 2,
        created: false,
      });
      expect(await sandbox.fs.readText("/home/notes/a.txt")).toBe("v2");
    });
  });
});

describe("in a model loop", () => {
  const cairn = useCairn("memory");

  it("sends a failed tool call back to the model as an error, and the loop goes on", async () => {
    const sandbox = await cairn().sandboxes.create();
    const tools = createCairnTools({ sandbox });
    const model = new MockLanguageModelV3({
      doGenerate: [
        {
          content: [
            {
              type: "tool-call",
              toolCallId: "c1",
              toolName: "readFile",
              input: JSON.stringify({ path: "/missing.txt" }),
            },
          ],
          finishReason: { unified: "tool-calls", raw: undefined },
          usage: USAGE,
          warnings: [],
        },
        {
          content: [{ type: "text", text: "The file does not exist." }],
          finishReason: { unified: "stop", raw: undefined },
          usage: USAGE,
          warnings: [],
        },
      ],
    });
    const result = await generateText({
      model,
      tools,
      stopWhen: stepCountIs(5),
      prompt: "Read /missing.txt",
    });
    expect(result.text).toBe("The file does not exist.");
    const toolMessage = model.doGenerateCalls[1]?.prompt.find((m) => m.role === "tool");
    expect(toolMessage?.content[0]).toMatchObject({
      type: "tool-result",
      toolName: "readFile",
      output: { type: "error-text", value: expect.stringContaining("ENOENT") },
    });
  });
});

const USAGE = {
  inputTokens: { total: 10, noCache: 10, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 5, text: 5, reasoning: 0 },
};
