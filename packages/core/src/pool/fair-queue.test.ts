import { describe, expect, it } from "vitest";
import { FairQueue } from "./fair-queue.js";

describe("FairQueue", () => {
  it("serves tenants round robin, each in its own order", () => {
    const queue = new FairQueue<string>();
    for (const item of ["a1", "a2", "a3"]) queue.push("a", item);
    queue.push("b", "b1");
    queue.push("c", "c1");
    queue.push("b", "b2");
    const order: string[] = [];
    for (let item = queue.take(() => true); item; item = queue.take(() => true)) order.push(item);
    expect(order).toEqual(["a1", "b1", "c1", "a2", "b2", "a3"]);
    expect(queue.size).toBe(0);
  });

  it("skips a tenant its predicate refuses, and puts a re-run first in its line", () => {
    const queue = new FairQueue<string>();
    queue.push("a", "a1");
    queue.push("b", "b1");
    expect(queue.take((tenant) => tenant !== "a")).toBe("b1");
    queue.push("a", "a0", true);
    expect(queue.take(() => true)).toBe("a0");
    expect(queue.remove("a", "a1")).toBe(true);
    expect(queue.remove("a", "a1")).toBe(false);
    expect(queue.size).toBe(0);
  });
});
