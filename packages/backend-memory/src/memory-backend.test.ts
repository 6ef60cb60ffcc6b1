/** What is particular to the memory backend; the shared contract runs in @cairn/conformance. */
import { execScript, InvalidArgumentError, SandboxService } from "@cairn/core";
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

describe("content loading through the service", () => {
  it("a grep -r over a tree costs one blob read per directory, not per file", async () => {
    const inner = createMemoryBackend();
    let reads = 0;
    const backend = {
      ...inner,
      readBlobs: (tenantId: string, hashes: readonly string[]) => {
        reads++;
        return inner.readBlobs(tenantId, hashes);
      },
    };
    const files = [];
    for (let d = 0; d < 3; d++) {
      for (let f = 0; f < 50; f++) {
        files.push({
          path: `/w/d${d}/f${f}.txt`,
          bytes: new TextEncoder().encode(`dir ${d} file ${f}\n`),
        });
      }
    }
    const sb = await new SandboxService({ backend }).create(scope, { files });
    const cold = new SandboxService({ backend });
    const r = await execScript(cold, scope, sb.id, { script: "grep -rl 'file 7$' /w | sort" });
    expect(new TextDecoder().decode(r.stdout)).toBe("/w/d0/f7.txt\n/w/d1/f7.txt\n/w/d2/f7.txt\n");
    expect(reads).toBe(3);
  });
});
