/** The client against the real reference server over real HTTP (no mocks). */
import type { RunningServer } from "@cairn/server";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { Cairn } from "./cairn.js";
import {
  AbortError,
  BadRequestError,
  EditMatchError,
  IdempotencyKeyMismatchError,
  NotFoundError,
  PatchConflictError,
  PreconditionFailedError,
  TimeoutError,
} from "./errors.js";
import type { ExecStreamEvent } from "./exec-stream.js";
import { REFERENCE_API_KEY, startReference } from "./test-reference-server.js";

let server: RunningServer;
let cairn: Cairn;

beforeAll(async () => {
  ({ server, cairn } = await startReference());
});
afterAll(() => server.close());

describe("client against the reference server", () => {
  it("runs the README quick start", async () => {
    const sandbox = await cairn.sandboxes.create({ name: "demo" });
    await sandbox.fs.write("/greeting.txt", "hello");
    const { exitCode, stdout } = await sandbox.exec(
      "cat /greeting.txt; echo ' world' >> /greeting.txt",
    );
    expect([exitCode, stdout]).toEqual([0, "hello"]);
    expect(await sandbox.fs.readText("/greeting.txt")).toBe("hello world\n");
    const names: string[] = [];
    for await (const entry of sandbox.fs.list("/")) names.push(entry.name);
    // A new sandbox also holds its home directory and /tmp.
    expect(names).toEqual(["greeting.txt", "home", "tmp"]);
    await sandbox.delete();
    await expect(cairn.sandboxes.get(sandbox.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("round-trips every byte value and enforces If-Match", async () => {
    const sandbox = await cairn.sandboxes.create();
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const written = await sandbox.fs.write("/all.bin", all);
    expect(await sandbox.fs.readBytes("/all.bin")).toEqual(all);
    await expect(sandbox.fs.write("/all.bin", "x", { ifMatch: '"stale"' })).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
    await sandbox.fs.write("/all.bin", "x", { ifMatch: written.etag });
    expect(await sandbox.fs.readText("/all.bin")).toBe("x");
  });

  it("pages through sandboxes with for await", async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 3; i++) ids.add((await cairn.sandboxes.create()).id);
    const seen = new Set<string>();
    for await (const s of cairn.sandboxes.list({ limit: 1 })) seen.add(s.id);
    for (const id of ids) expect(seen.has(id)).toBe(true);
  });
});

describe("streaming, batch and update against the reference server", () => {
  it("streams stdout and stderr as exact bytes, then the exit", async () => {
    const sandbox = await cairn.sandboxes.create();
    const binary = Uint8Array.of(0xff, 0x00, 0x01, 0x80);
    await sandbox.fs.write("/bin.dat", binary);
    const events: ExecStreamEvent[] = [];
    const script = "echo hi; cat /bin.dat; echo oops >&2; echo done > /out.txt; exit 3";
    for await (const event of sandbox.execStream(script)) events.push(event);

    const output = (type: string) =>
      Buffer.concat(events.flatMap((e) => (e.type === type && "data" in e ? [e.data] : [])));
    expect(output("stdout")).toEqual(Buffer.from([...Buffer.from("hi\n"), ...binary]));
    expect(output("stderr").toString()).toBe("oops\n");
    expect(events.at(-1)).toMatchObject({
      type: "exit",
      exitCode: 3,
      truncated: { stdout: false, stderr: false },
      commit: { status: "committed" },
    });
    expect(await sandbox.fs.readText("/out.txt")).toBe("done\n");
  });

  it("result() gathers the output; a timeout is thrown as TimeoutError", async () => {
    const sandbox = await cairn.sandboxes.create();
    const result = await sandbox.execStream("printf abc; printf def").result();
    expect(new TextDecoder().decode(result.stdout)).toBe("abcdef");
    expect(result.exitCode).toBe(0);

    const slow = sandbox.execStream("echo started; sleep 10", { timeoutMs: 200 });
    await expect(slow.result()).rejects.toBeInstanceOf(TimeoutError);
  });

  it("aborting mid-stream throws AbortError and commits nothing", async () => {
    const sandbox = await cairn.sandboxes.create();
    const controller = new AbortController();
    const seen: string[] = [];
    const error = await (async () => {
      const stream = sandbox.execStream("echo x > /partial.txt; echo first; sleep 10", {
        signal: controller.signal,
      });
      for await (const event of stream) {
        if (event.type !== "exit") seen.push(event.text);
        controller.abort();
      }
    })().catch((e: unknown) => e);
    expect(seen).toEqual(["first\n"]);
    expect(error).toBeInstanceOf(AbortError);
    await expect(sandbox.fs.stat("/partial.txt")).rejects.toBeInstanceOf(NotFoundError);
    // The sandbox is free for the next exec.
    await expect(sandbox.exec("echo next")).resolves.toMatchObject({ stdout: "next\n" });
  });

  it("runs a batch, and updates settings fenced by If-Match", async () => {
    const sandbox = await cairn.sandboxes.create({ persistShell: false });
    const batch = await sandbox.execBatch(["echo a > /a.txt", "cat /a.txt"]);
    expect(batch.results.map((r) => [r.exitCode, r.stdout])).toEqual([
      [0, ""],
      [0, "a\n"],
    ]);
    expect(batch.commit.status).toBe("committed");

    await sandbox.refresh();
    const version = sandbox.version;
    await expect(
      sandbox.update({ name: "stale" }, { ifVersion: version + 100 }),
    ).rejects.toBeInstanceOf(PreconditionFailedError);
    await sandbox.update({ name: "renamed", persistShell: true }, { ifVersion: version });
    expect(sandbox).toMatchObject({ name: "renamed", persistShell: true });
  });
});

describe("files as streams against the reference server", () => {
  it("uploads a ReadableStream and downloads a ReadableStream, whole and by range", async () => {
    const sandbox = await cairn.sandboxes.create();
    const chunk = Uint8Array.from({ length: 64 * 1024 }, (_, i) => i % 251);
    let sent = 0;
    const upload = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 16) return controller.close();
        sent++;
        controller.enqueue(chunk);
      },
    });
    const written = await sandbox.fs.write("/big.bin", upload);
    expect(written.file.size).toBe(16 * chunk.length);

    let total = 0;
    let chunks = 0;
    const reader = (await sandbox.fs.readStream("/big.bin")).getReader();
    for (let part = await reader.read(); !part.done; part = await reader.read()) {
      total += part.value.length;
      chunks++;
    }
    expect(total).toBe(16 * chunk.length);
    expect(chunks).toBeGreaterThan(1);

    const tail = await sandbox.fs.readStream("/big.bin", { range: { start: total - 3 } });
    expect(Array.from(new Uint8Array(await new Response(tail).arrayBuffer()))).toEqual(
      Array.from(chunk.slice(-3)),
    );
  });

  it("create() writes a new file once, then fails with PreconditionFailedError", async () => {
    const sandbox = await cairn.sandboxes.create();
    await expect(sandbox.fs.create("/lock", "first")).resolves.toMatchObject({ created: true });
    await expect(sandbox.fs.create("/lock", "second")).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
    expect(await sandbox.fs.readText("/lock")).toBe("first");
  });
});

