import { describe, expect, it } from "vitest";
import { seededRandom } from "../test-support.js";
import { applyHunks, type Hunk, PatchError, parsePatch } from "./patch.js";

function patchError(fn: () => unknown): PatchError {
  try {
    fn();
  } catch (error) {
    if (error instanceof PatchError) return error;
    throw error;
  }
  throw new Error("expected a PatchError");
}

const diff = (...lines: string[]) => `${lines.join("\n")}\n`;

/** Parses a one-file diff and applies it to `text`. */
const apply = (text: string, patch: string) => applyHunks(text, parsePatch(patch)[0]!.hunks, "/f");

describe("parsePatch: files and paths", () => {
  it("parses a git diff, stripping a/ and b/ and making paths absolute", () => {
    const patches = parsePatch(
      diff(
        "diff --git a/src/x.ts b/src/x.ts",
        "index 1111111..2222222 100644",
        "--- a/src/x.ts",
        "+++ b/src/x.ts",
        "@@ -1,3 +1,3 @@ function f() {",
        " a",
        "-b",
        "+B",
        " c",
      ),
    );
    expect(patches).toEqual([
      {
        oldPath: "/src/x.ts",
        newPath: "/src/x.ts",
        hunks: [
          { oldStart: 1, oldLines: 3, newStart: 1, newLines: 3, lines: [" a", "-b", "+B", " c"] },
        ],
      },
    ]);
  });

  it("parses several files and several hunks", () => {
    const patches = parsePatch(
      diff(
        "--- a/one",
        "+++ b/one",
        "@@ -1 +1 @@",
        "-x",
        "+y",
        "@@ -10,2 +10,3 @@",
        " p",
        "+q",
        " r",
        "--- a/two",
        "+++ b/two",
        "@@ -5,1 +5,0 @@",
        "-gone",
      ),
    );
    expect(patches.map((p) => [p.oldPath, p.hunks.length])).toEqual([
      ["/one", 2],
      ["/two", 1],
    ]);
    expect(patches[0]!.hunks[0]).toMatchObject({ oldStart: 1, oldLines: 1, newLines: 1 });
    expect(patches[1]!.hunks[0]).toMatchObject({ oldLines: 1, newStart: 5, newLines: 0 });
  });

  it("reads /dev/null as null for created and deleted files", () => {
    const patches = parsePatch(
      diff(
        "--- /dev/null",
        "+++ b/new.txt",
        "@@ -0,0 +1,2 @@",
        "+a",
        "+b",
        "--- a/old.txt",
        "+++ /dev/null",
        "@@ -1 +0,0 @@",
        "-a",
      ),
    );
    expect(patches.map((p) => [p.oldPath, p.newPath])).toEqual([
      [null, "/new.txt"],
      ["/old.txt", null],
    ]);
  });

  it("keeps paths of a diff without a/ b/ prefixes", () => {
    const [plain] = parsePatch(diff("--- src/x.ts", "+++ src/x.ts", "@@ -1 +1 @@", "-a", "+b"));
    expect(plain).toMatchObject({ oldPath: "/src/x.ts", newPath: "/src/x.ts" });
    const [dirA] = parsePatch(diff("--- a/b.ts", "+++ a/b.ts", "@@ -1 +1 @@", "-a", "+b"));
    expect(dirA).toMatchObject({ oldPath: "/a/b.ts", newPath: "/a/b.ts" });
  });

  it("accepts absolute paths", () => {
    const [p] = parsePatch(diff("--- /src/x.ts", "+++ /src/x.ts", "@@ -1 +1 @@", "-a", "+b"));
    expect(p).toMatchObject({ oldPath: "/src/x.ts", newPath: "/src/x.ts" });
  });

  it("drops timestamps after a tab", () => {
    const [p] = parsePatch(
      diff(
        "--- old.txt\t2024-01-01 10:00:00.000000000 +0000",
        "+++ new.txt\t2024-01-01 10:00:01.000000000 +0000",
        "@@ -1 +1 @@",
        "-a",
        "+b",
      ),
    );
    expect(p).toMatchObject({ oldPath: "/old.txt", newPath: "/new.txt" });
  });

  it("unquotes git-quoted paths", () => {
    const [p] = parsePatch(
      diff(
        'diff --git "a/sp ace\\303\\244.txt" "b/sp ace\\303\\244.txt"',
        '--- "a/sp ace\\303\\244.txt"',
        '+++ "b/sp ace\\303\\244.txt"',
        "@@ -1 +1 @@",
        "-a",
        "+b",
      ),
    );
    expect(p).toMatchObject({ oldPath: "/sp aceä.txt", newPath: "/sp aceä.txt" });
  });

  it("understands a git rename without content changes", () => {
    const patches = parsePatch(
      diff(
        "diff --git a/old name.ts b/new name.ts",
        "similarity index 100%",
        "rename from old name.ts",
        "rename to new name.ts",
      ),
    );
    expect(patches).toEqual([{ oldPath: "/old name.ts", newPath: "/new name.ts", hunks: [] }]);
  });

  it("understands git's empty new and deleted files", () => {
    const patches = parsePatch(
      diff(
        "diff --git a/empty b/empty",
        "new file mode 100644",
        "index 0000000..e69de29",
        "diff --git a/gone b/gone",
        "deleted file mode 100644",
        "index e69de29..0000000",
      ),
    );
    expect(patches).toEqual([
      { oldPath: null, newPath: "/empty", hunks: [] },
      { oldPath: "/gone", newPath: null, hunks: [] },
    ]);
  });

  it("skips a commit message, Index: lines and a signature", () => {
    const patches = parsePatch(
      diff(
        "From 123 Mon Sep 17 00:00:00 2001",
        "Subject: [PATCH] change",
        "",
        "---",
        " x | 2 +-",
        "",
        "Index: x",
        "===================================================================",
        "--- a/x",
        "+++ b/x",
        "@@ -1 +1 @@",
        "-a",
        "+b",
        "-- ",
        "2.40.0",
      ),
    );
    expect(patches).toHaveLength(1);
    expect(patches[0]!.hunks[0]!.lines).toEqual(["-a", "+b"]);
  });

  it("refuses paths with ..", () => {
    const error = patchError(() =>
      parsePatch(diff("--- a/../etc/passwd", "+++ b/../etc/passwd", "@@ -1 +1 @@", "-a", "+b")),
    );
    expect(error.code).toBe("patch_invalid");
  });
});

