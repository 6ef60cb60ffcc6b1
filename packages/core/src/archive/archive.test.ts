import { describe, expect, it } from "vitest";
import { bytes, errorCode, scratchVfs, text } from "../test-support.js";
import type { Vfs } from "../vfs.js";
import { applyArchive } from "./apply.js";
import type { ArchiveLimits } from "./archive-error.js";
import { exportEntries } from "./export.js";
import { type ArchiveHeader, ArchiveStager } from "./stage.js";

type Spec = Partial<ArchiveHeader> & { name: string; content?: string };

/** Stages headers the way a reader would, then applies them. */
function stage(specs: Spec[], limits: Partial<ArchiveLimits> = {}): ArchiveStager {
  const stager = new ArchiveStager(limits);
  for (const s of specs) {
    const content = s.content === undefined ? undefined : bytes(s.content);
    const entry = stager.header({
      kind: "file",
      mode: 0o644,
      mtimeMs: 1_000_000,
      size: content?.length ?? 0,
      ...s,
    });
    stager.add(entry, content);
  }
  return stager;
}

function importInto(vfs: Vfs, dest: string, specs: Spec[]) {
  return applyArchive(vfs, dest, stage(specs).entries);
}

describe("ArchiveStager", () => {
  it.each([
    ["absolute name", { name: "/etc/passwd", content: "x" }, "archive_unsafe_entry"],
    ["dot-dot name", { name: "a/../../evil", content: "x" }, "archive_unsafe_entry"],
    ["leading dot-dot", { name: "../evil", content: "x" }, "archive_unsafe_entry"],
    [
      "absolute symlink",
      { name: "etc", kind: "symlink", linkName: "/etc" },
      "archive_unsafe_entry",
    ],
    [
      "symlink climbing out",
      { name: "a/up", kind: "symlink", linkName: "../../x" },
      "archive_unsafe_entry",
    ],
    [
      "hard link to a path not in the archive",
      { name: "h", kind: "hardlink", linkName: "etc/passwd" },
      "archive_unsafe_entry",
    ],
    [
      "hard link outside",
      { name: "h", kind: "hardlink", linkName: "../x" },
      "archive_unsafe_entry",
    ],
    ["fifo", { name: "p", kind: "other", typeName: "fifo" }, "archive_unsupported_entry"],
    ["file named '.'", { name: "./", kind: "file" }, "archive_unsafe_entry"],
  ] as const)("refuses %s", (_, spec, code) => {
    expect(errorCode(() => stage([spec as Spec]))).toBe(code);
  });

  it("accepts relative symlinks that stay inside, and ./ prefixes", () => {
    const s = stage([
      { name: "./a/b/c", kind: "symlink", linkName: "../d" },
      { name: "./a/x", kind: "symlink", linkName: "./b/../../y" },
    ]);
    expect(s.entries.map((e) => e.names)).toEqual([
      ["a", "b", "c"],
      ["a", "x"],
    ]);
  });

  it("refuses a header over the file limit before its bytes are read", () => {
    const stager = new ArchiveStager({ maxArchiveEntryBytes: 10 });
    expect(
      errorCode(() =>
        stager.header({ name: "big", kind: "file", size: 2 ** 30, mode: 0o644, mtimeMs: 0 }),
      ),
    ).toBe("archive_entry_too_large");
  });

  it("refuses past the unpacked total and the entry count", () => {
    expect(
      errorCode(() =>
        stage(
          [
            { name: "a", content: "12345" },
            { name: "b", content: "123456" },
          ],
          { maxArchiveUnpackedBytes: 10 },
        ),
      ),
    ).toBe("archive_too_large");
    expect(
      errorCode(() =>
        stage([{ name: "a" }, { name: "b" }, { name: "c" }], { maxArchiveEntries: 2 }),
      ),
    ).toBe("archive_too_many_entries");
  });
});

