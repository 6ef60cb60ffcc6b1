import { describe, expect, it } from "vitest";
import { DEFAULT_WRITE_LIMITS } from "../bash-fs.js";
import { bytes, scratchVfs, text } from "../test-support.js";
import { search } from "../text/search.js";
import type { Vfs } from "../vfs.js";
import { type RunSettings, runStep } from "./run.js";

function settings(overrides: Partial<RunSettings> = {}): RunSettings {
  return {
    runtimes: [],
    readOnly: false,
    limits: DEFAULT_WRITE_LIMITS,
    maxOutputBytes: 1 << 20,
    timeoutMs: 10_000,
    signal: new AbortController().signal,
    reportShellState: false,
    ...overrides,
  };
}

function seeded(files: Record<string, string>): Vfs {
  const vfs = scratchVfs();
  for (const [path, content] of Object.entries(files)) {
    vfs.mkdir(path.slice(0, path.lastIndexOf("/")) || "/", { recursive: true });
    vfs.writeFile(path, bytes(content));
  }
  return vfs;
}

async function run(vfs: Vfs, script: string, overrides: Partial<RunSettings> = {}) {
  const r = await runStep(vfs, { script, cwd: "/", env: {} }, settings(overrides));
  return { exitCode: r.exitCode, stdout: text(r.stdout), stderr: text(r.stderr) };
}

const FILES = {
  "/src/retry.ts": "export function retry() {}\n// retry with backoff\n",
  "/src/once.ts": "retry once\n",
  "/docs/none.md": "nothing here\n",
};

describe("search", () => {
  it("prints the same hits, in the same order and scores, as the core search", async () => {
    const vfs = seeded(FILES);
    const want = await search(vfs, { query: "retry backoff" });
    const r = await run(vfs, "search retry backoff");
    expect(r.exitCode).toBe(0);
    const heads = r.stdout.split("\n").filter((l) => l.startsWith("/"));
    expect(heads).toEqual(want.hits.map((h) => `${h.path}  ${h.score}`));
    expect(r.stdout).toContain("  2: // retry with backoff\n");
  });

  it("--json prints the API's answer", async () => {
    const vfs = seeded(FILES);
    const r = await run(vfs, "search --json --limit 1 --path /src retry");
    expect(JSON.parse(r.stdout)).toEqual(
      await search(vfs, { query: "retry", path: "/src", limit: 1 }),
    );
  });

  it("sees the script's own uncommitted writes and tags", async () => {
    const vfs = seeded(FILES);
    const r = await run(vfs, "echo zebra > /z.txt; tag /docs/none.md zebra; search zebra");
    expect(r.stdout.split("\n").filter((l) => l.startsWith("/"))[0]).toMatch(/^\/docs\/none.md /);
    expect(r.stdout).toContain("/z.txt");
  });

  it("exits 1 with no hits, 2 for bad usage, with messages", async () => {
    const vfs = seeded(FILES);
    expect(await run(vfs, "search absent")).toEqual({ exitCode: 1, stdout: "", stderr: "" });
    const bad = await run(vfs, "search --limit x retry");
    expect([bad.exitCode, bad.stderr]).toEqual([
      2,
      "search: --limit must be a whole number, not \"x\"\nTry 'search --help'.\n",
    ]);
    expect((await run(vfs, "search --bogus retry")).exitCode).toBe(2);
    expect((await run(vfs, "search")).stderr).toMatch(/query must contain a word/);
    expect((await run(vfs, "search --path /missing x")).stderr).toMatch(/ENOENT/);
    expect((await run(vfs, "search --path /missing x")).exitCode).toBe(2);
    expect((await run(vfs, "search --limit 500 x")).exitCode).toBe(2);
    const semantic = await run(vfs, "search --semantic retry");
    expect([semantic.exitCode, semantic.stderr]).toEqual([
      2,
      expect.stringMatching(/^search: --semantic is not available: this server has no embeddings/),
    ]);
  });

  it("relative --path is under the current directory; --glob and --tag narrow", async () => {
    const vfs = seeded(FILES);
    const r = await run(vfs, "cd /src && search --json --path . --glob 'o*' retry");
    expect(
      (JSON.parse(r.stdout) as { hits: Array<{ path: string }> }).hits.map((h) => h.path),
    ).toEqual(["/src/once.ts"]);
    const tagged = await run(vfs, "tag /src/once.ts t1 && search --tag t1");
    expect(tagged.stdout).toBe("/src/once.ts  0\n  tags: t1\n");
  });

  it("says when hits were cut", async () => {
    const r = await run(seeded(FILES), "search --limit 1 retry");
    expect(r.stderr).toBe("search: 1 more matching files not shown (--limit 1)\n");
  });

  it("--help explains it and exits 0", async () => {
    const r = await run(seeded({}), "search --help");
    expect([r.exitCode, r.stdout]).toEqual([0, expect.stringMatching(/^Usage: search /)]);
  });
});

