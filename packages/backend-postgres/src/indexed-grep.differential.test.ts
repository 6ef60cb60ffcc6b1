/**
 * A recursive grep in a script that asks the text index first answers byte
 * for byte as the full scan: for generated trees and grep command lines
 * (seeded), on real Postgres, in process and through the worker-thread pool,
 * with a backlog of unindexed blobs, binary and too-large files, denied paths
 * and files the script itself writes.
 */
import {
  type Backend,
  execScript,
  SandboxService,
  type Scope,
  type ScriptRunner,
  WorkerPool,
} from "@cairn/core";
import { afterAll, describe, expect, it } from "vitest";
import { createPostgresBackend } from "./postgres-backend.js";
import { useTestDatabase } from "./test-database.js";
import { pick, rng } from "./test-random.js";

const WORDS = [
  "foo",
  "bar",
  "Foo",
  "BAR",
  "baz_1",
  "RARE_00af",
  "RARE_9",
  "rare_beef",
  "x.y",
  "a+b",
  "(p)",
  "{q}",
  "a|b",
  "$x",
  "^y",
  "42",
  "\u212aelvin",
  "\u017fs",
  "é",
  "Ünï",
  " ",
  "\t",
  "-",
  "\\",
];
const ENDINGS = ["\n", "\n", "\n", "\r\n", "\r"];

/** Pattern pieces: BRE and ERE syntax both, some that cannot be pushed down. */
const PIECES = [
  "foo",
  "bar",
  "RARE",
  "RARE_[0-9a-f]\\{4\\}",
  "RARE_[0-9a-f]{4}",
  "rare",
  "[[:digit:]]",
  "[[:upper:]]\\+",
  "[^a-z]",
  "[]x]",
  "x\\.y",
  "x.y",
  "a+b",
  "a\\+b",
  "(p)",
  "\\(p\\)",
  "{q}",
  "a|b",
  "a\\|b",
  "foo|bar",
  "^",
  "$",
  "^foo",
  "bar$",
  ".*",
  "o*",
  "*",
  "\\w",
  "\\s",
  "\\bfoo",
  "\\<foo",
  "\\d",
  "\\D",
  "k",
  "s",
  "é",
  "\\",
  "[",
  "(",
  "{2}",
  "\\{1,2\\}",
  "$x",
  "\\$x",
  "^y",
  "42",
];
const FLAGS = [
  "",
  "l",
  "n",
  "i",
  "h",
  "o",
  "w",
  "x",
  "c",
  "v",
  "L",
  "q",
  "E",
  "F",
  "P",
  "li",
  "lE",
];
const EXTRAS = ["", "", "", "--include=*.txt", "-m1", "-A1", "--exclude-dir=deep", "-e"];

function commandLine(r: () => number): string {
  const pieces = Array.from({ length: 1 + Math.floor(r() * 3) }, () => pick(r, PIECES));
  const pattern = pieces.join("").replaceAll("'", "");
  const command = pick(r, ["grep", "grep", "grep", "egrep", "fgrep"]);
  const flags = pick(r, FLAGS);
  const extra = pick(r, EXTRAS);
  const operands = pick(r, [
    "/w",
    "/w",
    "/w /w/deep",
    "/w/a.txt /w",
    "/w /missing",
    ". /w/src",
    "/",
  ]);
  const pat = extra === "-e" ? `-e '${pattern}'` : `${extra} '${pattern}'`;
  return `${command} -r${flags} ${pat} ${operands}; echo "exit $?"`;
}

interface Corpus {
  files: Array<{ path: string; bytes: Uint8Array }>;
}

function corpus(r: () => number): Corpus {
  const enc = new TextEncoder();
  const files: Corpus["files"] = [];
  const dirs = ["/w", "/w/src", "/w/deep", "/w/deep/er", "/w/.hidden", "/w/secret"];
  for (let i = 0; i < 60; i++) {
    const lines = Array.from({ length: Math.floor(r() * 6) }, () => {
      const words = Array.from({ length: 1 + Math.floor(r() * 4) }, () => pick(r, WORDS));
      return words.join(pick(r, ["", " ", "_"])) + pick(r, ENDINGS);
    });
    const ext = pick(r, [".txt", ".ts", ""]);
    files.push({ path: `${pick(r, dirs)}/f${i}${ext}`, bytes: enc.encode(lines.join("")) });
  }
  // Binary (NUL): never indexed, always a candidate.
  files.push({ path: "/w/bin.dat", bytes: Uint8Array.from([102, 111, 111, 0, 82, 65, 82, 69]) });
  // Larger than the test backend indexes: a candidate too.
  files.push({ path: "/w/deep/big.txt", bytes: enc.encode(`${"filler ".repeat(300)}RARE_00af\n`) });
  files.push({ path: "/w/a.txt", bytes: enc.encode("foo\nRARE_beef here\n") });
  files.push({ path: "/w/empty.txt", bytes: new Uint8Array(0) });
  files.push({ path: "/w/secret/key.txt", bytes: enc.encode("foo RARE_1234\n") });
  return { files };
}

