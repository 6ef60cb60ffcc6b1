/** The results table: one row per figure, with its target and a pass/miss marker. */

export type Verdict = "PASS" | "MISS" | "info";

export interface Row {
  id: string;
  what: string;
  cairn: string;
  /** The comparison figure (in-memory just-bash, raw COPY, ...), if any. */
  reference?: string;
  ratio?: string;
  target?: string;
  verdict: Verdict;
}

export function verdict(ok: boolean): Verdict {
  return ok ? "PASS" : "MISS";
}

/**
 * A GitHub-flavoured Markdown table, columns padded so it also reads as plain text.
 * A `|` inside a cell (e.g. a pipeline) is escaped as `\|`, so it can be pasted as is.
 */
export function renderTable(rows: readonly Row[]): string {
  const header = ["#", "figure", "Cairn", "reference", "ratio", "target", "result"];
  const cells = rows.map((r) =>
    [r.id, r.what, r.cairn, r.reference ?? "", r.ratio ?? "", r.target ?? "", r.verdict].map(
      (cell) => cell.replaceAll("|", "\\|"),
    ),
  );
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: readonly string[]) => `| ${c.map((v, i) => v.padEnd(widths[i]!)).join(" | ")} |`;
  return [
    line(header),
    `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`,
    ...cells.map(line),
  ].join("\n");
}
