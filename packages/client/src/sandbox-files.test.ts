import { HttpResponse, http } from "msw";
import { afterEach, beforeEach, describe, expect, expectTypeOf, it, vi } from "vitest";
import {
  AbortError,
  BadRequestError,
  EditMatchError,
  InternalServerError,
  NotFoundError,
  PatchConflictError,
  PreconditionFailedError,
} from "./errors.js";
import type { Sandbox } from "./sandbox.js";
import { newClient, problem, sandboxData, server, UUID, url, useServer } from "./test-server.js";
import type {
  DirectoryEntry,
  EditResult,
  FileMetaResult,
  FileStat,
  GlobResult,
  GrepResult,
  PatchResult,
  ReadLinesResult,
  SearchResult,
} from "./types.js";

useServer();

const FILES = "/v1/sandboxes/sbx_1/files";
const ETAG = '"abc123"';
const ALL_BYTES = Uint8Array.from({ length: 256 }, (_, i) => i);

function fileStat(path: string, overrides: Partial<FileStat> = {}): FileStat {
  return {
    path,
    type: "file",
    size: 0,
    mode: 420,
    mtime: "2025-01-01T00:00:00.000Z",
    ...overrides,
  };
}

let sandbox: Sandbox;
beforeEach(async () => {
  server.use(http.get(url("/v1/sandboxes/sbx_1"), () => HttpResponse.json(sandboxData("sbx_1"))));
  sandbox = await newClient().sandboxes.get("sbx_1");
});

describe("sandbox.fs.readBytes", () => {
  it("round-trips the bytes 0..255 and sends the path as a query parameter", async () => {
    let path: string | null = null;
    server.use(
      http.get(url(FILES), ({ request }) => {
        path = new URL(request.url).searchParams.get("path");
        return new HttpResponse(ALL_BYTES, {
          headers: { "Content-Type": "application/octet-stream", ETag: ETAG },
        });
      }),
    );
    const bytes = await sandbox.fs.readBytes("/bin/all bytes.dat");
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(Array.from(bytes)).toEqual(Array.from(ALL_BYTES));
    expect(path).toBe("/bin/all bytes.dat");
  });

  it("sends a Range header and returns the 206 body", async () => {
    const ranges: (string | null)[] = [];
    server.use(
      http.get(url(FILES), ({ request }) => {
        ranges.push(request.headers.get("range"));
        return new HttpResponse(ALL_BYTES.slice(10, 20), {
          status: 206,
          headers: { "Content-Range": "bytes 10-19/256" },
        });
      }),
    );
    const bytes = await sandbox.fs.readBytes("/f", { range: { start: 10, end: 19 } });
    expect(Array.from(bytes)).toEqual(Array.from(ALL_BYTES.slice(10, 20)));
    await sandbox.fs.readBytes("/f", { range: { start: 100 } });
    expect(ranges).toEqual(["bytes=10-19", "bytes=100-"]);
  });

  it("rejects an invalid range before sending anything", async () => {
    await expect(sandbox.fs.readBytes("/f", { range: { start: 5, end: 2 } })).rejects.toThrow(
      RangeError,
    );
  });

  it("maps 416 to BadRequestError", async () => {
    server.use(http.get(url(FILES), () => problem(416, "range_not_satisfiable")));
    await expect(sandbox.fs.readBytes("/f", { range: { start: 999 } })).rejects.toBeInstanceOf(
      BadRequestError,
    );
  });

  it("reads an empty file as zero bytes", async () => {
    server.use(http.get(url(FILES), () => new HttpResponse(new Uint8Array(0))));
    expect((await sandbox.fs.readBytes("/empty")).byteLength).toBe(0);
  });
});