describe("grep -r in a script, narrowed by the text index", () => {
  const db = useTestDatabase();
  const pool = new WorkerPool({ workers: 1 });
  afterAll(() => pool.close());

  /** `guarded`: a symlink and a denied directory, where only content is skipped, never listings. */
  async function setUp(seed: number, guarded: boolean) {
    const backend = createPostgresBackend({ sql: db().sql, maxIndexedTextBytes: 1024 });
    const reads: string[] = [];
    // The reference: the same storage without an index, so every grep reads every file.
    const { grepCandidates: _, ...plain } = backend;
    const counted: Backend = {
      ...backend,
      async readBlobs(tenantId, hashes) {
        reads.push(...hashes);
        return backend.readBlobs(tenantId, hashes);
      },
    };
    const indexed = new SandboxService({ backend: counted });
    const scanned = new SandboxService({ backend: plain as Backend });
    const scope: Scope = { tenantId: `t${seed}` };
    const r = rng(seed);
    const { files } = corpus(r);
    const box = await indexed.create(scope, {
      files,
      options: {
        persistShell: false,
        runtimes: [],
        policy: {
          readOnly: false,
          denySecrets: false,
          denyGlobs: guarded ? ["w/secret/**"] : [],
          redactSecrets: false,
        },
      },
    });
    await backend.idle?.();
    // A backlog: some blobs wait for indexing (as right after a commit), with no text row yet.
    await db().sql.begin(async (tx) => {
      const rows = await tx<Array<{ hash: string }>>`
        SELECT hash FROM blobs WHERE tenant_id = ${scope.tenantId} ORDER BY hash LIMIT 10`;
      const hashes = rows.map((row) => row.hash);
      await tx`DELETE FROM blob_text WHERE tenant_id = ${scope.tenantId} AND hash = ANY(${hashes})`;
      await tx`UPDATE blobs SET text_state = 'p' WHERE tenant_id = ${scope.tenantId} AND hash = ANY(${hashes})`;
    });
    if (guarded) await execScript(indexed, scope, box.id, { script: "ln -s /w/src /w/link" });
    return { indexed, scanned, scope, id: box.id, reads, r };
  }

  async function run(
    service: SandboxService,
    scope: Scope,
    id: string,
    script: string,
    runner?: ScriptRunner,
  ) {
    const out = await execScript(service, scope, id, { script, cwd: "/w", runner });
    return { exitCode: out.exitCode, stdout: out.stdout, stderr: out.stderr };
  }

  for (const [seed, guarded] of [
    [1, false],
    [2, false],
    [3, true],
    [4, true],
  ] as const) {
    const what = guarded ? "with a symlink and a denied directory" : "plain tree";
    it(`answers as the full scan, in process and in a worker (seed ${seed}, ${what})`, async () => {
      const { indexed, scanned, scope, id, r } = await setUp(seed, guarded);
      for (let i = 0; i < 80; i++) {
        // Sometimes the script first writes a file the index cannot know.
        const prefix = r() < 0.2 ? "echo 'new RARE_cafe foo' > /w/src/new.txt; " : "";
        const script = prefix + commandLine(r);
        const expected = await run(scanned, scope, id, script);
        const inProcess = await run(indexed, scope, id, script);
        expect(inProcess, `seed ${seed}: ${script}`).toEqual(expected);
        const inWorker = await run(indexed, scope, id, script, pool);
        expect(inWorker, `seed ${seed} (worker): ${script}`).toEqual(expected);
      }
    }, 120_000);
  }

  it("reads only the candidates for a rare literal and a rare regex", async () => {
    const { indexed, scanned, scope, id, reads } = await setUp(7, false);
    for (const script of ["grep -rl RARE /w", "grep -rlE 'RARE_[0-9a-f]{4}' /w"]) {
      reads.length = 0;
      // A fresh service: nothing cached, so every file the grep reads is a storage read.
      const fresh = new SandboxService({ backend: indexed.backend });
      const narrowed = await run(fresh, scope, id, script);
      expect(narrowed).toEqual(await run(scanned, scope, id, script));
      expect(new TextDecoder().decode(narrowed.stdout)).toContain("/w/a.txt");
      const files = (await run(scanned, scope, id, "find /w -type f | wc -l")).stdout;
      expect(new Set(reads).size).toBeLessThan(Number(new TextDecoder().decode(files)) / 2);
    }
  }, 60_000);
});
