import { describe, expect, it } from "vitest";
import { Journal } from "./journal.js";
import { DEFAULT_SANDBOX_POLICY, denyMatcher, REDACTED, redactSecrets } from "./policy.js";
import { bytes, commitInto, errorCode, scratchVfs, text } from "./test-support.js";
import { Vfs } from "./vfs.js";

describe("denyMatcher", () => {
  const deny = denyMatcher({
    ...DEFAULT_SANDBOX_POLICY,
    denySecrets: true,
    denyGlobs: ["/vault/**"],
  })!;

  it.each([
    ["/.env", true],
    ["/app/.env", true],
    ["/app/.env.production", true],
    ["/home/u/.ssh", true],
    ["/home/u/.ssh/known_hosts", true],
    ["/certs/server.pem", true],
    ["/id_rsa.pub", true],
    ["/vault", true],
    ["/vault/a/b", true],
    ["/app/main.ts", false],
    ["/app/env.ts", false],
    ["/", false],
  ])("%s → %s", (path, denied) => {
    expect(deny(path)).toBe(denied);
  });

  it("is undefined when nothing is denied", () => {
    expect(denyMatcher(DEFAULT_SANDBOX_POLICY)).toBeUndefined();
  });
});

describe("redactSecrets", () => {
  it("replaces keys and tokens, leaving ordinary text", () => {
    const input = [
      "aws AKIAIOSFODNN7EXAMPLE end",
      `gh ghp_${"x".repeat(36)}`,
      "-----BEGIN RSA PRIVATE KEY-----\nMIIE\nabc\n-----END RSA PRIVATE KEY-----",
      "url postgres://app:s3cret@db:5432/x",
      "const apiKey = getKey(); // no literal",
    ].join("\n");
    const { text: out, count } = redactSecrets(input);
    expect(count).toBe(4);
    expect(out).toBe(
      [
        `aws ${REDACTED} end`,
        `gh ${REDACTED}`,
        REDACTED,
        `url ${REDACTED}db:5432/x`,
        "const apiKey = getKey(); // no literal",
      ].join("\n"),
    );
  });
});

describe("Vfs under a policy", () => {
  function under(options: { readOnly?: boolean; deny?: (p: string) => boolean }) {
    const seed = scratchVfs();
    seed.writeFile("/app/.env", bytes("TOKEN=1"));
    seed.writeFile("/app/main.ts", bytes("ok"));
    const blobs = new Map<string, Uint8Array>();
    const tree = commitInto(seed, blobs);
    return new Vfs(
      new Journal(tree),
      async (hashes) => new Map(hashes.map((h) => [h, blobs.get(h)!])),
      options,
    );
  }

  it("read-only: every write is EROFS, reads work", async () => {
    const vfs = under({ readOnly: true });
    expect(errorCode(() => vfs.writeFile("/x", bytes("x")))).toBe("EROFS");
    expect(errorCode(() => vfs.mkdir("/d"))).toBe("EROFS");
    expect(errorCode(() => vfs.rm("/app/main.ts"))).toBe("EROFS");
    expect(errorCode(() => vfs.rename("/app/main.ts", "/m"))).toBe("EROFS");
    expect(text(await vfs.readFile("/app/main.ts"))).toBe("ok");
  });

  it("denied: no read, write, move, copy, link or delete; a symlink does not get around it", async () => {
    const vfs = under({ deny: denyMatcher({ ...DEFAULT_SANDBOX_POLICY, denySecrets: true }) });
    await expect(vfs.readFile("/app/.env")).rejects.toMatchObject({ code: "EACCES" });
    for (const write of [
      () => vfs.writeFile("/app/.env", bytes("x")),
      () => vfs.rename("/app/.env", "/app/plain"),
      () => vfs.copy("/app/.env", "/app/plain"),
      () => vfs.link("/app/.env", "/app/plain"),
      () => vfs.rm("/app/.env"),
      () => vfs.chmod("/app/.env", 0o777),
    ]) {
      expect(errorCode(write)).toBe("EACCES");
    }
    vfs.symlink("/app/.env", "/app/link");
    await expect(vfs.readFile("/app/link")).rejects.toMatchObject({ code: "EACCES" });
    expect(vfs.readdir("/app").map((e) => e.name)).toEqual([".env", "link", "main.ts"]);
    expect(vfs.stat("/app/.env").size).toBe(7);
  });
});
