import { describe, expect, it } from "vitest";
import { formatMs, median, percentile, summarize } from "./stats.js";

describe("percentile (nearest rank)", () => {
  const oneToHundred = Array.from({ length: 100 }, (_, i) => i + 1);

  it("gives p50 and p99 of 1..100 as 50 and 99", () => {
    expect(percentile(oneToHundred, 50)).toBe(50);
    expect(percentile(oneToHundred, 99)).toBe(99);
    expect(percentile(oneToHundred, 100)).toBe(100);
  });

  it("always returns a real sample", () => {
    expect(percentile([7], 50)).toBe(7);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([1, 2, 3], 50)).toBe(2);
    // With fewer than 100 samples, p99 is the largest.
    expect(percentile([1, 2, 3, 10], 99)).toBe(10);
  });

  it("rejects no samples and out-of-range percentiles", () => {
    expect(() => percentile([], 50)).toThrow(RangeError);
    expect(() => percentile([1], 0)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });
});

describe("summarize and median", () => {
  it("does not depend on sample order", () => {
    const s = summarize([5, 1, 4, 2, 3]);
    expect(s).toEqual({ n: 5, min: 1, p50: 3, p99: 5, max: 5, mean: 3 });
    expect(median([9, 1, 5])).toBe(5);
  });

  it("leaves the input untouched", () => {
    const samples = [3, 1, 2];
    summarize(samples);
    expect(samples).toEqual([3, 1, 2]);
  });
});

describe("formatMs", () => {
  it("picks a unit and precision", () => {
    expect(formatMs(0.421)).toBe("0.42 ms");
    expect(formatMs(12.34)).toBe("12.3 ms");
    expect(formatMs(345.6)).toBe("346 ms");
    expect(formatMs(1530)).toBe("1.53 s");
  });
});