describe("parsePatch: hunks", () => {
  it("defaults omitted counts to 1", () => {
    const [p] = parsePatch(diff("--- a/x", "+++ b/x", "@@ -3 +3 @@", "-a", "+b"));
    expect(p!.hunks[0]).toMatchObject({ oldStart: 3, oldLines: 1, newStart: 3, newLines: 1 });
  });

  it("keeps '\\ No newline at end of file' markers after their line", () => {
    const [p] = parsePatch(
      diff(
        "--- a/x",
        "+++ b/x",
        "@@ -1 +1 @@",
        "-a",
        "\\ No newline at end of file",
        "+b",
        "\\ No newline at end of file",
      ),
    );
    expect(p!.hunks[0]!.lines).toEqual([
      "-a",
      "\\ No newline at end of file",
      "+b",
      "\\ No newline at end of file",
    ]);
  });

  it("accepts a diff with CRLF line endings", () => {
    const crlf = diff("--- a/x", "+++ b/x", "@@ -1,2 +1,2 @@", " a", "-b", "+c").replaceAll(
      "\n",
      "\r\n",
    );
    const [p] = parsePatch(crlf);
    expect(p).toMatchObject({ oldPath: "/x", newPath: "/x" });
    expect(p!.hunks[0]!.lines).toEqual([" a", "-b", "+c"]);
  });

  it("reads an empty line inside a hunk as an empty context line", () => {
    const [p] = parsePatch(diff("--- a/x", "+++ b/x", "@@ -1,3 +1,3 @@", " a", "", "-b", "+c"));
    expect(p!.hunks[0]!.lines).toEqual([" a", " ", "-b", "+c"]);
  });

  it("allows blank lines between hunks", () => {
    const [p] = parsePatch(
      diff("--- a/x", "+++ b/x", "@@ -1 +1 @@", "-a", "+b", "", "@@ -5 +5 @@", "-c", "+d"),
    );
    expect(p!.hunks).toHaveLength(2);
  });
});

