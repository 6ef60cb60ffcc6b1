import { describe, expect, it } from "vitest";
import { renderTable } from "./report.js";

describe("renderTable", () => {
  it("escapes a pipe inside a cell so the row keeps its columns", () => {
    const table = renderTable([
      { id: "3", what: "warm `find /w | wc -l`", cairn: "1 ms", verdict: "PASS" },
    ]);
    const row = table.split("\n")[2]!;
    expect(row).toContain("`find /w \\| wc -l`");
    expect(row.split(/(?<!\\)\|/)).toHaveLength(9);
  });
});
