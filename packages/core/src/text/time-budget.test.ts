/** TimeBudget: interrupted work and linear work both draw on one budget. */
import { describe, expect, it } from "vitest";
import { TimeBudget } from "./time-budget.js";

const busy = (ms: number) => {
  const until = Date.now() + ms;
  while (Date.now() < until) {}
  return ms;
};

describe("TimeBudget", () => {
  it("charges linear work and refuses more once it is spent", () => {
    const budget = new TimeBudget(30);
    expect(budget.spendLinear(() => busy(40))).toEqual({ value: 40 });
    expect(budget.exhausted).toBe(true);
    expect(budget.spendLinear(() => 1)).toBeUndefined();
    expect(budget.spend(() => 1)).toBeUndefined();
  });

  it("shares the budget between linear and interrupted work", () => {
    const budget = new TimeBudget(10_000);
    expect(budget.spendLinear(() => busy(5))).toEqual({ value: 5 });
    expect(budget.spend(() => busy(5))).toEqual({ value: 5 });
    expect(budget.exhausted).toBe(false);
  });
});
