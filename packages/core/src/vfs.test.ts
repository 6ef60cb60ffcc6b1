import { describe, expect, it } from "vitest";
import { ROOT_INO } from "./backend.js";
import { Journal } from "./journal.js";
import { MAX_PATH_DEPTH } from "./paths.js";
import { bytes, commitInto, errorCode, scratchVfs, text } from "./test-support.js";
import { Vfs } from "./vfs.js";

describe("Vfs files", () => {
  it("writeFile creates missing parents and reads back", async () => {
    const vfs = scratchVfs();
    vfs.writeFile("/a/b/c.txt", bytes("hi"));
    expect(text(await vfs.readFile("/a/b/c.txt"))).toBe("hi");
    expect(vfs.stat("/a/b").kind).toBe("directory");
  });

  it("writeFile of a new name checks it as a create anywhere does", () => {
    const vfs = scratchVfs();
    const deep = (n: number) => `/${Array.from({ length: n }, () => "d").join("/")}`;
    vfs.mkdir(deep(MAX_PATH_DEPTH), { recursive: true });
    expect(errorCode(() => vfs.writeFile(`${deep(MAX_PATH_DEPTH)}/f`, bytes("x")))).toBe(
      "ENAMETOOLONG",
    );
    expect(errorCode(() => vfs.writeFile(`/d/${"n".repeat(256)}`, bytes("x")))).toBe(
      "ENAMETOOLONG",
    );
    const made = vfs.writeFile(`${deep(MAX_PATH_DEPTH - 1)}/f`, bytes("x"));
    expect([made.path, made.kind, made.nlink]).toEqual([
      `${deep(MAX_PATH_DEPTH - 1)}/f`,
      "file",
      1,
    ]);
    expect(vfs.stat(deep(MAX_PATH_DEPTH - 1)).mtimeMs).toBe(made.mtimeMs);
  });

  it("writeFile through symlinks creates the file where they lead", async () => {
    const vfs = scratchVfs();
    vfs.mkdir("/real");
    vfs.symlink("/real", "/via");
    vfs.symlink("/real/target", "/dangling");
    expect(vfs.writeFile("/via/a", bytes("1")).path).toBe("/real/a");
    expect(vfs.writeFile("/dangling", bytes("2")).path).toBe("/real/target");
    expect(vfs.writeFile("/real/../real/b", bytes("3")).path).toBe("/real/b");
    expect(vfs.readdir("/real").map((e) => e.name)).toEqual(["a", "b", "target"]);
    expect(text(await vfs.readFile("/via/target"))).toBe("2");
  });

  it("writeFile onto a directory is EISDIR and keeps its children", () => {
    const vfs = scratchVfs();
    vfs.writeFile("/d/child", bytes("x"));
    expect(errorCode(() => vfs.writeFile("/d", bytes("y")))).toBe("EISDIR");
    expect(vfs.readdir("/d").map((e) => e.name)).toEqual(["child"]);
  });

  it("writeFile under a file is ENOTDIR", () => {
    const vfs = scratchVfs();
    vfs.writeFile("/f", bytes("x"));
    expect(errorCode(() => vfs.writeFile("/f/g", bytes("y")))).toBe("ENOTDIR");
  });

  it("readdir of a missing path is ENOENT, not an empty list", () => {
    expect(errorCode(() => scratchVfs().readdir("/missing"))).toBe("ENOENT");
  });

  it("readdir of a file is ENOTDIR", () => {
    const vfs = scratchVfs();
    vfs.writeFile("/f", bytes(""));
    expect(errorCode(() => vfs.readdir("/f"))).toBe("ENOTDIR");
  });

  it("appendFile appends to committed content", async () => {
    const blobs = new Map<string, Uint8Array>();
    const first = scratchVfs();
    first.writeFile("/log", bytes("a\n"));
    const next = scratchVfs(commitInto(first, blobs), blobs);
    await next.appendFile("/log", bytes("b\n"));
    expect(text(await next.readFile("/log"))).toBe("a\nb\n");
  });

  it("binary content keeps every byte", async () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const vfs = scratchVfs();
    vfs.writeFile("/bin", all);
    expect(await vfs.readFile("/bin")).toEqual(all);
  });
});

