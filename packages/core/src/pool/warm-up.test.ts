import { describe, expect, it } from "vitest";
import { warmUpWorker } from "./warm-up.js";

describe("worker warm-up", () => {
  it("runs its script to exit 0 on a scratch tree", async () => {
    await expect(warmUpWorker()).resolves.toBeUndefined();
  });
});
