import { describe, expect, it } from "vitest";
import {
  type Backend,
  DEFAULT_SANDBOX_OPTIONS,
  rootInode,
  type SandboxRecord,
  type TreeData,
} from "./backend.js";
import { SandboxService } from "./sandbox-service.js";

const scope = { tenantId: "t" };

/**
 * A sandbox that another writer commits to between any two of our reads: every
 * load sees a newer version than the one before, so record and tree never agree.
 */
function busyBackend(): Backend {
  let version = 0;
  const record = (): SandboxRecord => ({
    id: "sbx_busy",
    tenantId: "t",
    name: null,
    env: {},
    options: DEFAULT_SANDBOX_OPTIONS,
    shell: null,
    version: ++version,
    createdAt: new Date(0),
    updatedAt: new Date(0),
    expiresAt: null,
    idleTimeout: null,
    idleExpiresAt: null,
  });
  const tree = (): TreeData => ({
    version: ++version,
    inodes: [rootInode(0)],
    dentries: [],
  });
  const partial: Partial<Backend> = {
    getSandbox: async () => record(),
    loadTree: async () => tree(),
    readBlobs: async () => new Map(),
  };
  return partial as Backend;
}

describe("SandboxService.read under constant commits", () => {
  it("answers from the current tree instead of waiting for record and tree to agree", async () => {
    const service = new SandboxService({ backend: busyBackend() });
    const { value } = await service.read(scope, "sbx_busy", (vfs) => vfs.readdir("/"));
    expect(value).toEqual([]);
  });
});