describe("tag, untag, tags, summary", () => {
  it("set and read a file's tags and summary through the journal", async () => {
    const vfs = seeded(FILES);
    const r = await run(
      vfs,
      [
        "tag /src/retry.ts net util net",
        "tag src/retry.ts core",
        "untag /src/retry.ts util absent",
        "tags /src/retry.ts",
        "summary /src/retry.ts Retries with  backoff.",
        "summary /src/retry.ts",
        "tags /src/retry.ts /src/once.ts",
      ].join("\n"),
    );
    expect(r).toEqual({
      exitCode: 0,
      stdout: "net\ncore\nRetries with backoff.\n/src/retry.ts: net core\n/src/once.ts:\n",
      stderr: "",
    });
    expect(vfs.stat("/src/retry.ts").meta).toEqual({
      tags: ["net", "core"],
      summary: "Retries with backoff.",
    });
    expect(vfs.journal.changed).toBe(true);
  });

  it("summary --clear and untagging everything remove the meta", async () => {
    const vfs = seeded(FILES);
    await run(
      vfs,
      "tag /src/once.ts a; summary /src/once.ts S; untag /src/once.ts a; summary --clear /src/once.ts",
    );
    expect(vfs.stat("/src/once.ts").meta).toBeNull();
  });

  it("refuse writes when read-only, with EROFS and exit 1, and still read", async () => {
    const vfs = seeded(FILES);
    const r = await run(
      vfs,
      "tag /src/once.ts a; echo rc=$?; summary /src/once.ts x; tags /src/once.ts",
      {
        readOnly: true,
      },
    );
    expect(r.stdout).toBe("rc=1\n");
    expect(r.stderr).toMatch(/^tag: EROFS: read-only file system, setmeta '\/src\/once.ts'\n/);
    expect(r.stderr).toMatch(/summary: EROFS/);
    expect(r.exitCode).toBe(0);
    expect(vfs.stat("/src/once.ts").meta).toBeNull();
  });

  it("answer clear errors: missing file, directory, bad tag, missing operands", async () => {
    const vfs = seeded(FILES);
    const cases: Array<[string, number, RegExp]> = [
      ["tag /nope x", 1, /^tag: ENOENT: no such file or directory, stat '\/nope'\n$/],
      ["tags /src", 1, /^tags: EISDIR/],
      ["tag /src/once.ts 'a b'", 2, /^tag: tag "a b" has a space or control character\n$/],
      ["tag /src/once.ts", 2, /^tag: missing TAG\nTry 'tag --help'.\n$/],
      ["untag", 2, /^untag: missing FILE/],
      ["summary /src/once.ts --clear x", 2, /--clear takes only FILE/],
      [`summary /src/once.ts ${"x".repeat(501)}`, 2, /longer than 500/],
      ["tag /bin/ls x", 1, /EROFS/],
    ];
    for (const [script, code, stderr] of cases) {
      const r = await run(vfs, script);
      expect([script, r.exitCode], script).toEqual([script, code]);
      expect(r.stderr, script).toMatch(stderr);
    }
    expect(vfs.stat("/src/once.ts").meta).toBeNull();
  });

  it("are commands in /bin and /usr/bin with --help", async () => {
    const r = await run(
      seeded({}),
      "ls /usr/bin | grep -xE 'search|tags?|untag|summary'; which tag; tags --help | head -1",
    );
    expect(r.stdout).toBe("search\nsummary\ntag\ntags\nuntag\n/usr/bin/tag\nUsage: tags FILE...\n");
  });
});
