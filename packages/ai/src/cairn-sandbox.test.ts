/** cairnSandbox() against a real Cairn server, directly and through bash-tool's createBashTool. */
import { NotFoundError } from "@cairn/client";
import { createBashTool, type Sandbox } from "bash-tool";
import { describe, expect, it } from "vitest";
import { cairnSandbox } from "./cairn-sandbox.js";
import { BACKENDS, call, useCairn } from "./test-cairn.js";

describe.each(BACKENDS)("cairnSandbox on %s", (kind) => {
  const cairn = useCairn(kind);

  it("implements bash-tool's Sandbox: executeCommand, readFile, writeFiles", async () => {
    const sandbox = await cairn().sandboxes.create();
    const adapter: Sandbox = cairnSandbox(sandbox); // the type is bash-tool's own
    await adapter.writeFiles([
      { path: "/a/b.txt", content: "hi\n" },
      { path: "/bin.dat", content: Buffer.from([0, 255, 128]) },
    ]);
    expect(await sandbox.fs.readText("/a/b.txt")).toBe("hi\n");
    expect(await sandbox.fs.readBytes("/bin.dat")).toEqual(Uint8Array.of(0, 255, 128));
    expect(await adapter.readFile("/a/b.txt")).toBe("hi\n");
    await expect(adapter.readFile("/nope")).rejects.toBeInstanceOf(NotFoundError);

    expect(
      await adapter.executeCommand("cat /a/b.txt; echo bad >&2; echo more >> /a/b.txt; exit 2"),
    ).toEqual({ stdout: "hi\n", stderr: "bad\n", exitCode: 2 });
    expect(await sandbox.fs.readText("/a/b.txt")).toBe("hi\nmore\n");
  });

  it("flags output Cairn dropped, and turns a timeout into exit code 124", async () => {
    const sandbox = await cairn().sandboxes.create();
    const adapter = cairnSandbox(sandbox, { exec: { maxOutputBytes: 10, timeoutMs: 300 } });
    expect(await adapter.executeCommand("seq 100")).toEqual({
      stdout: "1\n2\n3\n4\n5\n[stdout truncated: only the first 10 bytes were kept]\n",
      stderr: "",
      exitCode: 0,
    });
    const slow = await adapter.executeCommand("echo x > /t.txt; sleep 10");
    expect(slow).toMatchObject({ stdout: "", exitCode: 124 });
    expect(slow.stderr).toMatch(/^\[the command timed out after 0\.3 s and was stopped; none of/);
    await expect(sandbox.fs.readText("/t.txt")).rejects.toBeInstanceOf(NotFoundError);
  });

  it("works as the sandbox of bash-tool's createBashTool", async () => {
    const sandbox = await cairn().sandboxes.create();
    const { tools } = await createBashTool({
      sandbox: cairnSandbox(sandbox),
      files: { "src/hello.sh": "echo hello from $1\n" },
    });
    // bash-tool uploads the files under /workspace and runs commands there.
    expect(await sandbox.fs.readText("/workspace/src/hello.sh")).toBe("echo hello from $1\n");

    const ran = await call(tools.bash, { command: "bash src/hello.sh cairn | tee out.txt; pwd" });
    expect(ran).toMatchObject({
      stdout: "hello from cairn\n/workspace\n",
      stderr: "",
      exitCode: 0,
    });
    expect(await sandbox.fs.readText("/workspace/out.txt")).toBe("hello from cairn\n");

    await call(tools.writeFile, { path: "notes/todo.txt", content: "ship it" });
    expect(await sandbox.fs.readText("/workspace/notes/todo.txt")).toBe("ship it");
    expect(await call(tools.readFile, { path: "notes/todo.txt" })).toEqual({ content: "ship it" });
  });
});
