import { describe, expect, it } from "vitest";
import { seededRandom } from "../test-support.js";
import { applyHunks, parsePatch } from "./patch.js";
import { unifiedDiff } from "./unified-diff.js";

const path = { from: "/f.txt", to: "/f.txt" };

describe("unifiedDiff", () => {
  it("writes one hunk with context around a change", () => {
    const before = "1\n2\n3\n4\n5\n6\n7\n8\n";
    const after = "1\n2\n3\n4 changed\n5\n6\n7\n8\n";
    expect(unifiedDiff(path, before, after)).toBe(
      "--- a/f.txt\n+++ b/f.txt\n@@ -1,7 +1,7 @@\n 1\n 2\n 3\n-4\n+4 changed\n 5\n 6\n 7\n",
    );
  });

  it("diffs against /dev/null for created and deleted files", () => {
    expect(unifiedDiff(path, null, "a\nb\n")).toBe(
      "--- /dev/null\n+++ b/f.txt\n@@ -0,0 +1,2 @@\n+a\n+b\n",
    );
    expect(unifiedDiff(path, "a\n", null)).toBe(
      "--- a/f.txt\n+++ /dev/null\n@@ -1,1 +0,0 @@\n-a\n",
    );
  });

  it("round-trips through the patch parser on random edits (seeded)", () => {
    for (let seed = 1; seed <= 200; seed++) {
      const random = seededRandom(seed);
      const before = Array.from({ length: 1 + Math.floor(random() * 40) }, (_, i) => `line ${i}`);
      const after = [...before];
      for (let e = 0; e < 1 + random() * 6; e++) {
        const at = Math.floor(random() * (after.length + 1));
        const r = random();
        if (r < 0.4) after.splice(at, 1);
        else if (r < 0.7) after.splice(at, 0, `new ${seed}-${e}`);
        else if (at < after.length) after[at] = `changed ${seed}-${e}`;
      }
      const a = `${before.join("\n")}\n`;
      const b = after.length === 0 ? "" : `${after.join("\n")}\n`;
      const diff = unifiedDiff(path, a, b);
      if (a === b) continue;
      const [patch] = parsePatch(diff!);
      expect(applyHunks(a, patch!.hunks, "/f.txt"), `seed ${seed}`).toBe(b);
    }
  });
});
