/** The file list kept with a stored tree gives exactly what a walk finds, in the same order. */
import { describe, expect, it } from "vitest";
import { Journal } from "../journal.js";
import { bytes, commitInto, scratchVfs, seededRandom } from "../test-support.js";
import { Vfs } from "../vfs.js";
import { GlobMatcher } from "./glob.js";
import { searchableFiles } from "./walk.js";

/** Names that sort differently by code unit and code point, and around "/" ("." and "0"). */
const NAMES = ["a", "a.b", "a0", "a-", "B", "é", "\u{1F600}", "\uFFFD", "z", "dir", "x.ts"];
const GLOBS = ["*.ts", "**/*.ts", "a/**", "dir/*", "/a/**/z", "{a,z}/**/*"];

/** A random tree with directories, files (some empty, some hard links) and symlinks. */
function randomTree(seed: number): { stored: Vfs; walked: Vfs; dirs: string[] } {
  const random = seededRandom(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const vfs = scratchVfs();
  const dirs = ["/"];
  const files: string[] = [];
  for (let i = 0; i < 60; i++) {
    const parent = pick(dirs);
    const path = `${parent === "/" ? "" : parent}/${pick(NAMES)}`;
    if (vfs.exists(path, false)) continue;
    const roll = random();
    if (roll < 0.3 && dirs.length < 12) {
      vfs.mkdir(path);
      dirs.push(path);
    } else if (roll < 0.4 && files.length > 0) {
      vfs.link(pick(files), path);
    } else if (roll < 0.5) {
      vfs.symlink(pick(dirs), path);
    } else {
      vfs.writeFile(path, bytes(random() < 0.2 ? "" : `content ${i % 7}\n`));
      files.push(path);
    }
  }
  const blobs = new Map<string, Uint8Array>();
  const tree = commitInto(vfs, blobs);
  const stored = scratchVfs(tree, blobs);
  // A policy that denies nothing makes searchableFiles walk, as it must for any policy.
  const walked = new Vfs(new Journal(tree), async () => new Map(), { deny: () => false });
  return { stored, walked, dirs };
}

describe("searchableFiles from the stored tree's file list", () => {
  it("finds what a walk finds, in walk order, for every directory and glob", () => {
    for (let seed = 1; seed <= 40; seed++) {
      const { stored, walked, dirs } = randomTree(seed);
      for (const root of dirs) {
        for (const glob of [undefined, ...GLOBS]) {
          const filter = glob === undefined ? undefined : GlobMatcher.compile(glob);
          const want = searchableFiles(walked, root, filter);
          const got = searchableFiles(stored, root, filter);
          expect(got, `seed ${seed}, root ${root}, glob ${glob}`).toEqual(want);
        }
      }
    }
  });

  it("walks when the Vfs has written anything, and spells paths through a symlink as given", () => {
    const vfs = scratchVfs();
    vfs.writeFile("/d/f", bytes("x"));
    vfs.symlink("/d", "/link");
    const blobs = new Map<string, Uint8Array>();
    const stored = scratchVfs(commitInto(vfs, blobs), blobs);
    expect(searchableFiles(stored, "/link", undefined).map((f) => f.path)).toEqual(["/link/f"]);
    stored.writeFile("/d/g", bytes("y"));
    expect(searchableFiles(stored, "/d", undefined).map((f) => f.path)).toEqual(["/d/f", "/d/g"]);
  });
});
