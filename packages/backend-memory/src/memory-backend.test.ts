import { execScript, SandboxService, VersionConflictError } from "@cairn/core";
import { describe, expect, it } from "vitest";
import { createMemoryBackend } from "./memory-backend.js";

const scope = { tenantId: "t1" };
const other = { tenantId: "t2" };
const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

function setup() {
  const backend = createMemoryBackend();
  return { backend, service: new SandboxService({ backend }) };
}

describe("memory backend contract", () => {
  it("rejects a commit based on a stale version and applies nothing", async () => {
    const { backend, service } = setup();
    const sb = await service.create(scope);
    await service.mutate(scope, sb.id, (vfs) => vfs.writeFile("/a", enc("1")));
    const stale = {
      baseVersion: sb.version,
      upsertInodes: [],
      deleteInodes: [],
      upsertDentries: [],
      deleteDentries: [],
      blobs: [],
    };
    await expect(backend.commit(scope.tenantId, sb.id, stale)).rejects.toBeInstanceOf(
      VersionConflictError,
    );
    expect((await backend.getSandbox(scope.tenantId, sb.id))?.version).toBe(2);
  });

  it("hides one tenant's sandboxes and blobs from another", async () => {
    const { backend, service } = setup();
    const sb = await service.create(scope, { files: [{ path: "/secret", bytes: enc("s3cret") }] });
    expect(await backend.getSandbox(other.tenantId, sb.id)).toBeUndefined();
    expect(await backend.loadTree(other.tenantId, sb.id)).toBeUndefined();
    expect((await backend.listSandboxes(other.tenantId, { limit: 10 })).items).toEqual([]);
    const tree = await backend.loadTree(scope.tenantId, sb.id);
    const hash = tree !== "unchanged" && tree?.inodes.find((i) => i.kind === "file")?.blob;
    expect(hash).toBeTruthy();
    expect((await backend.readBlobs(other.tenantId, [hash as string])).size).toBe(0);
    expect(await backend.deleteSandbox(other.tenantId, sb.id)).toBe(false);
  });

  it("lists newest first with a cursor that visits each sandbox once", async () => {
    const { service } = setup();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await service.create(scope)).id);
    const seen: string[] = [];
    let after: string | undefined;
    do {
      const page = await service.list(scope, { limit: 2, after });
      seen.push(...page.items.map((s) => s.id));
      after = page.next ?? undefined;
    } while (after);
    expect(seen).toEqual(ids.reverse());
  });
});

describe("exec on the memory backend (real just-bash)", () => {
  it("commits a pipeline's writes in one version", async () => {
    const { service } = setup();
    const sb = await service.create(scope, { files: [{ path: "/in.txt", bytes: enc("a\nb\n") }] });
    const r = await execScript(service, scope, sb.id, {
      script: "cat /in.txt | tr a-z A-Z > /out.txt; echo done > /log; wc -l < /out.txt",
    });
    expect(dec(r.stdout)).toBe("2\n");
    expect(r.commit).toEqual({ status: "committed", version: sb.version + 1 });
    const { value } = await service.read(scope, sb.id, (vfs) => vfs.readFile("/out.txt"));
    expect(dec(value)).toBe("A\nB\n");
  });

  it("on_success discards every write of a failing script", async () => {
    const { service } = setup();
    const sb = await service.create(scope);
    const r = await execScript(service, scope, sb.id, {
      script: "echo 1 > /a; echo 2 > /b; mkdir /c; exit 1",
      commit: "on_success",
    });
    expect(r.commit.status).toBe("discarded");
    const { value } = await service.read(scope, sb.id, (vfs) => vfs.readdir("/"));
    expect(value).toEqual([]);
  });

  it("a timed-out loop commits nothing and the sandbox stays usable", async () => {
    const { service } = setup();
    const sb = await service.create(scope);
    await expect(
      execScript(service, scope, sb.id, {
        script: "echo x > /partial; while true; do :; done",
        timeoutMs: 300,
      }),
    ).rejects.toThrow(/did not finish/);
    const r = await execScript(service, scope, sb.id, { script: "ls /; echo ok" });
    expect(dec(r.stdout)).toBe("ok\n");
  });

  it("100 concurrent appends all survive", async () => {
    const { service } = setup();
    const sb = await service.create(scope);
    await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        execScript(service, scope, sb.id, { script: `echo line-${i} >> /f` }),
      ),
    );
    const { value } = await service.read(scope, sb.id, (vfs) => vfs.readFile("/f"));
    const lines = dec(value).trim().split("\n").sort();
    expect(lines).toHaveLength(100);
    expect(new Set(lines).size).toBe(100);
  });

  it("read-only scripts run in parallel with a writer and never commit", async () => {
    const { service } = setup();
    const sb = await service.create(scope, { files: [{ path: "/data", bytes: enc("x\n") }] });
    const writer = execScript(service, scope, sb.id, {
      script: "for i in $(seq 200); do echo $i >> /data; done",
    });
    const readers = Array.from({ length: 50 }, () =>
      execScript(service, scope, sb.id, { script: "head -1 /data" }),
    );
    const results = await Promise.all(readers);
    for (const r of results) {
      expect(dec(r.stdout)).toBe("x\n");
      expect(r.commit.status).toBe("unchanged");
    }
    expect((await writer).commit.status).toBe("committed");
  });

  it("writes to /dev/null leave no file", async () => {
    const { service } = setup();
    const sb = await service.create(scope);
    const r = await execScript(service, scope, sb.id, {
      script: "echo hidden > /dev/null; cat /dev/null; ls /",
    });
    expect(dec(r.stdout)).toBe("");
    expect(r.commit.status).toBe("unchanged");
  });

  it("binary data piped into a file keeps its bytes", async () => {
    const { service } = setup();
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const sb = await service.create(scope, { files: [{ path: "/bin", bytes: all }] });
    await execScript(service, scope, sb.id, { script: "cat /bin | head -c 256 > /copy" });
    const { value } = await service.read(scope, sb.id, (vfs) => vfs.readFile("/copy"));
    expect(value).toEqual(all);
  });

  it("the commit mode never keeps the tree unchanged", async () => {
    const { service } = setup();
    const sb = await service.create(scope);
    const r = await execScript(service, scope, sb.id, { script: "echo a > /a", commit: "never" });
    expect(r.commit).toEqual({ status: "discarded", version: sb.version });
  });
});
