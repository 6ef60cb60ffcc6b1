import { describe, expect, it } from "vitest";
import { gcOptions } from "./maintenance-commands.js";

describe("cairn gc options", () => {
  it("defaults to a one-hour grace and 30 days or 10,000 commits of log", () => {
    expect(gcOptions({})).toEqual({
      graceSeconds: 3600,
      commitRetention: { maxAgeMs: 30 * 86_400_000, maxCommits: 10_000 },
    });
  });

  it("takes the retention from flags, and refuses what is not a positive whole number", () => {
    expect(
      gcOptions({ "grace-seconds": "0", "commit-max-age-days": "7", "commit-max-count": "500" }),
    ).toEqual({ graceSeconds: 0, commitRetention: { maxAgeMs: 7 * 86_400_000, maxCommits: 500 } });
    expect(() => gcOptions({ "commit-max-count": "0" })).toThrow("invalid --commit-max-count '0'");
    expect(() => gcOptions({ "commit-max-age-days": "1.5" })).toThrow(
      "invalid --commit-max-age-days '1.5'",
    );
  });
});
