// Runs a command inside packages/python/.venv, creating the venv (python3 -m venv) and installing
// the package in editable mode with its dev extras from PyPI first when missing or stale.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const pkg = join(dirname(fileURLToPath(import.meta.url)), "..");
const venv = join(pkg, ".venv");
const bin = join(venv, process.platform === "win32" ? "Scripts" : "bin");
const python = join(bin, "python");
const stamp = join(venv, ".cairn-installed");

function run(cmd, args) {
  const result = spawnSync(cmd, args, { cwd: pkg, stdio: ["ignore", "inherit", "inherit"] });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

// The install is redone when pyproject.toml changes (new dependencies), not on every run.
const wanted = createHash("sha256")
  .update(readFileSync(join(pkg, "pyproject.toml")))
  .digest("hex");
const interpreter = process.env.PYTHON ?? "python3";
if (!existsSync(python) && !pythonAvailable()) {
  // A machine with only Node and npm: say so, and count it as skipped (CI has Python: it fails).
  const why = `no ${interpreter} >= 3.9 on this machine: the Python SDK's checks are skipped`;
  if (process.env.CI) {
    console.error(`${why}, but CI must run them`);
    process.exit(1);
  }
  console.log(`skipped: ${why}`);
  if (process.argv[2] === "pytest") writeSkippedReport(why);
  process.exit(0);
}
if (!existsSync(python)) {
  if (run(interpreter, ["-m", "venv", venv]) !== 0) {
    console.error(
      `Could not create ${venv} with "${interpreter} -m venv". On Debian/Ubuntu: apt-get install python3-venv`,
    );
    process.exit(1);
  }
}
if (!existsSync(stamp) || readFileSync(stamp, "utf8") !== wanted) {
  const pip = [python, "-m", "pip", "--disable-pip-version-check", "--no-input", "-q"];
  if (run(pip[0], [...pip.slice(1), "install", "-e", ".[dev]"]) !== 0) process.exit(1);
  writeFileSync(stamp, wanted);
}

function pythonAvailable() {
  const probe = spawnSync(
    interpreter,
    ["-c", "import sys, venv; sys.exit(0 if sys.version_info >= (3, 9) else 1)"],
    { stdio: "ignore" },
  );
  return probe.status === 0;
}

/** A report in vitest's JSON shape (what scripts/test.mjs counts) with one skipped entry. */
function writeSkippedReport(why) {
  mkdirSync(join(pkg, ".reports"), { recursive: true });
  const report = {
    numPassedTests: 0,
    numFailedTests: 0,
    numPendingTests: 1,
    testResults: [{ name: "cairn-sdk", status: "skipped", message: why, assertionResults: [] }],
  };
  writeFileSync(join(pkg, ".reports", "vitest.json"), JSON.stringify(report, null, 2));
}

const [command, ...args] = process.argv.slice(2);
if (!command) process.exit(0);
const executable = command === "python" ? python : join(bin, command);
process.exit(run(executable, args));