describe("parsePatch: malformed input", () => {
  const invalid = (text: string) => patchError(() => parsePatch(text));

  it("rejects a hunk with fewer lines than its header says", () => {
    const error = invalid(
      diff("--- a/x", "+++ b/x", "@@ -1,3 +1,3 @@", " a", "-b", "+c", "@@ -9 +9 @@", "-d", "+e"),
    );
    expect(error.code).toBe("patch_invalid");
    expect(error.message).toMatch(/hunk 1 of .*fewer lines/);
  });

  it("rejects a hunk cut off at the end of the diff", () => {
    expect(invalid(diff("--- a/x", "+++ b/x", "@@ -1,2 +1,2 @@", " a")).code).toBe("patch_invalid");
  });

  it("rejects a hunk with more lines than its header says", () => {
    const error = invalid(diff("--- a/x", "+++ b/x", "@@ -1 +1 @@", "-a", "+b", "+c"));
    expect(error.message).toMatch(/more lines than its header says/);
  });

  it("rejects a hunk whose removals exceed the old count", () => {
    expect(invalid(diff("--- a/x", "+++ b/x", "@@ -1,1 +1,2 @@", "-a", "-b", "+c")).code).toBe(
      "patch_invalid",
    );
  });

  it("rejects a line without a prefix inside a hunk", () => {
    expect(invalid(diff("--- a/x", "+++ b/x", "@@ -1,2 +1,2 @@", " a", "oops", "-b")).code).toBe(
      "patch_invalid",
    );
  });

  it("rejects a malformed hunk header", () => {
    expect(invalid(diff("--- a/x", "+++ b/x", "@@ -1,a +1 @@", "-a", "+b")).message).toMatch(
      /malformed header/,
    );
  });

  it("rejects an empty hunk", () => {
    expect(invalid(diff("--- a/x", "+++ b/x", "@@ -1,0 +1,0 @@")).code).toBe("patch_invalid");
  });

  it("rejects a hunk before any file header", () => {
    expect(invalid(diff("@@ -1 +1 @@", "-a", "+b")).message).toMatch(/before any file header/);
  });

  it("rejects text with no file patch", () => {
    expect(invalid("").code).toBe("patch_invalid");
    expect(invalid("just some words\n").code).toBe("patch_invalid");
  });

  it("rejects a modification without hunks", () => {
    expect(invalid(diff("--- a/x", "+++ b/x")).code).toBe("patch_invalid");
  });

  it("rejects binary patches", () => {
    const error = invalid(
      diff(
        "diff --git a/img.png b/img.png",
        "index 1..2 100644",
        "Binary files a/img.png and b/img.png differ",
      ),
    );
    expect(error.message).toMatch(/binary/);
  });

  it("rejects /dev/null on both sides", () => {
    expect(invalid(diff("--- /dev/null", "+++ /dev/null")).code).toBe("patch_invalid");
  });
});

