/**
 * End to end: the real `cairn serve` process, and the conformance CLI run
 * against it over HTTP, as a user or another implementation's CI would.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, exitOf, run, stopProcess, waitForStdout } from "./test-process.js";

const here = dirname(fileURLToPath(import.meta.url));
const CONFORMANCE_CLI = join(
  dirname(fileURLToPath(import.meta.resolve("@cairn/conformance"))),
  "cli.js",
);
const KEY = "e2e-key-0123456789abcdef";

describe("cairn serve (process)", () => {
  it("refuses to start without an API key", async () => {
    const { child, output } = run(CLI, ["serve", "--port", "0"]);
    expect(await exitOf(child)).toBe(2);
    expect(output().stderr).toMatch(/refusing to start without an API key/);
  });

  describe("running", () => {
    let server: ReturnType<typeof run>;
    let url: string;
    const dataDir = mkdtempSync(join(tmpdir(), "cairn-e2e-"));

    beforeAll(async () => {
      server = run(CLI, ["serve", "--port", "0", "--data-dir", dataDir], { CAIRN_API_KEY: KEY });
      url = (await waitForStdout(server, /listening on (http:\/\/\S+)/, 110_000))[1]!;
      // Embedded PGlite compiles its WASM and migrates first: seconds, more on a busy machine.
    }, 120_000);

    afterAll(async () => {
      await stopProcess(server.child, "SIGTERM");
      rmSync(dataDir, { recursive: true, force: true });
    });

    it("prints where it listens, the key source and the embedded storage", () => {
      const { stdout } = server.output();
      expect(stdout).toContain("API key: CAIRN_API_KEY environment variable");
      expect(stdout).not.toContain(KEY);
      expect(stdout).toContain(`storage: embedded PGlite in ${dataDir} (persistent)`);
    });

    it("passes the whole conformance suite through the conformance CLI", async () => {
      const report = join(here, "..", ".reports", "conformance-cli.xml");
      const conformance = run(
        CONFORMANCE_CLI,
        ["--url", url, "--reporter", "junit", "--output", report],
        {
          CAIRN_API_KEY: KEY,
        },
      );
      const code = await exitOf(conformance.child);
      const { stdout, stderr } = conformance.output();
      const summary = stdout.trim().split("\n").at(-1) ?? "";
      expect(summary, stderr).toMatch(/^\d+ passed, 0 failed/);
      expect(code).toBe(0);
      // The whole kit over HTTP on embedded PGlite: about a minute alone, more beside other suites.
    }, 360_000);
  });

  describe("with --embeddings local on embedded PGlite", () => {
    let server: ReturnType<typeof run>;
    let url: string;
    const dataDir = mkdtempSync(join(tmpdir(), "cairn-e2e-semantic-"));

    beforeAll(async () => {
      server = run(CLI, ["serve", "--port", "0", "--data-dir", dataDir, "--embeddings", "local"], {
        CAIRN_API_KEY: KEY,
        DATABASE_URL: "",
      });
      url = (await waitForStdout(server, /listening on (http:\/\/\S+)/, 110_000))[1]!;
    }, 120_000);

    afterAll(async () => {
      await stopProcess(server.child, "SIGTERM");
      rmSync(dataDir, { recursive: true, force: true });
    });

    it("says semantic search is on, over the embedded storage", () => {
      const { stdout } = server.output();
      expect(stdout).toContain(`storage: embedded PGlite in ${dataDir} (persistent)`);
      expect(stdout).toContain("semantic search: on, built-in local embedder");
    });

    it("passes the semantic and hybrid search cases, none skipped (PGlite has pgvector)", async () => {
      const conformance = run(
        CONFORMANCE_CLI,
        ["--url", url, "--only", "search/search-files/semantic-*"].concat([
          "--only",
          "search/search-files/hybrid-*",
        ]),
        { CAIRN_API_KEY: KEY },
      );
      const code = await exitOf(conformance.child);
      const { stdout, stderr } = conformance.output();
      const summary = stdout.trim().split("\n").at(-1) ?? "";
      // A server without semantic search would skip these cases rather than fail them.
      expect(summary, stderr).toMatch(/^[1-9]\d* passed, 0 failed$/);
      expect(code).toBe(0);
    }, 180_000);
  });
});
