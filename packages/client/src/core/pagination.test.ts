import { describe, expect, it, vi } from "vitest";
import { Page, PagePromise } from "./pagination.js";

/** Pages of numbers: [1, 2], [3, 4], [5]; cursors are the next page's index. */
const PAGES = [[1, 2], [3, 4], [5]];

function loader() {
  const load = vi.fn(async (cursor: string | undefined): Promise<Page<number>> => {
    const index = Number(cursor ?? 0);
    const next = index + 1 < PAGES.length ? String(index + 1) : null;
    return new Page(PAGES[index] ?? [], next, load);
  });
  return load;
}

describe("PagePromise", () => {
  it("resolves to the first page", async () => {
    const load = loader();
    const page = await new PagePromise(() => load(undefined));
    expect(page.items).toEqual([1, 2]);
    expect(page.nextCursor).toBe("1");
    expect(page.hasNextPage()).toBe(true);
  });

  it("iterates every item across pages with for await", async () => {
    const load = loader();
    const seen: number[] = [];
    for await (const n of new PagePromise<number>(() => load(undefined))) seen.push(n);
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    expect(load).toHaveBeenCalledTimes(3);
  });

  it("fetches nothing until used, and only once", async () => {
    const load = loader();
    const pending = new PagePromise(() => load(undefined));
    expect(load).not.toHaveBeenCalled();
    await pending;
    await pending;
    expect(load).toHaveBeenCalledTimes(1);
  });

  it("passes failures to catch", async () => {
    const pending = new PagePromise<number>(() => Promise.reject(new Error("boom")));
    await expect(pending.catch((e: unknown) => (e as Error).message)).resolves.toBe("boom");
  });

  it("stops fetching when the loop breaks", async () => {
    const load = loader();
    for await (const n of new PagePromise<number>(() => load(undefined))) if (n === 2) break;
    expect(load).toHaveBeenCalledTimes(1);
  });
});

describe("Page", () => {
  it("getNextPage walks to the last page, then gives null", async () => {
    const load = loader();
    const first = await load(undefined);
    const second = await first.getNextPage();
    const third = await second?.getNextPage();
    expect(third?.items).toEqual([5]);
    expect(third?.hasNextPage()).toBe(false);
    expect(await third?.getNextPage()).toBeNull();
  });

  it("iterates from itself onward", async () => {
    const load = loader();
    const second = await load("1");
    const seen: number[] = [];
    for await (const n of second) seen.push(n);
    expect(seen).toEqual([3, 4, 5]);
  });
});