describe("Vfs directories", () => {
  it("mkdir of an existing path is EEXIST; -p accepts an existing directory", () => {
    const vfs = scratchVfs();
    vfs.mkdir("/d");
    expect(errorCode(() => vfs.mkdir("/d"))).toBe("EEXIST");
    expect(errorCode(() => vfs.mkdir("/d", { recursive: true }))).toBe("no error");
  });

  it("mkdir without parents needs the parent", () => {
    expect(errorCode(() => scratchVfs().mkdir("/a/b"))).toBe("ENOENT");
  });

  it("mkdir -p through a file is ENOTDIR", () => {
    const vfs = scratchVfs();
    vfs.writeFile("/f", bytes(""));
    expect(errorCode(() => vfs.mkdir("/f/g", { recursive: true }))).toBe("ENOTDIR");
  });

  it("rm of a non-empty directory needs recursive", () => {
    const vfs = scratchVfs();
    vfs.writeFile("/d/f", bytes(""));
    expect(errorCode(() => vfs.rm("/d"))).toBe("ENOTEMPTY");
    vfs.rm("/d", { recursive: true });
    expect(vfs.exists("/d")).toBe(false);
  });

  it("rm of the root is EINVAL", () => {
    expect(errorCode(() => scratchVfs().rm("/", { recursive: true }))).toBe("EINVAL");
  });

  it("rm -r deletes every inode of the subtree in the change set", () => {
    const blobs = new Map<string, Uint8Array>();
    const setup = scratchVfs();
    for (let i = 0; i < 10; i++) setup.writeFile(`/d/sub/f${i}`, bytes(String(i)));
    const vfs = scratchVfs(commitInto(setup, blobs), blobs);
    vfs.rm("/d", { recursive: true });
    const changes = vfs.journal.toChangeSet();
    expect(changes.deleteInodes).toHaveLength(12);
    expect(changes.deleteDentries).toHaveLength(12);
  });
});

describe("Vfs rename", () => {
  it("moving a directory into its own subtree is EINVAL", () => {
    const vfs = scratchVfs();
    vfs.mkdir("/a/b", { recursive: true });
    expect(errorCode(() => vfs.rename("/a", "/a/b/c"))).toBe("EINVAL");
    expect(errorCode(() => vfs.rename("/a", "/a/x"))).toBe("EINVAL");
  });

  it("renaming a directory with 500 files changes one entry, not 500", () => {
    const blobs = new Map<string, Uint8Array>();
    const setup = scratchVfs();
    for (let i = 0; i < 500; i++) setup.writeFile(`/big/f${i}`, bytes(String(i)));
    const vfs = scratchVfs(commitInto(setup, blobs), blobs);
    vfs.rename("/big", "/moved");
    const changes = vfs.journal.toChangeSet();
    expect(changes.upsertDentries).toEqual([
      { parent: ROOT_INO, name: "moved", ino: expect.any(Number) },
    ]);
    expect(changes.deleteDentries).toEqual([{ parent: ROOT_INO, name: "big" }]);
    expect(vfs.readdir("/moved")).toHaveLength(500);
  });

  it("an existing destination is EEXIST unless overwrite", () => {
    const vfs = scratchVfs();
    vfs.writeFile("/a", bytes("a"));
    vfs.writeFile("/b", bytes("b"));
    expect(errorCode(() => vfs.rename("/a", "/b"))).toBe("EEXIST");
    vfs.rename("/a", "/b", { overwrite: true });
    expect(vfs.exists("/a")).toBe(false);
  });

  it("overwrite follows POSIX: dir onto file ENOTDIR, file onto dir EISDIR, onto non-empty ENOTEMPTY", () => {
    const vfs = scratchVfs();
    vfs.writeFile("/file", bytes(""));
    vfs.mkdir("/dir");
    vfs.writeFile("/full/x", bytes(""));
    expect(errorCode(() => vfs.rename("/dir", "/file", { overwrite: true }))).toBe("ENOTDIR");
    expect(errorCode(() => vfs.rename("/file", "/dir", { overwrite: true }))).toBe("EISDIR");
    expect(errorCode(() => vfs.rename("/dir", "/full", { overwrite: true }))).toBe("ENOTEMPTY");
  });
});

