/** TermCountMemos: counts merge per hash, tenants stay apart, the least recently used go first. */
import { describe, expect, it } from "vitest";
import { TermCountMemos } from "./term-count-memo.js";

const counts = (entries: Record<string, number>) => new Map(Object.entries(entries));

describe("TermCountMemos", () => {
  it("merges counts for more terms, and keeps tenants apart", () => {
    const memos = new TermCountMemos();
    const a = memos.forTenant("a");
    a.add("h1", counts({ retry: 2 }));
    a.add("h1", counts({ backoff: 0 }));
    a.add("h2", null);
    expect(a.get("h1")).toEqual(counts({ retry: 2, backoff: 0 }));
    expect(a.get("h2")).toBeNull();
    expect(memos.forTenant("b").get("h1")).toBeUndefined();
  });

  it("drops the least recently used entries when over budget", () => {
    const memos = new TermCountMemos(2000); // room for about eight entries
    const memo = memos.forTenant("t");
    for (let i = 0; i < 6; i++) memo.add(`h${i}`, counts({ word: i }));
    memo.get("h0"); // used again: now the most recent
    for (let i = 6; i < 10; i++) memo.add(`h${i}`, counts({ word: i }));
    expect(memo.get("h0")).toEqual(counts({ word: 0 }));
    expect(memo.get("h1")).toBeUndefined();
    expect(memo.get("h9")).toEqual(counts({ word: 9 }));
  });
});