describe("sandbox.fs.readStream", () => {
  afterEach(() => vi.restoreAllMocks());

  /** A body that sends `first`, then waits for `more()` before sending the rest and closing. */
  function slowBody(first: string) {
    const encoder = new TextEncoder();
    const state = { cancelled: false, more: (_text: string) => {} };
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode(first));
        state.more = (text) => {
          controller.enqueue(encoder.encode(text));
          controller.close();
        };
      },
      cancel() {
        state.cancelled = true;
      },
    });
    return { body, state };
  }

  it("resolves when the response starts and yields chunks as they arrive", async () => {
    const { body, state } = slowBody("first ");
    server.use(http.get(url(FILES), () => new HttpResponse(body)));
    const stream = await sandbox.fs.readStream("/big.log");
    expect(stream).toBeInstanceOf(ReadableStream);
    const reader = stream.getReader();
    // The server has not finished: the first chunk is readable already, nothing was buffered.
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe("first ");
    state.more("last");
    const chunks: string[] = [];
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      chunks.push(new TextDecoder().decode(r.value));
    }
    expect(chunks.join("")).toBe("last");
  });

  it("sends a Range header", async () => {
    let range: string | null = null;
    server.use(
      http.get(url(FILES), ({ request }) => {
        range = request.headers.get("range");
        return new HttpResponse(ALL_BYTES.slice(250), { status: 206 });
      }),
    );
    const stream = await sandbox.fs.readStream("/f", { range: { start: 250 } });
    const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
    expect(Array.from(bytes)).toEqual([250, 251, 252, 253, 254, 255]);
    expect(range).toBe("bytes=250-");
  });

  it("is an empty stream for an empty file", async () => {
    server.use(http.get(url(FILES), () => new HttpResponse(new Uint8Array(0))));
    const stream = await sandbox.fs.readStream("/empty");
    expect((await new Response(stream).arrayBuffer()).byteLength).toBe(0);
  });

  it("rejects with the error class when the file is missing", async () => {
    server.use(http.get(url(FILES), () => problem(404, "ENOENT", { path: "/nope" })));
    await expect(sandbox.fs.readStream("/nope")).rejects.toBeInstanceOf(NotFoundError);
  });

  it("cancelling the stream cancels the response body", async () => {
    const { body, state } = slowBody("first ");
    // A custom fetch, so that the body is the one the client reads (msw hands out a copy).
    const fetch = async (request: Request) =>
      request.url.includes("/files?") ? new Response(body) : Response.json(sandboxData("sbx_1"));
    const sandbox = await newClient({ fetch }).sandboxes.get("sbx_1");
    const stream = await sandbox.fs.readStream("/big.log");
    const reader = stream.getReader();
    await reader.read();
    await reader.cancel();
    await vi.waitFor(() => expect(state.cancelled).toBe(true));
  });

  it("aborting the signal mid-download errors the stream with AbortError and cancels the body", async () => {
    const { body, state } = slowBody("first ");
    const fetch = async (request: Request) =>
      request.url.includes("/files?") ? new Response(body) : Response.json(sandboxData("sbx_1"));
    const sandbox = await newClient({ fetch }).sandboxes.get("sbx_1");
    const controller = new AbortController();
    const stream = await sandbox.fs.readStream("/big.log", { signal: controller.signal });
    const reader = stream.getReader();
    await reader.read();
    const pending = reader.read();
    controller.abort(new Error("stop"));
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect((error as AbortError).cause).toEqual(new Error("stop"));
    await vi.waitFor(() => expect(state.cancelled).toBe(true));
  });
});

describe("sandbox.fs.readText", () => {
  it("decodes UTF-8", async () => {
    server.use(http.get(url(FILES), () => new HttpResponse(new TextEncoder().encode("héllo ✓"))));
    await expect(sandbox.fs.readText("/t.txt")).resolves.toBe("héllo ✓");
  });
});

