import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { resolveMcpConfig } from "./mcp-command.js";

describe("resolveMcpConfig", () => {
  it.each([
    [
      "embedded PGlite by default",
      [],
      {},
      { kind: "local", storage: { kind: "embedded", dataDir: resolve(".cairn-data") } },
    ],
    [
      "CAIRN_DATA_DIR",
      [],
      { CAIRN_DATA_DIR: "/tmp/x" },
      { kind: "local", storage: { kind: "embedded", dataDir: "/tmp/x" } },
    ],
    [
      "DATABASE_URL",
      [],
      { DATABASE_URL: "postgres://db/x" },
      { kind: "local", storage: { kind: "postgres", url: "postgres://db/x" } },
    ],
    ["--memory", ["--memory"], {}, { kind: "local", storage: { kind: "memory" } }],
    [
      "--url with CAIRN_API_KEY",
      ["--url", "http://h:1"],
      { CAIRN_API_KEY: "k" },
      { kind: "remote", url: "http://h:1", apiKey: "k" },
    ],
    [
      "CAIRN_URL and --api-key",
      ["--api-key", "f"],
      { CAIRN_URL: "http://h:2", CAIRN_API_KEY: "e" },
      { kind: "remote", url: "http://h:2", apiKey: "f" },
    ],
  ])("%s", (_, args, env, want) => {
    expect(resolveMcpConfig(args, env)).toEqual(want);
  });

  it.each([
    ["--url without a key", ["--url", "http://h:1"], /needs an API key/],
    [
      "--url with local storage",
      ["--url", "http://h:1", "--api-key", "k", "--memory"],
      /cannot be combined with --memory/,
    ],
    ["a malformed --url", ["--url", "not a url", "--api-key", "k"], /invalid --url/],
    ["--api-key without --url", ["--api-key", "k"], /--api-key is for --url/],
  ])("refuses %s", (_, args, error) => {
    const result = resolveMcpConfig(args, {});
    expect((result as { error: string }).error).toMatch(error);
  });
});