describe("applyHunks", () => {
  const ten = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n";

  it("applies a hunk at its stated position", () => {
    expect(
      apply(ten, diff("--- a/f", "+++ b/f", "@@ -2,3 +2,3 @@", " 2", "-3", "+three", " 4")),
    ).toBe("1\n2\nthree\n4\n5\n6\n7\n8\n9\n10\n");
  });

  it("applies several hunks in order", () => {
    const patch = diff(
      "--- a/f",
      "+++ b/f",
      "@@ -1,2 +1,3 @@",
      " 1",
      "+1.5",
      " 2",
      "@@ -9,2 +10,1 @@",
      " 9",
      "-10",
    );
    expect(apply(ten, patch)).toBe("1\n1.5\n2\n3\n4\n5\n6\n7\n8\n9\n");
  });

  it("finds a hunk at an offset when lines moved", () => {
    const shifted = `a\nb\nc\n${ten}`;
    expect(apply(shifted, diff("--- a/f", "+++ b/f", "@@ -5,1 +5,1 @@", "-5", "+five"))).toBe(
      "a\nb\nc\n1\n2\n3\n4\nfive\n6\n7\n8\n9\n10\n",
    );
    const earlier = ten.replace("1\n2\n3\n", "");
    expect(apply(earlier, diff("--- a/f", "+++ b/f", "@@ -5,1 +5,1 @@", "-5", "+five"))).toBe(
      "4\nfive\n6\n7\n8\n9\n10\n",
    );
  });

  it("carries the offset found for one hunk to the next", () => {
    const text = `x\nx\nx\nx\n${"a\nb\n".repeat(3)}`;
    // Both hunks are written for the file without the 4 leading "x" lines.
    const patch = diff(
      "--- a/f",
      "+++ b/f",
      "@@ -1,2 +1,2 @@",
      " a",
      "-b",
      "+B1",
      "@@ -5,2 +5,2 @@",
      " a",
      "-b",
      "+B3",
    );
    expect(apply(text, patch)).toBe("x\nx\nx\nx\na\nB1\na\nb\na\nB3\n");
  });

  it("prefers the nearest match, later first on a tie", () => {
    const text = "k\nx\nk\nx\nk\n";
    expect(apply(text, diff("--- a/f", "+++ b/f", "@@ -3 +3 @@", "-k", "+K"))).toBe(
      "k\nx\nK\nx\nk\n",
    );
    expect(apply(text, diff("--- a/f", "+++ b/f", "@@ -2 +2 @@", "-k", "+K"))).toBe(
      "k\nx\nK\nx\nk\n",
    );
  });

  it("inserts with a hunk that has no old lines", () => {
    expect(apply("a\nb\n", diff("--- a/f", "+++ b/f", "@@ -1,0 +2,1 @@", "+mid"))).toBe(
      "a\nmid\nb\n",
    );
  });

  it("creates a file from empty text", () => {
    const [p] = parsePatch(diff("--- /dev/null", "+++ b/new", "@@ -0,0 +1,2 @@", "+a", "+b"));
    expect(applyHunks("", p!.hunks, "/new")).toBe("a\nb\n");
  });

  it("returns empty text for a deletion, leaving the removal to the caller", () => {
    const [p] = parsePatch(diff("--- a/old", "+++ /dev/null", "@@ -1,2 +0,0 @@", "-a", "-b"));
    expect(p!.newPath).toBeNull();
    expect(applyHunks("a\nb\n", p!.hunks, "/old")).toBe("");
  });

  it("applies nothing for no hunks", () => {
    expect(applyHunks("a\r\nb", [], "/f")).toBe("a\r\nb");
  });

  describe("conflicts", () => {
    it("names the hunk, the path and the mismatching line", () => {
      const error = patchError(() =>
        apply(ten, diff("--- a/f", "+++ b/f", "@@ -2,2 +2,2 @@", " 2", "-three", "+3!")),
      );
      expect(error).toMatchObject({ code: "patch_conflict", hunk: 1, path: "/f" });
      expect(error.message).toMatch(/line 3 is "3" but the hunk expects "three"/);
    });

    it("reports the first hunk that does not apply", () => {
      const patch = diff(
        "--- a/f",
        "+++ b/f",
        "@@ -1 +1 @@",
        "-1",
        "+one",
        "@@ -5 +5 @@",
        "-nope",
        "+x",
      );
      expect(patchError(() => apply(ten, patch)).hunk).toBe(2);
    });

    it("does not fuzz: whitespace must match exactly", () => {
      const error = patchError(() =>
        apply("a  b\n", diff("--- a/f", "+++ b/f", "@@ -1 +1 @@", "-a b", "+c")),
      );
      expect(error.code).toBe("patch_conflict");
    });

    it("does not let a hunk overlap the previous one", () => {
      const patch = diff(
        "--- a/f",
        "+++ b/f",
        "@@ -2,2 +2,2 @@",
        " 2",
        "-3",
        "+x",
        "@@ -2 +2 @@",
        "-2",
        "+y",
      );
      expect(patchError(() => apply(ten, patch)).hunk).toBe(2);
    });

    it("refuses an insertion past the end of the file", () => {
      expect(
        patchError(() => apply("a\n", diff("--- a/f", "+++ b/f", "@@ -5,0 +6 @@", "+x"))).code,
      ).toBe("patch_conflict");
    });

    it("reports lines past the end of the file", () => {
      const error = patchError(() =>
        apply("1\n", diff("--- a/f", "+++ b/f", "@@ -1,2 +1,2 @@", " 1", "-2", "+x")),
      );
      expect(error.message).toMatch(/past the end/);
    });

    it("is a PatchError and an Error", () => {
      const error = patchError(() =>
        apply("a\n", diff("--- a/f", "+++ b/f", "@@ -1 +1 @@", "-b", "+c")),
      );
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe("PatchError");
    });
  });

  describe("line endings", () => {
    it("applies an LF diff to a CRLF file, keeping CRLF", () => {
      expect(
        apply(
          "a\r\nb\r\nc\r\n",
          diff("--- a/f", "+++ b/f", "@@ -1,3 +1,4 @@", " a", "-b", "+B", "+B2", " c"),
        ),
      ).toBe("a\r\nB\r\nB2\r\nc\r\n");
    });

    it("applies a CRLF diff to a CRLF file", () => {
      const patch = diff("--- a/f", "+++ b/f", "@@ -1,2 +1,2 @@", " a", "-b", "+B").replaceAll(
        "\n",
        "\r\n",
      );
      expect(apply("a\r\nb\r\n", patch)).toBe("a\r\nB\r\n");
    });

    it("keeps each unchanged line's own terminator and gives added lines the dominant one", () => {
      const text = "a\r\nb\nc\r\nd\r\n";
      expect(apply(text, diff("--- a/f", "+++ b/f", "@@ -2,2 +2,3 @@", " b", "+new", " c"))).toBe(
        "a\r\nb\nnew\r\nc\r\nd\r\n",
      );
    });

    it("uses \\n for added lines in a file without terminators", () => {
      expect(apply("", diff("--- /dev/null", "+++ b/f", "@@ -0,0 +1 @@", "+x"))).toBe("x\n");
    });
  });

  describe("no newline at end of file", () => {
    it("keeps a missing final newline on an unchanged last line", () => {
      expect(
        apply(
          "a\nb",
          diff(
            "--- a/f",
            "+++ b/f",
            "@@ -1,2 +1,2 @@",
            "-a",
            "+A",
            " b",
            "\\ No newline at end of file",
          ),
        ),
      ).toBe("A\nb");
    });

    it("adds a line after a last line without newline (as git writes it)", () => {
      // git diff of "1\n...\n10" → "1\n...\n10\n11"
      const patch = diff(
        "--- a/f",
        "+++ b/f",
        "@@ -9,2 +9,3 @@",
        " 9",
        "-10",
        "\\ No newline at end of file",
        "+10",
        "+11",
        "\\ No newline at end of file",
      );
      expect(apply(ten.slice(0, -1), patch)).toBe(`${ten}11`);
    });

    it("adds a line after a last line without newline, even without markers", () => {
      expect(apply("a\nb", diff("--- a/f", "+++ b/f", "@@ -2 +2,2 @@", " b", "+c"))).toBe(
        "a\nb\nc\n",
      );
    });

    it("removes the final newline when the new side says so", () => {
      const patch = diff(
        "--- a/f",
        "+++ b/f",
        "@@ -1 +1 @@",
        "-a",
        "+a",
        "\\ No newline at end of file",
      );
      expect(apply("a\n", patch)).toBe("a");
    });

    it("adds a final newline when the old side lacked it", () => {
      const patch = diff(
        "--- a/f",
        "+++ b/f",
        "@@ -1 +1 @@",
        "-a",
        "\\ No newline at end of file",
        "+a",
      );
      expect(apply("a", patch)).toBe("a\n");
    });

    it("creates a file without a final newline (git diff of empty → 'k')", () => {
      const patch = diff(
        "--- /dev/null",
        "+++ b/f",
        "@@ -0,0 +1 @@",
        "+k",
        "\\ No newline at end of file",
      );
      expect(apply("", patch)).toBe("k");
    });
  });

  it("rejects a hand-built hunk line without a prefix as patch_invalid", () => {
    const hunk: Hunk = { oldStart: 1, oldLines: 1, newStart: 1, newLines: 1, lines: ["?a"] };
    expect(patchError(() => applyHunks("a\n", [hunk], "/f"))).toMatchObject({
      code: "patch_invalid",
      hunk: 1,
    });
  });
});