describe("sandbox.fs.write", () => {
  type Seen = { body: number[]; headers: Record<string, string>; query: Record<string, string> };
  let seen: Seen[];

  beforeEach(() => {
    seen = [];
    server.use(
      http.put(url(FILES), async ({ request }) => {
        const query = Object.fromEntries(new URL(request.url).searchParams);
        const body = Array.from(new Uint8Array(await request.arrayBuffer()));
        seen.push({ body, headers: Object.fromEntries(request.headers), query });
        const created = request.headers.get("if-match") === null;
        const file = fileStat(query.path ?? "", { size: body.length, etag: '"new"' });
        return HttpResponse.json(
          { version: 3, file },
          { status: created ? 201 : 200, headers: { ETag: '"new"' } },
        );
      }),
    );
  });

  it("sends raw bytes as application/octet-stream with If-Match", async () => {
    const result = await sandbox.fs.write("/bin.dat", ALL_BYTES, { ifMatch: ETAG });
    expect(seen[0]?.body).toEqual(Array.from(ALL_BYTES));
    expect(seen[0]?.headers["content-type"]).toBe("application/octet-stream");
    expect(seen[0]?.headers["if-match"]).toBe(ETAG);
    expect(seen[0]?.headers["if-none-match"]).toBeUndefined();
    expect(seen[0]?.query).toEqual({ path: "/bin.dat" });
    expect(result).toEqual({
      version: 3,
      file: fileStat("/bin.dat", { size: 256, etag: '"new"' }),
      etag: '"new"',
      created: false,
    });
  });

  it("sends If-None-Match: * and the mode, and reports a creation", async () => {
    const result = await sandbox.fs.write("/run.sh", "echo hi\n", {
      ifNoneMatch: "*",
      mode: "755",
    });
    expect(seen[0]?.headers["if-none-match"]).toBe("*");
    expect(seen[0]?.query).toEqual({ path: "/run.sh", mode: "755" });
    expect(result.created).toBe(true);
  });

  it.each([
    ["a string (as UTF-8)", "é", [0xc3, 0xa9]],
    ["an ArrayBuffer", new Uint8Array([1, 2, 3]).buffer, [1, 2, 3]],
    ["a Blob", new Blob([new Uint8Array([4, 5])]), [4, 5]],
    ["a Uint8Array view into a larger buffer", new Uint8Array([9, 8, 7, 6]).subarray(1, 3), [8, 7]],
  ] as const)("accepts %s", async (_name, data, want) => {
    await sandbox.fs.write("/x", data);
    expect(seen[0]?.body).toEqual(want);
    expect(seen[0]?.headers["content-type"]).toBe("application/octet-stream");
  });

  it("streams a ReadableStream body as it is read", async () => {
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode("chunk 1, "));
        controller.enqueue(encoder.encode("chunk 2"));
        controller.close();
      },
    });
    const result = await sandbox.fs.write("/log.txt", body, { ifNoneMatch: "*" });
    expect(new TextDecoder().decode(Uint8Array.from(seen[0]?.body ?? []))).toBe("chunk 1, chunk 2");
    expect(seen[0]?.headers["content-type"]).toBe("application/octet-stream");
    expect(result).toMatchObject({ created: true, etag: '"new"' });
  });

  it("does not retry a ReadableStream body (it can be read once)", async () => {
    let calls = 0;
    server.use(
      http.put(url(FILES), async ({ request }) => {
        calls++;
        await request.arrayBuffer();
        return problem(503, "unavailable", { retryable: true });
      }),
    );
    const body = new Blob(["data"]).stream();
    await expect(sandbox.fs.write("/x", body)).rejects.toBeInstanceOf(InternalServerError);
    expect(calls).toBe(1);
  });

  it("create() sends If-None-Match: * and never If-Match", async () => {
    const result = await sandbox.fs.create("/lock", "mine", { mode: "600", ifMatch: ETAG } as {
      mode: string;
    });
    expect(seen[0]?.headers["if-none-match"]).toBe("*");
    expect(seen[0]?.headers["if-match"]).toBeUndefined();
    expect(seen[0]?.query).toEqual({ path: "/lock", mode: "600" });
    expect(result.created).toBe(true);
  });

  it("create() throws PreconditionFailedError when something exists at the path", async () => {
    server.use(http.put(url(FILES), () => problem(412, "precondition_failed", { path: "/lock" })));
    const error = await sandbox.fs.create("/lock", "mine").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PreconditionFailedError);
    expect(error).toMatchObject({ status: 412, code: "precondition_failed", retryable: false });
  });

  it("throws PreconditionFailedError on 412", async () => {
    server.use(http.put(url(FILES), () => problem(412, "precondition_failed", { path: "/x" })));
    const error = await sandbox.fs.write("/x", "v2", { ifMatch: '"old"' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PreconditionFailedError);
    expect(error).toMatchObject({ code: "precondition_failed", problem: { path: "/x" } });
  });
});

