"""Writes .reports/vitest.json in the shape of vitest's JSON reporter, so `npm test` counts
pytest's results with everything else (scripts/test.mjs reads numPassedTests/numFailedTests)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

REPORT = Path(__file__).resolve().parent.parent / ".reports" / "vitest.json"
_results: dict[str, list[dict[str, Any]]] = {}
_failed_files: set[str] = set()
_start = time.time()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    file = report.nodeid.split("::")[0]
    # A test counts once: its call phase, or a setup/teardown phase that failed or skipped it.
    if report.when == "call" or (report.when == "setup" and not report.passed):
        status = "passed" if report.passed else "skipped" if report.skipped else "failed"
        _results.setdefault(file, []).append(
            {
                "fullName": report.nodeid,
                "title": report.nodeid.split("::")[-1],
                "status": status,
                "duration": round(report.duration * 1000, 3),
                "failureMessages": [str(report.longrepr)] if report.failed else [],
            }
        )
    elif report.when == "teardown" and report.failed:
        _results.setdefault(file, []).append(
            {
                "fullName": f"{report.nodeid} (teardown)",
                "title": "teardown",
                "status": "failed",
                "duration": 0,
                "failureMessages": [str(report.longrepr)],
            }
        )


def pytest_collectreport(report: pytest.CollectReport) -> None:
    if report.failed:
        _failed_files.add(report.nodeid or "collection")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    results: list[dict[str, Any]] = [
        {
            "name": str(Path(file).resolve()) if Path(file).exists() else file,
            "status": "failed" if any(t["status"] == "failed" for t in tests) else "passed",
            "assertionResults": tests,
        }
        for file, tests in _results.items()
    ] + [{"name": file, "status": "failed", "assertionResults": []} for file in _failed_files]
    tests = [t for r in results for t in r["assertionResults"]]
    count = {s: sum(1 for t in tests if t["status"] == s) for s in ("passed", "failed", "skipped")}
    summary = {
        "numTotalTests": len(tests),
        "numPassedTests": count["passed"],
        "numFailedTests": count["failed"],
        "numPendingTests": count["skipped"],
        "numTotalTestSuites": len(results),
        "numFailedTestSuites": sum(1 for r in results if r["status"] == "failed"),
        "startTime": int(_start * 1000),
        "success": count["failed"] == 0 and not _failed_files,
        "testResults": results,
    }
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(json.dumps(summary, indent=1))