describe("applyArchive", () => {
  it("writes files, directories, symlinks and hard links with modes and mtimes", async () => {
    const vfs = scratchVfs();
    const stats = importInto(vfs, "/dest", [
      { name: "bin/", kind: "directory", mode: 0o700, mtimeMs: 5000 },
      { name: "bin/run", content: "#!/bin/sh\n", mode: 0o755, mtimeMs: 7000 },
      { name: "link", kind: "symlink", linkName: "bin/run", mtimeMs: 9000 },
      { name: "again", kind: "hardlink", linkName: "bin/run" },
    ]);
    expect(stats).toEqual({
      path: "/dest",
      files: 1,
      directories: 1,
      symlinks: 1,
      hardLinks: 1,
      bytes: 10,
    });
    const run = vfs.stat("/dest/bin/run");
    expect([run.mode, run.mtimeMs, run.nlink]).toEqual([0o755, 7000, 2]);
    expect(vfs.stat("/dest/bin")).toMatchObject({ mode: 0o700, mtimeMs: 5000 });
    expect(vfs.stat("/dest/link", false)).toMatchObject({ kind: "symlink", mtimeMs: 9000 });
    expect(vfs.readlink("/dest/link")).toBe("bin/run");
    expect(vfs.stat("/dest/again").ino).toBe(run.ino);
    expect(text(await vfs.readFile("/dest/link"))).toBe("#!/bin/sh\n");
  });

  it("replaces existing files and keeps everything else", async () => {
    const vfs = scratchVfs();
    vfs.writeFile("/keep", bytes("k"));
    vfs.writeFile("/a", bytes("old"));
    importInto(vfs, "/", [{ name: "a", content: "new" }]);
    expect(text(await vfs.readFile("/a"))).toBe("new");
    expect(text(await vfs.readFile("/keep"))).toBe("k");
  });

  it("never writes through an existing symlink at the entry's name", async () => {
    const vfs = scratchVfs();
    vfs.writeFile("/outside", bytes("secret"));
    vfs.mkdir("/dest");
    vfs.symlink("/outside", "/dest/f");
    importInto(vfs, "/dest", [{ name: "f", content: "mine" }]);
    expect(text(await vfs.readFile("/outside"))).toBe("secret");
    expect(vfs.stat("/dest/f", false).kind).toBe("file");
  });

  it("refuses an entry under a symlink (already in the sandbox or from the archive)", () => {
    const vfs = scratchVfs();
    vfs.mkdir("/dest");
    vfs.symlink("/etc", "/dest/etc");
    expect(errorCode(() => importInto(vfs, "/dest", [{ name: "etc/passwd", content: "x" }]))).toBe(
      "archive_unsafe_entry",
    );
    expect(
      errorCode(() =>
        importInto(scratchVfs(), "/dest", [
          { name: "here", kind: "symlink", linkName: "." },
          { name: "here/x", content: "x" },
        ]),
      ),
    ).toBe("archive_unsafe_entry");
  });

  it("refuses a symlink that escapes through another symlink", () => {
    // Each target stays inside by name, but `f` is `..` once `d/f` is followed.
    expect(
      errorCode(() =>
        importInto(scratchVfs(), "/dest", [
          { name: "d/", kind: "directory" },
          { name: "d/f", kind: "symlink", linkName: ".." },
          { name: "d/e", kind: "symlink", linkName: "f/../.." },
        ]),
      ),
    ).toBe("archive_unsafe_entry");
    // A link through a symlink the sandbox already had, which points outside.
    const vfs = scratchVfs();
    vfs.mkdir("/dest");
    vfs.symlink("/", "/dest/root");
    expect(
      errorCode(() => importInto(vfs, "/dest", [{ name: "x", kind: "symlink", linkName: "root" }])),
    ).toBe("archive_unsafe_entry");
  });

  it("allows dangling symlinks and loops that stay inside", () => {
    const vfs = scratchVfs();
    importInto(vfs, "/d", [
      { name: "dangling", kind: "symlink", linkName: "not/yet/there" },
      { name: "a", kind: "symlink", linkName: "b" },
      { name: "b", kind: "symlink", linkName: "a" },
    ]);
    expect(vfs.readlink("/d/dangling")).toBe("not/yet/there");
  });

  it("a file onto a directory is EISDIR; a file in the way of a parent is ENOTDIR", () => {
    const vfs = scratchVfs();
    vfs.mkdir("/d/sub", { recursive: true });
    expect(errorCode(() => importInto(vfs, "/d", [{ name: "sub", content: "x" }]))).toBe("EISDIR");
    vfs.writeFile("/d/file", bytes("x"));
    expect(errorCode(() => importInto(vfs, "/d", [{ name: "file/x", content: "x" }]))).toBe(
      "ENOTDIR",
    );
  });

  it("the archive's './' entry sets the destination's mode and mtime", () => {
    const vfs = scratchVfs();
    importInto(vfs, "/d", [
      { name: "./", kind: "directory", mode: 0o750, mtimeMs: 1234 },
      { name: "./f", content: "x" },
    ]);
    expect(vfs.stat("/d")).toMatchObject({ mode: 0o750, mtimeMs: 1234 });
  });
});

describe("exportEntries", () => {
  it("lists each directory in name order before its subdirectories, with hard links and without following symlinks", () => {
    const vfs = scratchVfs();
    importInto(vfs, "/p", [
      { name: "b/z", content: "z" },
      { name: "a", content: "a" },
      { name: "b/y/x", content: "x" },
      { name: "c", kind: "hardlink", linkName: "a" },
      { name: "s", kind: "symlink", linkName: "b" },
    ]);
    const entries = [...exportEntries(vfs, "/p")].map((e) =>
      e.kind === "hardlink" ? `${e.name}=>${e.linkTo}` : `${e.kind}:${e.name}`,
    );
    expect(entries).toEqual([
      "directory:",
      "file:a",
      "directory:b",
      "c=>a",
      "symlink:s",
      "directory:b/y",
      "file:b/z",
      "file:b/y/x",
    ]);
    expect([...exportEntries(vfs, "/p/s")].map((e) => [e.kind, e.name])).toEqual([
      ["symlink", "s"],
    ]);
    expect(errorCode(() => [...exportEntries(vfs, "/missing")])).toBe("ENOENT");
  });
});
