// `npm test`: install, find or start a Postgres for the suites, then build, lint, type-check and
// test everything (turbo skips what has not changed), and print one summary line
// `N passed, N failed` counted from the reports.
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { findBinaries, resolveTestPostgres } from "./postgres.mjs";
import { ensureInstalled, root, runPnpm } from "./workspace.mjs";

const PACKAGE_DIRS = [
  "spec",
  "conformance",
  "docs",
  ...["packages", "apps"].flatMap((d) => readdirSync(join(root, d)).map((name) => join(d, name))),
];

ensureInstalled();
for (const dir of PACKAGE_DIRS)
  rmSync(join(root, dir, ".reports"), { recursive: true, force: true });

const checks = [
  ["biome (format + lint)", ["exec", "biome", "check", "."]],
  [
    "turbo: build, typecheck, spec lint, generated-code drift, tests",
    [
      "exec",
      "turbo",
      "run",
      "build",
      "typecheck",
      "lint:spec",
      "check:generated",
      "test",
      "--continue",
      // Two cores: suites that start servers and Postgres clusters should not fight for them.
      "--concurrency=2",
    ],
  ],
];

const postgres = await resolveTestPostgres();
console.log(`› postgres: ${postgres.label}`);
const binDir = postgres.binDir ?? findBinaries();
const env = {
  ...process.env,
  CAIRN_TEST_DATABASE_URL: postgres.url,
  // What the suites read to skip what this kind of Postgres cannot do (see docs/testing.md).
  CAIRN_TEST_POSTGRES: postgres.kind,
  ...(binDir ? { CAIRN_TEST_PG_BIN: binDir } : {}),
};
const failedSteps = [];
try {
  for (const [name, args] of checks) {
    console.log(`\n› ${name}`);
    if (runPnpm(args, { env }) !== 0) failedSteps.push(name);
  }
} finally {
  postgres.stop();
}

let passed = 0;
let failed = 0;
let skipped = 0;
for (const dir of PACKAGE_DIRS) {
  const report = join(root, dir, ".reports", "vitest.json");
  if (!existsSync(report)) continue;
  const json = JSON.parse(readFileSync(report, "utf8"));
  passed += json.numPassedTests;
  failed += json.numFailedTests;
  skipped += (json.numPendingTests ?? 0) + (json.numTodoTests ?? 0);
  // A file that failed to load has no tests but still failed.
  failed += json.testResults.filter(
    (r) => r.status === "failed" && r.assertionResults.length === 0,
  ).length;
}
// A failed step whose failure is not already counted as a failed test (build, lint, types...).
if (failedSteps.length > 0 && failed === 0) failed = failedSteps.length;

console.log("");
console.log(`postgres: ${postgres.label}`);
if (failedSteps.length > 0) console.log(`failed steps: ${failedSteps.join("; ")}`);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || failedSteps.length > 0 ? 1 : 0);
