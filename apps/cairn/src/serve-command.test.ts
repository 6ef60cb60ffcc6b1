import { describe, expect, it } from "vitest";
import { resolveServeConfig } from "./serve-command.js";

const KEY = "0123456789abcdef-key";

describe("resolveServeConfig", () => {
  it("refuses to start without an API key and names the insecure flag", () => {
    const result = resolveServeConfig([], {});
    expect(result).toHaveProperty("error");
    expect((result as { error: string }).error).toMatch(/--insecure-no-auth/);
  });

  it("takes the key from CAIRN_API_KEY and says so", () => {
    expect(resolveServeConfig([], { CAIRN_API_KEY: KEY })).toMatchObject({
      apiKey: KEY,
      keySource: "CAIRN_API_KEY environment variable",
      port: 7878,
      host: "127.0.0.1",
    });
  });

  it("prefers flags over the environment", () => {
    expect(
      resolveServeConfig(["--api-key", KEY, "--port", "9000", "--host", "0.0.0.0"], {
        CAIRN_API_KEY: "other-key-0123456789",
        PORT: "1",
      }),
    ).toMatchObject({ apiKey: KEY, keySource: "--api-key flag", port: 9000, host: "0.0.0.0" });
  });

  it("generates a long random key on request", () => {
    const a = resolveServeConfig(["--generate-api-key"], {}) as { apiKey: string };
    const b = resolveServeConfig(["--generate-api-key"], {}) as { apiKey: string };
    expect(a.apiKey).toMatch(/^cairn_[A-Za-z0-9_-]{32}$/);
    expect(a.apiKey).not.toBe(b.apiKey);
  });

  it("takes every limit from a flag or the environment, the flag first", () => {
    const config = resolveServeConfig(
      ["--api-key", KEY, "--sandbox-max-bytes", "1048576", "--rate-limit-per-second", "0"],
      { CAIRN_SANDBOX_MAX_BYTES: "5", CAIRN_MAX_CONCURRENT_EXECS: "4" },
    );
    expect(config).toMatchObject({
      limits: { sandboxMaxBytes: 1_048_576, rateLimitPerSecond: 0, maxConcurrentExecs: 4 },
    });
    expect(Object.keys((config as { limits: object }).limits)).toHaveLength(3);
  });

  it("refuses a limit that is not a whole number, naming it", () => {
    expect(resolveServeConfig(["--api-key", KEY, "--max-body-bytes", "1.5"], {})).toEqual({
      error: "--max-body-bytes must be a whole number, not '1.5'",
    });
    expect(resolveServeConfig(["--api-key", KEY], { CAIRN_SANDBOX_MAX_FILES: "lots" })).toEqual({
      error: "CAIRN_SANDBOX_MAX_FILES must be a whole number, not 'lots'",
    });
  });

  it("turns auth off only with the insecure flag", () => {
    expect(resolveServeConfig(["--insecure-no-auth"], {})).toMatchObject({ apiKey: null });
  });

  const invalid: Array<[string, string[], NodeJS.ProcessEnv]> = [
    ["a short key", ["--api-key", "short"], {}],
    ["a short env key", [], { CAIRN_API_KEY: "short" }],
    ["two key sources", ["--api-key", KEY, "--insecure-no-auth"], {}],
    ["a bad port", ["--port", "http"], { CAIRN_API_KEY: KEY }],
    ["a port out of range", ["--port", "70000"], { CAIRN_API_KEY: KEY }],
    ["a CORS origin with a path", ["--cors-origin", "https://a.test/x"], { CAIRN_API_KEY: KEY }],
    ["a CORS wildcard", ["--cors-origin", "*"], { CAIRN_API_KEY: KEY }],
    ["a CORS origin without a scheme", ["--cors-origin", "a.test"], { CAIRN_API_KEY: KEY }],
    [
      "--console-dir with --no-console",
      ["--console-dir", "d", "--no-console"],
      { CAIRN_API_KEY: KEY },
    ],
  ];
  it.each(invalid)("rejects %s", (_name, args, env) => {
    expect(resolveServeConfig(args, env)).toHaveProperty("error");
  });

  it("takes CORS origins repeated or comma-separated, from flags or the environment", () => {
    const args = [
      "--cors-origin",
      "https://a.test, http://b.test:8080",
      "--cors-origin",
      "https://a.test",
    ];
    expect(resolveServeConfig(args, { CAIRN_API_KEY: KEY })).toMatchObject({
      corsOrigins: ["https://a.test", "http://b.test:8080"],
    });
    expect(
      resolveServeConfig([], { CAIRN_API_KEY: KEY, CAIRN_CORS_ORIGINS: "https://c.test" }),
    ).toMatchObject({
      corsOrigins: ["https://c.test"],
    });
    expect(resolveServeConfig([], { CAIRN_API_KEY: KEY })).toMatchObject({
      corsOrigins: [],
      console: "bundled",
    });
    expect(resolveServeConfig(["--no-console"], { CAIRN_API_KEY: KEY })).toMatchObject({
      console: null,
    });
  });

  it("takes the expiry sweep interval in seconds (0: off), a minute by default", () => {
    expect(resolveServeConfig(["--api-key", KEY], {})).toMatchObject({ sweepIntervalMs: 60_000 });
    expect(
      resolveServeConfig(["--api-key", KEY, "--sweep-interval", "5"], {
        CAIRN_SWEEP_INTERVAL: "9",
      }),
    ).toMatchObject({ sweepIntervalMs: 5_000 });
    expect(resolveServeConfig(["--api-key", KEY], { CAIRN_SWEEP_INTERVAL: "0" })).toMatchObject({
      sweepIntervalMs: 0,
    });
    expect(resolveServeConfig(["--api-key", KEY, "--sweep-interval", "1m"], {})).toEqual({
      error: "invalid sweep interval '1m'",
    });
  });

  it("rejects unknown flags", () => {
    expect(() => resolveServeConfig(["--nope"], {})).toThrow();
  });
  it("takes the log level and the metrics listener, metrics off by default", () => {
    expect(resolveServeConfig(["--api-key", KEY], {})).toMatchObject({
      logLevel: "info",
      metrics: undefined,
    });
    expect(
      resolveServeConfig(["--api-key", KEY, "--metrics-port", "9464", "--log-level", "debug"], {
        CAIRN_METRICS_TOKEN: "scrape-token-0123456789",
      }),
    ).toMatchObject({
      logLevel: "debug",
      metrics: { port: 9464, host: "127.0.0.1", token: "scrape-token-0123456789" },
    });
    expect(resolveServeConfig(["--api-key", KEY, "--log-level", "loud"], {})).toMatchObject({
      error: expect.stringMatching(/--log-level must be one of/),
    });
    expect(resolveServeConfig(["--api-key", KEY, "--metrics-token", "x".repeat(20)], {})).toEqual({
      error: "--metrics-host and --metrics-token need --metrics-port",
    });
    expect(
      resolveServeConfig(
        ["--api-key", KEY, "--metrics-port", "9464", "--metrics-token", "short"],
        {},
      ),
    ).toEqual({ error: "the metrics token must be at least 16 characters" });
  });

  it("takes the script pool and drain settings from flags or the environment", () => {
    expect(
      resolveServeConfig(["--api-key", KEY, "--script-workers", "3", "--drain-timeout-ms", "500"], {
        CAIRN_SCRIPT_HEAP_MB: "128",
        CAIRN_SCRIPT_WORKERS: "9",
      }),
    ).toMatchObject({
      scripts: { workers: 3, heapMb: 128, jobsPerWorker: 4, maxQueued: 1024, drainMs: 500 },
    });
    expect(resolveServeConfig(["--api-key", KEY, "--script-heap-mb", "8"], {})).toEqual({
      error: "--script-heap-mb must be a whole number of at least 16, not '8'",
    });
  });
});
