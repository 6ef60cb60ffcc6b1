/** A unified diff of two texts (Myers' O(ND) line diff, three lines of context). */

const CONTEXT = 3;

type Op = { kind: " " | "-" | "+"; line: string };

function lines(text: string): string[] {
  if (text === "") return [];
  const parts = text.split("\n");
  if (parts.at(-1) === "") parts.pop();
  return parts;
}

/** The edit script from `a` to `b`, or undefined when they differ in more than `maxEdits` lines. */
function editScript(a: string[], b: string[], maxEdits: number): Op[] | undefined {
  const n = a.length;
  const m = b.length;
  const max = Math.min(n + m, maxEdits);
  const offset = max + 1;
  let v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= max; d++) {
    trace.push(v.slice());
    const next = v.slice();
    for (let k = -d; k <= d; k += 2) {
      let x =
        k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!)
          ? v[offset + k + 1]!
          : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      next[offset + k] = x;
      if (x >= n && y >= m) return backtrack(a, b, trace, d, k, offset);
    }
    v = next;
  }
  return undefined;
}

function backtrack(
  a: string[],
  b: string[],
  trace: Int32Array[],
  depth: number,
  kEnd: number,
  offset: number,
): Op[] {
  const ops: Op[] = [];
  let x = a.length;
  let y = b.length;
  let k = kEnd;
  for (let d = depth; d > 0; d--) {
    const v = trace[d]!;
    const down = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!);
    const prevK = down ? k + 1 : k - 1;
    const prevX = v[offset + prevK]!;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      ops.push({ kind: " ", line: a[--x]! });
      y--;
    }
    if (down) ops.push({ kind: "+", line: b[--y]! });
    else ops.push({ kind: "-", line: a[--x]! });
    k = prevK;
  }
  while (x > 0 && y > 0) {
    ops.push({ kind: " ", line: a[--x]! });
    y--;
  }
  return ops.reverse();
}

/**
 * The unified diff from `before` to `after` (`null` for a side that does not exist), with
 * `---`/`+++` headers, or undefined when the texts differ in more than `maxEdits` lines.
 */
export function unifiedDiff(
  path: { from: string; to: string },
  before: string | null,
  after: string | null,
  maxEdits = 5000,
): string | undefined {
  const a = lines(before ?? "");
  const b = lines(after ?? "");
  const ops = editScript(a, b, maxEdits);
  if (!ops) return undefined;
  const out = [
    `--- ${before === null ? "/dev/null" : `a${path.from}`}`,
    `+++ ${after === null ? "/dev/null" : `b${path.to}`}`,
  ];
  let i = 0;
  let oldLine = 1;
  let newLine = 1;
  while (i < ops.length) {
    if (ops[i]!.kind === " ") {
      i++;
      oldLine++;
      newLine++;
      continue;
    }
    // A hunk: from CONTEXT lines before this change to CONTEXT after the last change near it.
    const lead = Math.min(CONTEXT, countBack(ops, i));
    let end = i;
    for (let j = i; j < ops.length; j++) {
      if (ops[j]!.kind !== " ") end = j;
      else if (j - end > 2 * CONTEXT) break;
    }
    const stop = Math.min(ops.length, end + 1 + CONTEXT);
    const body = ops.slice(i - lead, stop);
    const oldCount = body.filter((o) => o.kind !== "+").length;
    const newCount = body.filter((o) => o.kind !== "-").length;
    const oldStart = oldLine - lead;
    const newStart = newLine - lead;
    out.push(
      `@@ -${oldCount === 0 ? oldStart - 1 : oldStart},${oldCount} +${newCount === 0 ? newStart - 1 : newStart},${newCount} @@`,
    );
    for (const op of body) out.push(`${op.kind}${op.line}`);
    for (const op of ops.slice(i, stop)) {
      if (op.kind !== "+") oldLine++;
      if (op.kind !== "-") newLine++;
    }
    i = stop;
  }
  return `${out.join("\n")}\n`;
}

function countBack(ops: Op[], i: number): number {
  let n = 0;
  while (i - n - 1 >= 0 && ops[i - n - 1]!.kind === " ") n++;
  return n;
}