describe("Vfs links and copies", () => {
  it("a hard link shares the inode: no bytes copied, writes seen through both names", async () => {
    const vfs = scratchVfs();
    vfs.writeFile("/a", bytes("one"));
    vfs.link("/a", "/b");
    expect(vfs.stat("/b").ino).toBe(vfs.stat("/a").ino);
    expect(vfs.stat("/a").nlink).toBe(2);
    vfs.writeFile("/b", bytes("two"));
    expect(text(await vfs.readFile("/a"))).toBe("two");
    vfs.rm("/a");
    expect(text(await vfs.readFile("/b"))).toBe("two");
  });

  it("copy shares content by hash and the copy is independent", async () => {
    const blobs = new Map<string, Uint8Array>();
    const setup = scratchVfs();
    setup.writeFile("/src/a.txt", bytes("same"));
    const vfs = scratchVfs(commitInto(setup, blobs), blobs);
    vfs.copy("/src", "/dst", { recursive: true });
    expect(vfs.journal.toChangeSet().blobs).toEqual([]);
    vfs.writeFile("/dst/a.txt", bytes("changed"));
    expect(text(await vfs.readFile("/src/a.txt"))).toBe("same");
  });

  it("copying a directory into itself is EINVAL", () => {
    const vfs = scratchVfs();
    vfs.mkdir("/a");
    expect(errorCode(() => vfs.copy("/a", "/a/b", { recursive: true }))).toBe("EINVAL");
  });

  it("symlinks resolve relative to their directory, and loops are ELOOP", async () => {
    const vfs = scratchVfs();
    vfs.writeFile("/d/target", bytes("t"));
    vfs.symlink("target", "/d/link");
    expect(text(await vfs.readFile("/d/link"))).toBe("t");
    expect(vfs.stat("/d/link", false).kind).toBe("symlink");
    expect(vfs.realpath("/d/link")).toBe("/d/target");
    vfs.symlink("/loop2", "/loop1");
    vfs.symlink("/loop1", "/loop2");
    expect(errorCode(() => vfs.stat("/loop1"))).toBe("ELOOP");
  });
});

describe("Tree.apply", () => {
  it("gives the same tree as a reload of the committed rows", () => {
    const blobs = new Map<string, Uint8Array>();
    const vfs = scratchVfs();
    vfs.writeFile("/a/b", bytes("x"));
    vfs.symlink("/a/b", "/l");
    const applied = commitInto(vfs, blobs);
    const again = scratchVfs(applied, blobs);
    expect(again.readdir("/").map((e) => e.name)).toEqual(["a", "l"]);
    expect(again.stat("/l").path).toBe("/a/b");
  });
});

describe("readFiles", () => {
  it("gives what readFile gives for each path, storage asked once without siblings", async () => {
    const base = scratchVfs();
    base.writeFile("/d/a", bytes("stored a"));
    base.writeFile("/d/b", bytes("stored b"));
    base.writeFile("/d/sibling", bytes("never asked for"));
    base.writeFile("/empty", bytes(""));
    const blobs = new Map<string, Uint8Array>();
    const tree = commitInto(base, blobs);
    const loads: string[][] = [];
    const vfs = new Vfs(new Journal(tree), async (hashes, prefetch) => {
      loads.push([...hashes, ...(prefetch?.().map((c) => c.hash) ?? [])]);
      return new Map(hashes.map((h) => [h, blobs.get(h)!]));
    });
    vfs.writeFile("/new", bytes("pending"));
    const paths = ["/d/a", "/new", "/empty", "/d/b", "/d/a"];
    expect((await vfs.readFiles(paths)).map(text)).toEqual([
      "stored a",
      "pending",
      "",
      "stored b",
      "stored a",
    ]);
    expect(loads).toEqual([[vfs.stat("/d/a").blob, vfs.stat("/d/b").blob]]);
    await expect(vfs.readFiles(["/d/a", "/d"])).rejects.toMatchObject({ code: "EISDIR" });
    const denied = new Vfs(new Journal(tree), async () => new Map(), { deny: (p) => p === "/d/b" });
    await expect(denied.readFiles(["/d/b"])).rejects.toMatchObject({ code: "EACCES" });
    const redacted = new Vfs(
      new Journal(tree),
      async (h) => new Map(h.map((x) => [x, blobs.get(x)!])),
      {
        redact: () => bytes("[redacted]"),
      },
    );
    expect((await redacted.readFiles(["/d/a"])).map(text)).toEqual(["[redacted]"]);
  });
});
