import { describe, expect, it } from "vitest";
import { DEFAULT_WRITE_LIMITS } from "./bash-fs.js";
import { FsError } from "./errors.js";
import { runStep } from "./exec/run.js";
import { MAX_PATH_DEPTH, normalizePath } from "./paths.js";
import { checkQuota } from "./quota.js";
import { bytes, commitInto, scratchVfs } from "./test-support.js";
import type { Vfs } from "./vfs.js";

const quota = { maxBytes: 100, maxFiles: 5 };

/** The Vfs's changes committed, and a fresh Vfs over the result. */
function committed(vfs: Vfs): Vfs {
  const blobs = new Map<string, Uint8Array>();
  return scratchVfs(commitInto(vfs, blobs), blobs);
}

describe("usage", () => {
  it("counts content bytes once per inode and every entry but the root", () => {
    const vfs = scratchVfs();
    vfs.mkdir("/d");
    vfs.writeFile("/d/a", bytes("12345"));
    vfs.link("/d/a", "/b"); // a second name: no new bytes, no new inode
    vfs.symlink("/d/a", "/s");
    expect(vfs.journal.usage).toEqual({ bytes: 5, files: 3 });
    const after = committed(vfs);
    expect(after.journal.base.usage).toEqual({ bytes: 5, files: 3 });
    after.writeFile("/d/a", bytes("1"));
    after.rm("/s");
    expect(after.journal.usage).toEqual({ bytes: 1, files: 2 });
    after.rm("/d", { recursive: true });
    after.rm("/b");
    expect(after.journal.usage).toEqual({ bytes: 0, files: 0 });
  });

  it("follows the tree through commits (Tree.apply)", () => {
    const first = scratchVfs();
    first.writeFile("/a", bytes("x".repeat(10)));
    const second = committed(first);
    second.writeFile("/b", bytes("y".repeat(20)));
    second.rm("/a");
    expect(committed(second).journal.base.usage).toEqual({ bytes: 20, files: 1 });
  });
});

describe("checkQuota", () => {
  it("passes at the quota and throws EDQUOT one byte or one file over", () => {
    const vfs = scratchVfs();
    vfs.writeFile("/a", new Uint8Array(100));
    expect(() => checkQuota(vfs.journal, quota)).not.toThrow();
    vfs.writeFile("/b", new Uint8Array(1));
    expect(() => checkQuota(vfs.journal, quota)).toThrow(
      expect.objectContaining({ code: "EDQUOT" }),
    );
    const many = scratchVfs();
    for (let i = 0; i < 6; i++) many.writeFile(`/f${i}`, new Uint8Array(0));
    expect(() => checkQuota(many.journal, quota)).toThrow(FsError);
  });

  it("lets a change through that only shrinks a sandbox already over", () => {
    const big = scratchVfs();
    big.writeFile("/a", new Uint8Array(300));
    big.writeFile("/b", new Uint8Array(300));
    const over = committed(big);
    over.rm("/a");
    expect(() => checkQuota(over.journal, quota)).not.toThrow();
    over.writeFile("/c", new Uint8Array(1));
    expect(() => checkQuota(over.journal, quota)).not.toThrow(); // still smaller than before
    over.writeFile("/d", new Uint8Array(400));
    expect(() => checkQuota(over.journal, quota)).toThrow(FsError);
  });

  it("does nothing without a quota", () => {
    const vfs = scratchVfs();
    vfs.writeFile("/a", new Uint8Array(1000));
    expect(() => checkQuota(vfs.journal, undefined)).not.toThrow();
  });
});

describe("quota in a script", () => {
  const run = (vfs: Vfs, script: string) =>
    runStep(
      vfs,
      { script, cwd: "/", env: {} },
      {
        runtimes: [],
        readOnly: false,
        limits: DEFAULT_WRITE_LIMITS,
        quota,
        maxOutputBytes: 1 << 20,
        timeoutMs: 10_000,
        signal: new AbortController().signal,
        reportShellState: false,
      },
    );

  it("fails the write that goes over with EDQUOT, and every later write", async () => {
    const vfs = scratchVfs();
    const outcome = await run(
      vfs,
      "printf '%080d' 0 > /a; printf '%040d' 0 > /b; echo $?; echo x > /c; echo $?",
    );
    expect(new TextDecoder().decode(outcome.stderr)).toMatch(/quota exceeded|EDQUOT/);
    expect(new TextDecoder().decode(outcome.stdout)).toBe("1\n1\n");
    expect(outcome.limitHit).toBe("quota");
  });

  it("is not hit by writes that stay within it", async () => {
    const outcome = await run(scratchVfs(), "echo hi > /a; rm /a; echo hello > /b");
    expect(outcome.limitHit).toBeNull();
  });
});

describe("path depth", () => {
  const deep = (n: number) => `/${Array.from({ length: n }, () => "d").join("/")}`;

  it("accepts 256 levels and refuses 257 with ENAMETOOLONG, in the API and the Vfs", () => {
    expect(normalizePath(deep(MAX_PATH_DEPTH))).toBe(deep(MAX_PATH_DEPTH));
    expect(() => normalizePath(deep(MAX_PATH_DEPTH + 1))).toThrow(
      expect.objectContaining({ code: "ENAMETOOLONG" }),
    );
    const vfs = scratchVfs();
    vfs.mkdir(deep(MAX_PATH_DEPTH - 1), { recursive: true });
    vfs.writeFile(`${deep(MAX_PATH_DEPTH - 1)}/f`, bytes("x"));
    expect(() => vfs.writeFile(`${deep(MAX_PATH_DEPTH)}/f`, bytes("x"))).toThrow(
      expect.objectContaining({ code: "ENAMETOOLONG" }),
    );
  });
});