describe("file tools against the reference server", () => {
  /** A sandbox with a small source tree written through the client. */
  async function seeded() {
    const sandbox = await cairn.sandboxes.create();
    await sandbox.fs.write(
      "/src/main.ts",
      'import { util } from "./util";\n// TODO: main\nutil();\n',
    );
    await sandbox.fs.write("/src/lib/util.ts", "export function util() {\n  // todo later\n}\n");
    await sandbox.fs.write("/src/.hidden.ts", "// TODO hidden\n");
    await sandbox.fs.write("/docs/readme.md", "TODO: docs\r\nline 2\r\nline 3\r\n");
    await sandbox.fs.write("/bin.dat", Uint8Array.of(0x54, 0x4f, 0x44, 0x4f, 0x00, 0xff));
    return sandbox;
  }

  it("glob finds the written paths, sorted, and says when it cut the list", async () => {
    const sandbox = await seeded();
    await expect(sandbox.fs.glob("**/*.ts")).resolves.toEqual({
      paths: ["/src/.hidden.ts", "/src/lib/util.ts", "/src/main.ts"],
      truncated: null,
    });
    await expect(sandbox.fs.glob("*.{ts,md}", { path: "/src" })).resolves.toEqual({
      paths: ["/src/.hidden.ts", "/src/main.ts"],
      truncated: null,
    });
    // `**` matches no directory too, and directories match like files.
    await expect(sandbox.fs.glob("/docs/**")).resolves.toMatchObject({
      paths: ["/docs", "/docs/readme.md"],
    });
    await expect(sandbox.fs.glob("**/*.ts", { limit: 1 })).resolves.toEqual({
      paths: ["/src/.hidden.ts"],
      truncated: { reason: "limit", limit: 1 },
    });
    await expect(sandbox.fs.glob("*", { path: "/missing" })).rejects.toBeInstanceOf(NotFoundError);
  });

  it("grep finds matching lines with context, and skips binary files", async () => {
    const sandbox = await seeded();
    const all = await sandbox.fs.grep("TODO");
    expect(all.matches.map((m) => `${m.path}:${m.line}`)).toEqual([
      "/docs/readme.md:1",
      "/src/.hidden.ts:1",
      "/src/main.ts:2",
    ]);
    expect(all).toMatchObject({ filesMatched: 3, skipped: { binary: 1 }, truncated: null });

    const scoped = await sandbox.fs.grep("todo", {
      ignoreCase: true,
      path: "/src",
      glob: "**/util.ts",
      context: 1,
    });
    expect(scoped.matches).toEqual([
      {
        path: "/src/lib/util.ts",
        line: 2,
        text: "  // todo later",
        cut: false,
        before: [{ line: 1, text: "export function util() {" }],
        after: [{ line: 3, text: "}" }],
      },
    ]);
    expect(scoped.filesSearched).toBe(1);

    const literal = await sandbox.fs.grep("util()", { fixedString: true, maxResults: 1 });
    expect(literal.matches).toHaveLength(1);
    expect(literal.truncated).toEqual({ reason: "results", limit: 1 });
  });

  it("search ranks by words and tags; setMeta tags a file without changing its ETag", async () => {
    const sandbox = await seeded();
    const before = await sandbox.fs.getMeta("/src/lib/util.ts");
    expect(before).toMatchObject({ tags: [], summary: null });
    const tagged = await sandbox.fs.setMeta("/src/lib/util.ts", {
      tags: ["helpers"],
      summary: "Shared util helpers.",
    });
    expect(tagged.etag).toBe(before.etag);
    const { hits, terms } = await sandbox.fs.search("util todo");
    expect(terms).toEqual(["util", "todo"]);
    expect(hits.map((h) => h.path)).toEqual([
      "/src/lib/util.ts",
      "/src/main.ts",
      "/src/.hidden.ts", // shorter than the readme, so one TODO weighs more
      "/docs/readme.md",
    ]);
    expect(hits[0]).toMatchObject({ tags: ["helpers"], summary: "Shared util helpers." });
    const byTag = await sandbox.fs.search("", { tags: ["helpers"] });
    expect(byTag.hits.map((h) => h.path)).toEqual(["/src/lib/util.ts"]);
    await expect(sandbox.fs.search("...")).rejects.toBeInstanceOf(BadRequestError);
  });

  it("readLines returns a line range with the total count and the file's ETag", async () => {
    const sandbox = await seeded();
    const { etag } = await sandbox.fs.stat("/docs/readme.md");
    await expect(
      sandbox.fs.readLines("/docs/readme.md", { startLine: 2, endLine: 3 }),
    ).resolves.toEqual({
      path: "/docs/readme.md",
      etag,
      binary: false,
      text: "line 2\nline 3\n",
      startLine: 2,
      endLine: 3,
      totalLines: 3,
      truncated: false,
    });
    const cut = await sandbox.fs.readLines("/docs/readme.md", { maxBytes: 12 });
    expect(cut).toMatchObject({ text: "TODO: docs\n", endLine: 1, truncated: true });
    await expect(sandbox.fs.readLines("/bin.dat")).resolves.toMatchObject({ binary: true });
    await expect(sandbox.fs.readLines("/nope")).rejects.toBeInstanceOf(NotFoundError);
  });

  it("edit replaces an exact string; no match, several, or a stale ETag change nothing", async () => {
    const sandbox = await seeded();
    const edited = await sandbox.fs.edit("/src/main.ts", "// TODO: main", "// done");
    expect(edited).toMatchObject({ replacements: 1, file: { path: "/src/main.ts" } });
    expect(edited.etag).toBe((await sandbox.fs.stat("/src/main.ts")).etag);
    const text = 'import { util } from "./util";\n// done\nutil();\n';
    expect(await sandbox.fs.readText("/src/main.ts")).toBe(text);

    const noMatch = await sandbox.fs.edit("/src/main.ts", "TODO", "x").catch((e: unknown) => e);
    expect(noMatch).toBeInstanceOf(EditMatchError);
    expect(noMatch).toMatchObject({ status: 422, code: "edit_no_match" });
    await expect(sandbox.fs.edit("/src/main.ts", "util", "helper")).rejects.toMatchObject({
      name: "EditMatchError",
      code: "edit_ambiguous",
    });
    await expect(
      sandbox.fs.edit("/src/main.ts", "// done", "x", { ifMatch: '"stale"' }),
    ).rejects.toBeInstanceOf(PreconditionFailedError);
    expect(await sandbox.fs.readText("/src/main.ts")).toBe(text);

    const all = await sandbox.fs.edit("/src/main.ts", "util", "helper", {
      replaceAll: true,
      ifMatch: edited.etag,
    });
    expect(all.replacements).toBe(3);
    expect(await sandbox.fs.readText("/src/main.ts")).toBe(
      'import { helper } from "./helper";\n// done\nhelper();\n',
    );
  });

  it("patch applies a diff whole, or names the hunk that did not apply and changes nothing", async () => {
    const sandbox = await seeded();
    await sandbox.fs.write("/notes.txt", "one\ntwo\nthree\nfour\nfive\nsix\nseven\n");
    const diff = [
      "--- a/notes.txt",
      "+++ b/notes.txt",
      "@@ -1,2 +1,2 @@",
      "-one",
      "+ONE",
      " two",
      "--- /dev/null",
      "+++ b/new.txt",
      "@@ -0,0 +1 @@",
      "+created",
      "",
    ].join("\n");
    const applied = await sandbox.fs.patch(diff);
    expect(applied.files).toEqual([
      { path: "/notes.txt", status: "modified", etag: expect.any(String) },
      { path: "/new.txt", status: "created", etag: expect.any(String) },
    ]);
    expect(await sandbox.fs.readText("/notes.txt")).toBe(
      "ONE\ntwo\nthree\nfour\nfive\nsix\nseven\n",
    );
    expect(await sandbox.fs.readText("/new.txt")).toBe("created\n");

    // Hunk 1 applies, hunk 2 does not: nothing is written.
    const conflicting = [
      "--- a/notes.txt",
      "+++ b/notes.txt",
      "@@ -1,2 +1,2 @@",
      "-ONE",
      "+1",
      " two",
      "@@ -6,2 +6,2 @@",
      " six",
      "-SEVEN",
      "+7",
      "",
    ].join("\n");
    const conflict = await sandbox.fs.patch(conflicting).catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(PatchConflictError);
    expect(conflict).toMatchObject({
      status: 422,
      code: "patch_conflict",
      hunk: 2,
      path: "/notes.txt",
    });
    expect(await sandbox.fs.readText("/notes.txt")).toBe(
      "ONE\ntwo\nthree\nfour\nfive\nsix\nseven\n",
    );

    await expect(sandbox.fs.patch("this is not a diff")).rejects.toMatchObject({
      name: "BadRequestError",
      code: "patch_invalid",
    });

    // With `path`, the diff goes to that file, pinned by its ETag.
    const { etag } = await sandbox.fs.stat("/new.txt");
    const oneFile = "--- a/x\n+++ b/x\n@@ -1 +1 @@\n-created\n+patched\n";
    await expect(
      sandbox.fs.patch(oneFile, { path: "/new.txt", ifMatch: '"stale"' }),
    ).rejects.toBeInstanceOf(PreconditionFailedError);
    const pinned = await sandbox.fs.patch(oneFile, { path: "/new.txt", ifMatch: etag });
    expect(pinned.files).toMatchObject([{ path: "/new.txt", status: "modified" }]);
    expect(await sandbox.fs.readText("/new.txt")).toBe("patched\n");
  });

  it("edit and patch failures are BadRequestErrors (the validation family)", async () => {
    const sandbox = await seeded();
    for (const call of [
      () => sandbox.fs.edit("/src/main.ts", "absent", "x"),
      () => sandbox.fs.patch("--- a/src/main.ts\n+++ b/src/main.ts\n@@ -1 +1 @@\n-nope\n+x\n"),
    ]) {
      await expect(call()).rejects.toBeInstanceOf(BadRequestError);
    }
  });
});

