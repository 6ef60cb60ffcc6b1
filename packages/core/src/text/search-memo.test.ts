/** Ranked search with term counts remembered per content hash: the same answers, fewer reads. */
import { describe, expect, it } from "vitest";
import { Journal } from "../journal.js";
import { bytes, commitInto, scratchVfs, seededRandom } from "../test-support.js";
import type { Tree } from "../tree.js";
import { Vfs } from "../vfs.js";
import type { ContentCandidates } from "./contents.js";
import { search } from "./search.js";
import { TermCountMemos } from "./term-count-memo.js";

const WORDS = [
  "Retry",
  "retries",
  "backoff",
  "BackOff",
  "parseHTTPConfig",
  "config",
  "é",
  "key",
  "status",
];
const SEPARATORS = [" ", "_", "\n", "\r\n", "-", ""];

/** A committed tree of generated files (a few binary), and a loader that records each read. */
function generated(seed: number) {
  const random = seededRandom(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const vfs = scratchVfs();
  for (let f = 0; f < 30; f++) {
    let text = "";
    for (let i = 0; i < 20; i++) text += `${pick(WORDS)}${pick(SEPARATORS)}`;
    const content = random() < 0.05 ? new Uint8Array([0, 1, 2]) : bytes(text);
    vfs.writeFile(`/d${f % 3}/${pick(WORDS).slice(0, 6)}${f}.txt`, content);
  }
  const blobs = new Map<string, Uint8Array>();
  const tree = commitInto(vfs, blobs);
  const reads: string[] = [];
  const open = (memos?: TermCountMemos) =>
    new Vfs(
      new Journal(tree),
      async (hashes) => {
        reads.push(...hashes);
        return new Map(hashes.map((h) => [h, blobs.get(h)!]));
      },
      memos ? { termCounts: memos.forTenant("t") } : {},
    );
  return { tree, reads, open, pick, random };
}

const files = (tree: Tree) => tree.usage.files;

describe("search with remembered term counts", () => {
  it("ranks as a search that counts everything afresh, query after query", async () => {
    const memos = new TermCountMemos();
    for (let seed = 1; seed <= 60; seed++) {
      const { open, pick, random } = generated(seed);
      for (let q = 0; q < 4; q++) {
        const query = `${pick(WORDS)} ${pick(WORDS)}${random() < 0.3 ? ` ${pick(WORDS)}` : ""}`;
        const limit = 1 + Math.floor(random() * 10);
        const fresh = await search(open(), { query, limit });
        const remembered = await search(open(memos), { query, limit });
        expect(remembered, `seed ${seed}: ${query}`).toEqual(fresh);
      }
    }
  });

  it("reads only the hits shown once every file's counts are known", async () => {
    const { open, reads, tree } = generated(7);
    const memos = new TermCountMemos();
    const first = await search(open(memos), { query: "retry backoff", limit: 3 });
    expect(reads.length).toBeGreaterThan(files(tree) / 2);
    reads.length = 0;
    const again = await search(open(memos), { query: "retry backoff", limit: 3 });
    expect(again).toEqual(first);
    expect(reads.length).toBeLessThanOrEqual(3);
    // A new word is counted once more, in every file, then remembered too.
    reads.length = 0;
    await search(open(memos), { query: "retry key", limit: 3 });
    expect(reads.length).toBeGreaterThan(3);
    reads.length = 0;
    await search(open(memos), { query: "key", limit: 3 });
    expect(reads.length).toBeLessThanOrEqual(3);
  });

  it("remembers the files the index ruled out, so the next search asks neither it nor storage", async () => {
    const { open, reads } = generated(11);
    const memos = new TermCountMemos();
    const asked: number[] = [];
    const index: ContentCandidates = async (list, query) => {
      asked.push(list.length);
      const re = new RegExp(query.pattern, "i");
      const texts = await open().readFiles(list.map((f) => f.path));
      return new Set(
        list.filter((_, i) => re.test(new TextDecoder().decode(texts[i]))).map((f) => f.hash),
      );
    };
    const first = await search(open(memos), { query: "status", limit: 3 }, index);
    expect(first).toEqual(await search(open(), { query: "status", limit: 3 }));
    expect(asked).toHaveLength(1);
    reads.length = 0;
    expect(await search(open(memos), { query: "status", limit: 3 }, index)).toEqual(first);
    expect(asked).toHaveLength(1);
    expect(reads.length).toBeLessThanOrEqual(3);
  });

  it("forgets the least recently used counts beyond its budget", async () => {
    const { open, reads } = generated(3);
    const memos = new TermCountMemos(1000);
    await search(open(memos), { query: "retry", limit: 1 });
    reads.length = 0;
    await search(open(memos), { query: "retry", limit: 1 });
    expect(reads.length).toBeGreaterThan(1);
  });
});
