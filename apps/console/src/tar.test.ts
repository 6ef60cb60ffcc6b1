import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tarOf } from "./tar.js";

describe("tarOf", () => {
  it("writes a tar that GNU tar reads back byte for byte, long and non-ASCII names included", async () => {
    const long = `dir/${"deep/".repeat(25)}file-with-a-long-name.txt`;
    const files = [
      { path: "dir/a.txt", bytes: new TextEncoder().encode("hello\n") },
      { path: "dir/é ü.bin", bytes: new Uint8Array([0, 255, 1, 254]) },
      { path: long, bytes: new Uint8Array(1500).fill(65) },
    ];
    expect(new TextEncoder().encode(long).length).toBeGreaterThan(100);
    const blob = tarOf(
      files.map(({ path, bytes }) => ({
        path,
        file: new File([bytes], path.split("/").pop() ?? ""),
      })),
    );
    const dir = mkdtempSync(join(tmpdir(), "console-tar-test-"));
    writeFileSync(join(dir, "out.tar"), new Uint8Array(await blob.arrayBuffer()));
    const listed = execFileSync("tar", ["-tf", join(dir, "out.tar")], { encoding: "utf8" })
      .trim()
      .split("\n");
    expect(listed).toEqual(files.map((f) => f.path));
    execFileSync("tar", ["-xf", join(dir, "out.tar"), "-C", dir]);
    for (const { path, bytes } of files) {
      expect(new Uint8Array(readFileSync(join(dir, path)))).toEqual(bytes);
    }
  });
});