// ---- round trip against a reference diff ----------------------------------

interface Line {
  text: string;
  eol: boolean;
}

function toLines(text: string): Line[] {
  const parts = text.split("\n");
  const last = parts.pop()!;
  const lines = parts.map((t) => ({ text: t, eol: true }));
  if (last !== "") lines.push({ text: last, eol: false });
  return lines;
}

/** A unified diff (3 lines of context) from an LCS edit script: what `diff -u` would write. */
function unifiedDiff(before: string, after: string): string {
  const a = toLines(before);
  const b = toLines(after);
  const same = (x: Line, y: Line) => x.text === y.text && x.eol === y.eol;
  const lcs = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i]![j] = same(a[i]!, b[j]!)
        ? lcs[i + 1]![j + 1]! + 1
        : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  type Op = { kind: " " | "-" | "+"; line: Line; ai: number; bi: number };
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && same(a[i]!, b[j]!)) {
      ops.push({ kind: " ", line: a[i]!, ai: i++, bi: j++ });
    } else if (j < b.length && (i === a.length || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) {
      ops.push({ kind: "+", line: b[j]!, ai: i, bi: j++ });
    } else {
      ops.push({ kind: "-", line: a[i]!, ai: i++, bi: j });
    }
  }
  const changed = ops.map((op, k) => (op.kind === " " ? -1 : k)).filter((k) => k >= 0);
  if (changed.length === 0) return "";
  const groups: Array<[number, number]> = [];
  for (const k of changed) {
    const last = groups.at(-1);
    if (last && k - last[1] <= 7) last[1] = k;
    else groups.push([k, k]);
  }
  let out = "--- a/f\n+++ b/f\n";
  for (const [first, lastChange] of groups) {
    const from = Math.max(0, first - 3);
    const to = Math.min(ops.length, lastChange + 4);
    const slice = ops.slice(from, to);
    const oldCount = slice.filter((op) => op.kind !== "+").length;
    const newCount = slice.filter((op) => op.kind !== "-").length;
    const oldStart = oldCount === 0 ? slice[0]!.ai : slice[0]!.ai + 1;
    const newStart = newCount === 0 ? slice[0]!.bi : slice[0]!.bi + 1;
    out += `@@ -${oldStart},${oldCount} +${newStart},${newCount} @@\n`;
    for (const op of slice) {
      out += `${op.kind}${op.line.text}\n`;
      if (!op.line.eol) out += "\\ No newline at end of file\n";
    }
  }
  return out;
}