describe("sandbox.fs tree operations", () => {
  it("stat sends path and followSymlinks", async () => {
    let query: Record<string, string> = {};
    server.use(
      http.get(url("/v1/sandboxes/sbx_1/fs/stat"), ({ request }) => {
        query = Object.fromEntries(new URL(request.url).searchParams);
        return HttpResponse.json(fileStat("/link", { type: "symlink", target: "/a" }));
      }),
    );
    const stat = await sandbox.fs.stat("/link", { followSymlinks: false });
    expect(query).toEqual({ path: "/link", followSymlinks: "false" });
    expect(stat).toMatchObject({ type: "symlink", target: "/a" });
  });

  it("list iterates every entry across pages", async () => {
    const names = ["a", "b", "c"];
    const cursors: (string | null)[] = [];
    server.use(
      http.get(url("/v1/sandboxes/sbx_1/fs/list"), ({ request }) => {
        const query = new URL(request.url).searchParams;
        cursors.push(query.get("cursor"));
        const start = Number(query.get("cursor") ?? 0);
        const entries: DirectoryEntry[] = names.slice(start, start + 2).map((name) => ({
          name,
          type: "file",
          size: 1,
          mode: 420,
          mtime: "2025-01-01T00:00:00.000Z",
        }));
        const nextCursor = start + 2 < names.length ? String(start + 2) : null;
        return HttpResponse.json({ path: query.get("path"), entries, nextCursor });
      }),
    );
    const seen: string[] = [];
    for await (const entry of sandbox.fs.list("/dir", { limit: 2 })) seen.push(entry.name);
    expect(seen).toEqual(names);
    expect(cursors).toEqual([null, "2"]);

    const page = await sandbox.fs.list("/dir", { limit: 2 });
    expect(page.path).toBe("/dir");
    expect(page.entries.map((e) => e.name)).toEqual(["a", "b"]);
    const next = await page.getNextPage();
    expect(next?.path).toBe("/dir");
    expect(next?.entries.map((e) => e.name)).toEqual(["c"]);
  });

  it.each([
    [
      "mkdir",
      "mkdir",
      () => sandbox.fs.mkdir("/a/b", { parents: true }),
      { path: "/a/b", parents: true },
    ],
    ["mkdir default", "mkdir", () => sandbox.fs.mkdir("/a"), { path: "/a", parents: false }],
    ["move", "move", () => sandbox.fs.move("/a", "/b"), { from: "/a", to: "/b", overwrite: false }],
    [
      "copy",
      "copy",
      () => sandbox.fs.copy("/a", "/b", { overwrite: true }),
      { from: "/a", to: "/b", overwrite: true },
    ],
  ] as const)("%s posts its JSON body", async (_name, route, call, want) => {
    let body: unknown;
    server.use(
      http.post(url(`/v1/sandboxes/sbx_1/fs/${route}`), async ({ request }) => {
        body = await request.json();
        return HttpResponse.json({ version: 4 }, { status: route === "mkdir" ? 201 : 200 });
      }),
    );
    await expect(call()).resolves.toEqual({ version: 4 });
    expect(body).toEqual(want);
  });

  it("remove sends recursive and If-Match", async () => {
    let seen: { query: Record<string, string>; ifMatch: string | null } | undefined;
    server.use(
      http.delete(url(FILES), ({ request }) => {
        seen = {
          query: Object.fromEntries(new URL(request.url).searchParams),
          ifMatch: request.headers.get("if-match"),
        };
        return HttpResponse.json({ version: 5 });
      }),
    );
    await expect(sandbox.fs.remove("/d", { recursive: true, ifMatch: ETAG })).resolves.toEqual({
      version: 5,
    });
    expect(seen).toEqual({ query: { path: "/d", recursive: "true" }, ifMatch: ETAG });
  });
});

