/** TAP version 14 output for a report. */
import type { Report } from "../report.js";

/** Renders the report as TAP 14, with a YAML diagnostic block under each failure. */
export function formatTap(report: Report): string {
  const lines = ["TAP version 14", `1..${report.results.length}`];
  report.results.forEach((r, i) => {
    const n = i + 1;
    const desc = `${r.id} - ${r.title}`.replace(/#/g, "\\#");
    if (r.status === "skipped") {
      lines.push(`ok ${n} - ${desc} # SKIP ${r.skipReason ?? ""}`.trimEnd());
    } else if (r.status === "passed") {
      lines.push(`ok ${n} - ${desc}`);
    } else {
      lines.push(`not ok ${n} - ${desc}`, "  ---", "  message: |-");
      for (const line of (r.error?.message ?? "failed").split("\n")) lines.push(`    ${line}`);
      lines.push(`  duration_ms: ${Math.round(r.durationMs)}`, "  ...");
    }
  });
  lines.push(`# pass ${report.passed}`, `# fail ${report.failed}`, `# skip ${report.skipped}`);
  return `${lines.join("\n")}\n`;
}
