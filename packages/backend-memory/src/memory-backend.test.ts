/** What is particular to the memory backend; the shared contract runs in @cairn/conformance. */
import { InvalidArgumentError, SandboxService } from "@cairn/core";
import { describe, expect, it } from "vitest";
import { createMemoryBackend } from "./memory-backend.js";

const scope = { tenantId: "t1" };

describe("memory backend", () => {
  it("hands out copies: changing a returned record does not change the store", async () => {
    const backend = createMemoryBackend();
    const sb = await new SandboxService({ backend }).create(scope, { env: { A: "1" } });
    const record = await backend.getSandbox(scope.tenantId, sb.id);
    record!.env.A = "changed";
    record!.version = 99;
    expect(await backend.getSandbox(scope.tenantId, sb.id)).toMatchObject({
      env: { A: "1" },
      version: 1,
    });
    const tree = await backend.loadTree(scope.tenantId, sb.id);
    if (tree === undefined || tree === "unchanged") throw new Error("no tree");
    tree.inodes[0]!.mode = 0;
    const again = await backend.loadTree(scope.tenantId, sb.id);
    expect(again !== undefined && again !== "unchanged" && again.inodes[0]!.mode).toBe(0o755);
  });

  it("rejects a malformed cursor", async () => {
    await expect(
      createMemoryBackend().listSandboxes("t", { limit: 1, after: "x" }),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});
