/** Tests of the TAP and JUnit reporters. */
import { describe, expect, it } from "vitest";
import { type Report, summaryLine } from "../report.js";
import { formatJunit } from "./junit.js";
import { formatTap } from "./tap.js";

const report: Report = {
  baseUrl: "http://x",
  passed: 1,
  failed: 1,
  skipped: 1,
  durationMs: 12,
  results: [
    {
      id: "system/get-health/ok-without-auth",
      feature: "system",
      title: "ok",
      status: "passed",
      durationMs: 1,
    },
    {
      id: "files/read-file/range-suffix",
      feature: "files",
      title: "a # b",
      status: "failed",
      durationMs: 2,
      error: { message: 'expected <206>\nsecond & "line"', stack: "Error: expected <206>" },
    },
    {
      id: "exec/exec-script/timeout-408",
      feature: "exec",
      title: "t",
      status: "skipped",
      durationMs: 0,
      skipReason: "no timeouts",
    },
  ],
};

describe("formatTap", () => {
  it("writes TAP 14 with a plan, a directive for skips and YAML for failures", () => {
    const lines = formatTap(report).split("\n");
    expect(lines.slice(0, 3)).toEqual([
      "TAP version 14",
      "1..3",
      "ok 1 - system/get-health/ok-without-auth - ok",
    ]);
    expect(lines[3]).toBe("not ok 2 - files/read-file/range-suffix - a \\# b");
    expect(lines).toContain('    second & "line"');
    expect(lines).toContain("ok 3 - exec/exec-script/timeout-408 - t # SKIP no timeouts");
  });
});

describe("formatJunit", () => {
  it("writes one escaped testsuite per feature", () => {
    const xml = formatJunit(report);
    expect(xml).toContain(
      '<testsuites name="cairn-conformance" tests="3" failures="1" errors="0" skipped="1"',
    );
    expect(xml).toContain(
      '<testcase classname="files.read-file" name="range-suffix" time="0.002">',
    );
    expect(xml).toContain(
      '<failure message="expected &lt;206&gt;">Error: expected &lt;206&gt;</failure>',
    );
    expect(xml).toContain('<skipped message="no timeouts"/>');
    expect(xml.match(/<testsuite /g)).toHaveLength(3);
  });
});

describe("summaryLine", () => {
  it("mentions skips only when there are some", () => {
    expect(summaryLine(report)).toBe("1 passed, 1 failed, 1 skipped");
    expect(summaryLine({ ...report, skipped: 0 })).toBe("1 passed, 1 failed");
  });
});