describe("parsePatch + applyHunks round trip", () => {
  it("reproduces the new text from a reference diff, for random edits", () => {
    const random = seededRandom(20240611);
    const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
    const words = ["a", "b", "c", "", "  x", "-y", "+z", " ", "\\q", "@@"];
    for (let round = 0; round < 400; round++) {
      const n = Math.floor(random() * 25);
      const base = Array.from({ length: n }, () => pick(words));
      const edited = [...base];
      const edits = Math.floor(random() * 5);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(random() * (edited.length + 1));
        const what = random();
        if (what < 0.4) edited.splice(at, 0, pick(words));
        else if (what < 0.7) edited.splice(at, 1);
        else edited.splice(at, 1, `${pick(words)}!`);
      }
      const finalNewline = () => random() < 0.7;
      const render = (lines: string[], eol: boolean) =>
        lines.length === 0 ? "" : lines.join("\n") + (eol ? "\n" : "");
      const before = render(base, finalNewline());
      const after = render(edited, finalNewline());
      const patch = unifiedDiff(before, after);
      if (patch === "") continue;
      const context = { round, before, after, patch };
      expect(applyHunks(before, parsePatch(patch)[0]!.hunks, "/f"), JSON.stringify(context)).toBe(
        after,
      );
      // The same diff applies to a CRLF version of the file, keeping CRLF
      // (a file with no terminator at all has no CRLF to keep).
      if (!before.includes("\n")) continue;
      const crlf = (s: string) => s.replaceAll("\n", "\r\n");
      expect(
        applyHunks(crlf(before), parsePatch(patch)[0]!.hunks, "/f"),
        JSON.stringify(context),
      ).toBe(crlf(after));
    }
  });
});