describe("sandbox.fs search and text tools", () => {
  const FS = "/v1/sandboxes/sbx_1/fs";
  const GLOB: GlobResult = { paths: ["/src/a.ts"], truncated: null };
  const GREP: GrepResult = {
    matches: [{ path: "/src/a.ts", line: 3, text: "// TODO", cut: false, before: [], after: [] }],
    filesSearched: 2,
    filesMatched: 1,
    skipped: { tooLarge: 0, binary: 0 },
    truncated: { reason: "results", limit: 1 },
  };
  const LINES: ReadLinesResult = {
    path: "/src/a.ts",
    etag: ETAG,
    binary: false,
    text: "b\nc\n",
    startLine: 2,
    endLine: 3,
    totalLines: 9,
    truncated: false,
  };
  const EDITED: EditResult = {
    version: 7,
    file: fileStat("/src/a.ts", { size: 10, etag: '"new"' }),
    etag: '"new"',
    replacements: 2,
  };
  const PATCHED: PatchResult = {
    version: 8,
    files: [{ path: "/src/a.ts", status: "modified", etag: '"new"' }],
  };

  /** Answers `GET fs/<route>` with `body`, recording each request's query. */
  function recordQuery(route: string, body: object): Record<string, string>[] {
    const queries: Record<string, string>[] = [];
    server.use(
      http.get(url(`${FS}/${route}`), ({ request }) => {
        queries.push(Object.fromEntries(new URL(request.url).searchParams));
        return HttpResponse.json(body);
      }),
    );
    return queries;
  }

  type Posted = { body: unknown; ifMatch: string | null; key: string | null; type: string | null };
  /** Answers `POST fs/<route>` with `body`, recording each request's JSON body and headers. */
  function recordPost(route: string, body: object): Posted[] {
    const posted: Posted[] = [];
    server.use(
      http.post(url(`${FS}/${route}`), async ({ request }) => {
        posted.push({
          body: await request.json(),
          ifMatch: request.headers.get("if-match"),
          key: request.headers.get("idempotency-key"),
          type: request.headers.get("content-type"),
        });
        return HttpResponse.json(body);
      }),
    );
    return posted;
  }

  it("glob sends the pattern and its options as query parameters", async () => {
    const queries = recordQuery("glob", GLOB);
    await expect(sandbox.fs.glob("**/*.ts")).resolves.toEqual(GLOB);
    await sandbox.fs.glob("*.{ts,tsx}", { path: "/src", limit: 10, maxEntries: 500 });
    expect(queries).toEqual([
      { pattern: "**/*.ts" },
      { pattern: "*.{ts,tsx}", path: "/src", limit: "10", maxEntries: "500" },
    ]);
  });

  it("grep sends the pattern and every option as query parameters", async () => {
    const queries = recordQuery("grep", GREP);
    await expect(sandbox.fs.grep("TODO|FIXME")).resolves.toEqual(GREP);
    await sandbox.fs.grep("a.b", {
      fixedString: true,
      ignoreCase: true,
      wholeWord: false,
      context: 2,
      path: "/src",
      glob: "**/*.ts",
      maxResults: 50,
      maxLineBytes: 200,
      maxFileBytes: 1024,
    });
    expect(queries).toEqual([
      { pattern: "TODO|FIXME" },
      {
        pattern: "a.b",
        fixedString: "true",
        ignoreCase: "true",
        wholeWord: "false",
        context: "2",
        path: "/src",
        glob: "**/*.ts",
        maxResults: "50",
        maxLineBytes: "200",
        maxFileBytes: "1024",
      },
    ]);
  });

  it("readLines sends the path and the line range as query parameters", async () => {
    const queries = recordQuery("read", LINES);
    await expect(sandbox.fs.readLines("/src/a.ts")).resolves.toEqual(LINES);
    await sandbox.fs.readLines("/src/a.ts", { startLine: 2, endLine: 3, maxBytes: 4096 });
    expect(queries).toEqual([
      { path: "/src/a.ts" },
      { path: "/src/a.ts", startLine: "2", endLine: "3", maxBytes: "4096" },
    ]);
  });

  it("edit posts path, oldString, newString and replaceAll, with If-Match and the key", async () => {
    const posted = recordPost("edit", EDITED);
    await expect(sandbox.fs.edit("/src/a.ts", "old", "new")).resolves.toEqual(EDITED);
    await sandbox.fs.edit("/src/a.ts", "x", "", {
      replaceAll: true,
      ifMatch: ETAG,
      idempotencyKey: "edit-1",
    });
    expect(posted).toEqual([
      {
        body: { path: "/src/a.ts", oldString: "old", newString: "new", replaceAll: false },
        ifMatch: null,
        key: expect.stringMatching(UUID),
        type: "application/json",
      },
      {
        body: { path: "/src/a.ts", oldString: "x", newString: "", replaceAll: true },
        ifMatch: ETAG,
        key: "edit-1",
        type: "application/json",
      },
    ]);
  });

  it("patch posts the diff, and `path` with If-Match when given", async () => {
    const posted = recordPost("patch", PATCHED);
    const diff = "--- a/src/a.ts\n+++ b/src/a.ts\n@@ -1 +1 @@\n-a\n+b\n";
    await expect(sandbox.fs.patch(diff)).resolves.toEqual(PATCHED);
    await sandbox.fs.patch(diff, { path: "/other.ts", ifMatch: ETAG, idempotencyKey: "patch-1" });
    expect(posted).toEqual([
      {
        body: { patch: diff },
        ifMatch: null,
        key: expect.stringMatching(UUID),
        type: "application/json",
      },
      {
        body: { patch: diff, path: "/other.ts" },
        ifMatch: ETAG,
        key: "patch-1",
        type: "application/json",
      },
    ]);
  });

  it.each(["edit_no_match", "edit_ambiguous"] as const)(
    "edit maps 422 %s to EditMatchError (a BadRequestError), not retried",
    async (code) => {
      let calls = 0;
      server.use(
        http.post(url(`${FS}/edit`), () => {
          calls++;
          return problem(422, code, { detail: "oldString: 0 or 2 occurrences" });
        }),
      );
      const error = await sandbox.fs.edit("/a.ts", "x", "y").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EditMatchError);
      expect(error).toBeInstanceOf(BadRequestError);
      expect(error).toMatchObject({ name: "EditMatchError", status: 422, code, retryable: false });
      expect(calls).toBe(1);
    },
  );

  it("edit maps a stale ifMatch (412) to PreconditionFailedError", async () => {
    server.use(http.post(url(`${FS}/edit`), () => problem(412, "precondition_failed")));
    await expect(sandbox.fs.edit("/a.ts", "x", "y", { ifMatch: '"stale"' })).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
  });

  it("patch maps 422 patch_conflict to PatchConflictError with the hunk and path", async () => {
    let calls = 0;
    server.use(
      http.post(url(`${FS}/patch`), () => {
        calls++;
        return problem(422, "patch_conflict", { hunk: 2, path: "/src/a.ts", detail: "no match" });
      }),
    );
    const error = await sandbox.fs.patch("--- a/x\n+++ b/x\n").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PatchConflictError);
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error).toMatchObject({
      name: "PatchConflictError",
      status: 422,
      code: "patch_conflict",
      hunk: 2,
      path: "/src/a.ts",
      problem: { hunk: 2, path: "/src/a.ts" },
    });
    expect(calls).toBe(1);
    if (!(error instanceof PatchConflictError)) throw error;
    expectTypeOf(error.hunk).toEqualTypeOf<number | undefined>();
    expectTypeOf(error.path).toEqualTypeOf<string | undefined>();
    expectTypeOf(error.code).toEqualTypeOf<"patch_conflict">();
  });

  it("patch maps 400 patch_invalid to BadRequestError", async () => {
    server.use(http.post(url(`${FS}/patch`), () => problem(400, "patch_invalid")));
    const error = await sandbox.fs.patch("not a diff").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error).not.toBeInstanceOf(PatchConflictError);
    expect(error).toMatchObject({ status: 400, code: "patch_invalid" });
  });

  it("search sends q, repeated tags and the options as query parameters", async () => {
    const found: SearchResult = {
      mode: "text",
      missingEmbeddings: 0,
      note: null,
      terms: ["retry"],
      hits: [
        {
          path: "/src/a.ts",
          score: 1.5,
          tags: ["net"],
          summary: null,
          terms: ["retry"],
          lines: [{ line: 3, text: "retry()" }],
        },
      ],
      totalHits: 1,
      filesSearched: 4,
      skipped: { tooLarge: 0 },
      truncated: null,
    };
    const urls: URLSearchParams[] = [];
    server.use(
      http.get(url(`${FS}/search`), ({ request }) => {
        urls.push(new URL(request.url).searchParams);
        return HttpResponse.json(found);
      }),
    );
    await expect(sandbox.fs.search("retry")).resolves.toEqual(found);
    await sandbox.fs.search("", {
      tags: ["api", "auth"],
      path: "/src",
      glob: "*.ts",
      limit: 5,
      maxFileBytes: 1024,
      mode: "hybrid",
    });
    expect([...urls[0]!]).toEqual([["q", "retry"]]);
    expect([...urls[1]!]).toEqual([
      ["q", ""],
      ["tag", "api"],
      ["tag", "auth"],
      ["path", "/src"],
      ["glob", "*.ts"],
      ["limit", "5"],
      ["maxFileBytes", "1024"],
      ["mode", "hybrid"],
    ]);
  });

  it("getMeta reads and setMeta puts tags and summary with If-Match and the key", async () => {
    const META: FileMetaResult = {
      path: "/a",
      etag: ETAG,
      tags: ["t"],
      summary: "S.",
      version: 3,
    };
    const seen: Array<{
      method: string;
      path: string | null;
      body?: unknown;
      ifMatch?: string | null;
      key?: string | null;
    }> = [];
    server.use(
      http.get(url(`${FS}/meta`), ({ request }) => {
        seen.push({ method: "GET", path: new URL(request.url).searchParams.get("path") });
        return HttpResponse.json(META);
      }),
      http.put(url(`${FS}/meta`), async ({ request }) => {
        seen.push({
          method: "PUT",
          path: new URL(request.url).searchParams.get("path"),
          body: await request.json(),
          ifMatch: request.headers.get("if-match"),
          key: request.headers.get("idempotency-key"),
        });
        return HttpResponse.json(META);
      }),
    );
    await expect(sandbox.fs.getMeta("/a")).resolves.toEqual(META);
    await sandbox.fs.setMeta("/a", { tags: ["t"], summary: "S." }, { ifMatch: ETAG });
    expect(seen[0]).toEqual({ method: "GET", path: "/a" });
    expect(seen[1]).toMatchObject({
      method: "PUT",
      path: "/a",
      body: { tags: ["t"], summary: "S." },
      ifMatch: ETAG,
    });
    expect(seen[1]!.key).toMatch(UUID);
  });

  it("setMeta maps 412 to PreconditionFailedError and 400 to BadRequestError", async () => {
    server.use(http.put(url(`${FS}/meta`), () => problem(412, "precondition_failed")));
    await expect(
      sandbox.fs.setMeta("/a", { tags: ["t"] }, { ifMatch: '"old"' }),
    ).rejects.toBeInstanceOf(PreconditionFailedError);
    server.use(http.put(url(`${FS}/meta`), () => problem(400, "invalid_request")));
    await expect(sandbox.fs.setMeta("/a", { tags: ["two words"] })).rejects.toBeInstanceOf(
      BadRequestError,
    );
  });

  it("glob, grep and readLines map a missing path to NotFoundError", async () => {
    for (const route of ["glob", "grep", "read"]) {
      server.use(http.get(url(`${FS}/${route}`), () => problem(404, "ENOENT", { path: "/nope" })));
    }
    await expect(sandbox.fs.glob("*", { path: "/nope" })).rejects.toBeInstanceOf(NotFoundError);
    await expect(sandbox.fs.grep("x", { path: "/nope" })).rejects.toBeInstanceOf(NotFoundError);
    await expect(sandbox.fs.readLines("/nope")).rejects.toBeInstanceOf(NotFoundError);
  });
});
