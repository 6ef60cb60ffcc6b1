import { describe, expect, it } from "vitest";
import { ROOT_INO } from "./backend.js";
import { bytes, commitInto, scratchVfs } from "./test-support.js";
import { Tree } from "./tree.js";
import { unpackTree } from "./tree-wire.js";

/** Every inode and every entry of a tree, in a comparable order. */
function rows(tree: Tree) {
  const inodes = [...tree.inodeNumbers()].sort((a, b) => a - b).map((ino) => tree.inode(ino));
  const entries = [...tree.directories()]
    .sort((a, b) => a - b)
    .map((dir) => [dir, [...tree.children(dir)].sort()]);
  const links = [...tree.inodeNumbers()].map((ino) => [ino, tree.nlink(ino)]);
  return { version: tree.version, maxIno: tree.maxIno, usage: tree.usage, inodes, entries, links };
}

describe("packed trees", () => {
  it("unpack to the same tree: kinds, modes, times, blobs, targets, metadata, hard links", () => {
    const vfs = scratchVfs();
    vfs.writeFile("/a, b/c.txt", bytes("hello"), { mode: 0o600 });
    vfs.writeFile("/a, b/ünïcödé \t name", bytes("x"));
    vfs.mkdir("/empty/dir", { recursive: true });
    vfs.symlink("../a, b/c.txt", "/empty/link");
    vfs.link("/a, b/c.txt", "/hard");
    vfs.setMeta("/hard", { tags: ["t1", "t2"], summary: "a note" });
    vfs.utimes("/a, b/c.txt", 1_700_000_000_123);
    vfs.writeFile("/zero", new Uint8Array(0));
    const tree = commitInto(vfs, new Map());

    const copy = Tree.fromData(unpackTree(structuredClone(tree.pack())));

    expect(rows(copy)).toEqual(rows(tree));
    expect(copy.inode(copy.children(ROOT_INO).get("hard")!)?.meta).toEqual({
      tags: ["t1", "t2"],
      summary: "a note",
    });
  });

  it("unpack an empty tree (the root alone)", () => {
    const tree = commitInto(scratchVfs(), new Map());
    expect(rows(Tree.fromData(unpackTree(tree.pack())))).toEqual(rows(tree));
  });
});
