// Shared by `npm start` and `npm test`: make a fresh clone usable with only Node and npm.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const PNPM_VERSION = JSON.parse(
  readFileSync(join(root, "package.json"), "utf8"),
).packageManager.split("@")[1];

/** `pnpm` if the right major is on PATH, else the pinned version through npx (npm ships npx). */
function pnpmCommand() {
  const probe = spawnSync("pnpm", ["--version"], {
    encoding: "utf8",
    shell: process.platform === "win32",
  });
  if (probe.status === 0 && probe.stdout.trim().split(".")[0] === PNPM_VERSION.split(".")[0]) {
    return ["pnpm"];
  }
  return ["npx", "--yes", `pnpm@${PNPM_VERSION}`];
}

let pnpm;

/** Runs pnpm with inherited stdio; returns the exit code. */
export function runPnpm(args, options = {}) {
  pnpm ??= pnpmCommand();
  const [command, ...prefix] = pnpm;
  const result = spawnSync(command, [...prefix, ...args], {
    cwd: root,
    stdio: "inherit",
    shell: process.platform === "win32",
    ...options,
  });
  return result.status ?? 1;
}

/** Installs dependencies when node_modules is missing or older than the lockfile. */
export function ensureInstalled() {
  const marker = join(root, "node_modules", ".modules.yaml");
  const lock = join(root, "pnpm-lock.yaml");
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  console.log("› installing dependencies (pnpm install --frozen-lockfile)");
  const code = runPnpm(["install", "--frozen-lockfile"]);
  if (code !== 0) {
    console.error("dependency install failed");
    process.exit(code);
  }
}
