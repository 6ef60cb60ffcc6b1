/**
 * End to end: `cairn import` and `cairn export` as processes against a real
 * `cairn serve` (embedded PGlite), round-tripping a real source tree.
 */
import {
  chmodSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, exitOf, run, stopProcess, waitForStdout } from "./test-process.js";

const here = dirname(fileURLToPath(import.meta.url));
/** A real source tree: @cairn/core's sources. */
const CORE_SRC = join(here, "..", "..", "..", "packages", "core", "src");
const KEY = "e2e-archive-key-0123456789";

/** Every entry under `root` by relative path: kind, mode, mtime (s), bytes or link target. */
function snapshot(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string, prefix: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const rel = prefix ? `${prefix}/${name}` : name;
      const st = lstatSync(path);
      const head = `${(st.mode & 0o7777).toString(8)} ${Math.floor(st.mtimeMs / 1000)}`;
      if (st.isSymbolicLink()) out.set(rel, `link ${readlinkSync(path)}`);
      else if (st.isDirectory()) {
        out.set(rel, `dir ${head}`);
        walk(path, rel);
      } else out.set(rel, `file ${head} ${readFileSync(path).toString("base64")}`);
    }
  };
  walk(root, "");
  return out;
}

describe("cairn import / export (processes)", () => {
  let server: ReturnType<typeof run>;
  let url: string;
  const work = mkdtempSync(join(tmpdir(), "cairn-archive-e2e-"));
  const env = () => ({ CAIRN_API_KEY: KEY, CAIRN_URL: url });

  const cli = async (args: string[]) => {
    const p = run(CLI, args, env());
    const code = await exitOf(p.child);
    return { code, ...p.output() };
  };
  const newSandbox = async () => {
    const res = await fetch(`${url}/v1/sandboxes`, {
      method: "POST",
      headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
      body: "{}",
    });
    return ((await res.json()) as { id: string }).id;
  };

  beforeAll(async () => {
    server = run(CLI, ["serve", "--port", "0", "--data-dir", join(work, "data")], {
      CAIRN_API_KEY: KEY,
    });
    url = (await waitForStdout(server, /listening on (http:\/\/\S+)/))[1] as string;
  }, 60_000);

  afterAll(async () => {
    await stopProcess(server.child, "SIGTERM");
    rmSync(work, { recursive: true, force: true });
  });

  it("round-trips a real source tree byte for byte, with modes and mtimes", async () => {
    const id = await newSandbox();
    const up = await cli(["import", CORE_SRC, "--sandbox", id, "--path", "/core"]);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stderr).toMatch(/\d+ files, \d+ directories.* into \/core; sandbox version 2/);
    expect(up.stderr).not.toContain("\r"); // no progress bar when stderr is not a terminal

    const out = join(work, "core-out");
    const down = await cli(["export", "--sandbox", id, "--path", "/core", "--output", `${out}/`]);
    expect(down.code, down.stderr).toBe(0);
    const want = snapshot(CORE_SRC);
    expect(want.size).toBeGreaterThan(20);
    expect(snapshot(out)).toEqual(want);
  }, 60_000);

  it("keeps symlinks, hard links, odd modes and old mtimes, gzip on the way up, a file on the way down", async () => {
    const src = join(work, "fixture");
    mkdirSync(join(src, "bin"), { recursive: true });
    writeFileSync(join(src, "bin", "run"), "#!/bin/sh\necho hi\n");
    chmodSync(join(src, "bin", "run"), 0o750);
    writeFileSync(join(src, "data.bin"), Buffer.from(Array.from({ length: 256 }, (_, i) => i)));
    utimesSync(join(src, "data.bin"), new Date(1_000_000_000_000), new Date(1_000_000_000_000));
    symlinkSync("bin/run", join(src, "run-link"));
    linkSync(join(src, "data.bin"), join(src, "data-again.bin"));
    chmodSync(join(src, "bin"), 0o700);

    const id = await newSandbox();
    const up = await cli(["import", src, "--sandbox", id, "--gzip"]);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stderr).toContain("1 symlinks, 1 hard links");

    const file = join(work, "fixture.tar.gz");
    const asFile = await cli(["export", "--sandbox", id, "--output", file]);
    expect(asFile.code, asFile.stderr).toBe(0);
    const gz = readFileSync(file);
    expect([gz[0], gz[1]]).toEqual([0x1f, 0x8b]);

    const out = join(work, "fixture-out");
    mkdirSync(out);
    const down = await cli(["export", "--sandbox", id, "--output", out]);
    expect(down.code, down.stderr).toBe(0);
    const got = snapshot(out);
    // The whole sandbox: what was imported, and the home and /tmp every new sandbox has.
    for (const [name, mode] of [
      ["home", "755"],
      ["home/user", "755"],
      ["tmp", "1777"],
    ] as const) {
      expect(got.get(name)).toMatch(new RegExp(`^dir ${mode} `));
      got.delete(name);
    }
    expect(got).toEqual(snapshot(src));
    expect(statSync(join(out, "data-again.bin")).ino).toBe(statSync(join(out, "data.bin")).ino);
  }, 60_000);

  it("without --sandbox creates one holding the directory and prints its id", async () => {
    const src = join(work, "new-from-dir");
    mkdirSync(join(src, "lib"), { recursive: true });
    writeFileSync(join(src, "lib", "a.ts"), "export const a = 1;\n");
    writeFileSync(join(src, "README"), "hello\n");
    chmodSync(join(src, "README"), 0o600);
    const up = await cli(["import", src, "--name", "from-dir", "--path", "/work", "--gzip"]);
    expect(up.code, up.stderr).toBe(0);
    const id = up.stdout.trim();
    expect(id).toMatch(/^sbx_\w+$/);
    expect(up.stderr).toContain(`created sandbox ${id}`);
    const record = await fetch(`${url}/v1/sandboxes/${id}`, {
      headers: { authorization: `Bearer ${KEY}` },
    });
    expect(await record.json()).toMatchObject({ id, name: "from-dir", version: 1 });
    const out = join(work, "new-from-dir-out");
    const down = await cli(["export", "--sandbox", id, "--path", "/work", "--output", `${out}/`]);
    expect(down.code, down.stderr).toBe(0);
    expect(snapshot(out)).toEqual(snapshot(src));
    // --name names a new sandbox only.
    expect((await cli(["import", src, "--sandbox", id, "--name", "x"])).code).toBe(2);
  }, 60_000);

  it("fails with the server's reason and a nonzero exit", async () => {
    const missing = await cli(["import", CORE_SRC, "--sandbox", "sbx_nothere"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/not found/i);
    const usage = await cli(["import", "--sandbox", "sbx_x"]);
    expect(usage.code).toBe(2);
    const notADirectory = await cli(["import", join(CORE_SRC, "index.ts")]);
    expect(notADirectory.code).not.toBe(0);
    expect(notADirectory.stderr).toContain("is not a directory");
  });
});
