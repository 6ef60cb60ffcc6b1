/** JUnit XML output for a report: one <testsuite> per feature. */
import type { CaseResult, Report } from "../report.js";

function escapeXml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "\uFFFD")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

function testcase(r: CaseResult): string {
  const [feature, operation = "", behaviour = r.id] = r.id.split("/");
  const open = `    <testcase classname="${escapeXml(`${feature}.${operation}`)}" name="${escapeXml(behaviour)}" time="${seconds(r.durationMs)}"`;
  if (r.status === "passed") return `${open}/>`;
  if (r.status === "skipped") {
    return `${open}>\n      <skipped message="${escapeXml(r.skipReason ?? "")}"/>\n    </testcase>`;
  }
  const message = r.error?.message ?? "failed";
  const firstLine = message.split("\n")[0] ?? message;
  return `${open}>\n      <failure message="${escapeXml(firstLine)}">${escapeXml(r.error?.stack ?? message)}</failure>\n    </testcase>`;
}

/** Renders the report as JUnit XML. */
export function formatJunit(report: Report): string {
  const byFeature = new Map<string, CaseResult[]>();
  for (const r of report.results)
    byFeature.set(r.feature, [...(byFeature.get(r.feature) ?? []), r]);
  const suites = [...byFeature].map(([feature, results]) => {
    const failures = results.filter((r) => r.status === "failed").length;
    const skipped = results.filter((r) => r.status === "skipped").length;
    const time = results.reduce((t, r) => t + r.durationMs, 0);
    return [
      `  <testsuite name="${escapeXml(feature)}" tests="${results.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${seconds(time)}">`,
      ...results.map(testcase),
      "  </testsuite>",
    ].join("\n");
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="cairn-conformance" tests="${report.results.length}" failures="${report.failed}" errors="0" skipped="${report.skipped}" time="${seconds(report.durationMs)}">`,
    ...suites,
    "</testsuites>",
    "",
  ].join("\n");
}