describe("Idempotency-Key against the reference server", () => {
  beforeEach(() => {
    vi.spyOn(Math, "random").mockReturnValue(0); // no backoff wait
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  /** A client whose first `method` request reaches the server but whose response is lost. */
  function clientLosingFirstResponse(method = "POST") {
    let lost = 0;
    const fetch = async (request: Request) => {
      const response = await globalThis.fetch(request);
      if (request.method !== method || lost > 0) return response;
      lost++;
      await response.body?.cancel();
      throw new TypeError("fetch failed", { cause: new Error("socket hang up") });
    };
    return {
      client: new Cairn({ baseUrl: server.url, apiKey: REFERENCE_API_KEY, fetch }),
      lost: () => lost,
    };
  }

  it("a create retried after a lost response replays: one sandbox, not two", async () => {
    const { client, lost } = clientLosingFirstResponse();
    const name = `replay-${Date.now()}`;
    const sandbox = await client.sandboxes.create({ name });
    expect(lost()).toBe(1);
    const named: string[] = [];
    for await (const s of cairn.sandboxes.list()) if (s.name === name) named.push(s.id);
    expect(named).toEqual([sandbox.id]);
  });

  it("an exec retried after a lost response replays its result and runs once", async () => {
    const sandbox = await cairn.sandboxes.create();
    const { client, lost } = clientLosingFirstResponse();
    const same = await client.sandboxes.get(sandbox.id);
    const result = await same.exec("echo run >> /runs.txt; wc -l < /runs.txt");
    expect(lost()).toBe(1);
    expect(result.stdout.trim()).toBe("1");
    expect(await sandbox.fs.readText("/runs.txt")).toBe("run\n");
  });

  it("create() and remove() retried after a lost response replay, not 412 / 404", async () => {
    const sandbox = await cairn.sandboxes.create();
    const put = clientLosingFirstResponse("PUT");
    const viaPut = await put.client.sandboxes.get(sandbox.id);
    await expect(viaPut.fs.create("/claim", "mine")).resolves.toMatchObject({ created: true });
    expect(put.lost()).toBe(1);

    const del = clientLosingFirstResponse("DELETE");
    const viaDelete = await del.client.sandboxes.get(sandbox.id);
    await expect(viaDelete.fs.remove("/claim")).resolves.toMatchObject({
      version: expect.any(Number),
    });
    expect(del.lost()).toBe(1);
    await expect(sandbox.fs.stat("/claim")).rejects.toBeInstanceOf(NotFoundError);
  });

  it("a caller's key reused for a different request is IdempotencyKeyMismatchError", async () => {
    const sandbox = await cairn.sandboxes.create();
    const idempotencyKey = `mkdir-${Date.now()}`;
    const first = await sandbox.fs.mkdir("/a", { idempotencyKey });
    // The same request again is answered with the first response, and applies nothing.
    await expect(sandbox.fs.mkdir("/a", { idempotencyKey })).resolves.toEqual(first);
    await expect(sandbox.fs.mkdir("/b", { idempotencyKey })).rejects.toBeInstanceOf(
      IdempotencyKeyMismatchError,
    );
  });
});
