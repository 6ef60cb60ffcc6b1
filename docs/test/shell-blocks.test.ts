/**
 * Every shell block in README.md and docs/ runs, with `bash -euo pipefail`, against a real
 * `cairn serve` (in memory, metrics on): `$CAIRN_URL`, `$KEY`, `$CAIRN_METRICS_URL` and
 * `$CAIRN_METRICS_TOKEN` are set. `sh no-run` marks a block not meant to run here (it starts a
 * server, needs a database, or shows a placeholder); the block's commands must exit 0.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codeBlocks, documentationFiles, ROOT } from "./markdown.js";

const CLI = join(ROOT, "apps", "cairn", "dist", "cli.js");
const KEY = "docs-check-key-0123456789";
const METRICS_TOKEN = "docs-check-metrics-0123456789";
const SHELLS = new Set(["sh", "bash", "shell", "console"]);

const all = documentationFiles().flatMap(codeBlocks);
const runnable = all.filter((b) => SHELLS.has(b.lang) && !b.flags.includes("no-run"));

describe("shell blocks", () => {
  let server: ChildProcess | undefined;
  let env: NodeJS.ProcessEnv = {};

  beforeAll(async () => {
    server = spawn(
      process.execPath,
      [CLI, "serve", "--memory", "--port", "0", "--audit-log", "off", "--log-level", "warn"].concat(
        ["--metrics-port", "0", "--metrics-token", METRICS_TOKEN],
      ),
      { env: { ...process.env, CAIRN_API_KEY: KEY }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    const urls = await new Promise<{ api: string; metrics: string }>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`cairn serve did not start: ${stdout}`)),
        30_000,
      );
      server?.stdout?.on("data", (chunk) => {
        stdout += chunk;
        const api = /listening on (http:\/\/\S+)/.exec(stdout)?.[1];
        const metrics = /metrics: (http:\/\/\S+\/metrics)/.exec(stdout)?.[1];
        if (api && metrics) {
          clearTimeout(timer);
          resolve({ api, metrics });
        }
      });
      server?.once("exit", (code) => reject(new Error(`cairn serve exited ${code}: ${stdout}`)));
    });
    env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      CAIRN_URL: urls.api,
      KEY,
      CAIRN_API_KEY: KEY,
      CAIRN_METRICS_URL: urls.metrics,
      CAIRN_METRICS_TOKEN: METRICS_TOKEN,
    };
  });

  afterAll(() => {
    server?.kill("SIGTERM");
  });

  it("there are some to run", () => {
    expect(runnable.length).toBeGreaterThanOrEqual(3);
  });

  it.for(runnable.map((b) => [`${b.file}:${b.line}`, b] as const))("%s runs", ([, block], ctx) => {
    // A machine with only Node and npm may lack the tools a block calls; CI has them all.
    const lacking = ["curl", "jq"].filter(
      (tool) =>
        new RegExp(`\\b${tool}\\b`).test(block.code) &&
        spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0,
    );
    if (lacking.length > 0 && !process.env.CI) {
      ctx.skip(`${lacking.join(" and ")} not on this machine`);
    }
    const result = spawnSync("bash", ["-euo", "pipefail", "-c", block.code], {
      env,
      encoding: "utf8",
      timeout: 30_000,
      cwd: ROOT,
    });
    expect(
      result.status,
      `exit ${result.status}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`,
    ).toBe(0);
  });

  it("docs/operations.md shows `cairn serve --help` as it is", () => {
    const shown = all.find((b) => b.flags.includes("cairn-serve-help"));
    expect(shown, "a ```text cairn-serve-help block in docs/operations.md").toBeDefined();
    const help = spawnSync(process.execPath, [CLI, "serve", "--help"], { encoding: "utf8" });
    expect(
      shown?.code.trim(),
      "paste the output of `node apps/cairn/dist/cli.js serve --help`",
    ).toBe(help.stdout.trim());
  });
});
