/**
 * `describeBackendContract`: the storage-level half of conformance. Every
 * backend must keep the core's assumptions (compare-and-set commits, tenant
 * scoping, listing order) so the core behaves the same on all of them.
 */
import { createHash } from "node:crypto";
import {
  type Backend,
  type ChangeSet,
  DEFAULT_SANDBOX_OPTIONS,
  execScript,
  MACHINE_HOME,
  ROOT_INO,
  SandboxNotFoundError,
  SandboxService,
  VersionConflictError,
} from "@cairn/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeExpiryContract } from "./expiry-contract.js";
import { describeHistoryContract } from "./history-contract.js";
import type { BackendFactory } from "./reference-server.js";
import { describeSnapshotContract } from "./snapshot-contract.js";

/** What the root of a new sandbox holds before anything is written: its home and /tmp. */
const MACHINE_ROOT = ["home", "tmp"];

const scope = { tenantId: "contract-a" };
const other = { tenantId: "contract-b" };
const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

const emptyChange = (baseVersion: number): ChangeSet => ({
  baseVersion,
  upsertInodes: [],
  deleteInodes: [],
  upsertDentries: [],
  deleteDentries: [],
  blobs: [],
});

/** A commit that adds the file `/${name}` under the root, written by hand (no service). */
async function addFileChange(
  backend: Backend,
  tenantId: string,
  id: string,
  baseVersion: number,
  name: string,
  text: string,
): Promise<ChangeSet> {
  const tree = await backend.loadTree(tenantId, id);
  if (tree === undefined || tree === "unchanged") throw new Error("no tree");
  const ino = Math.max(...tree.inodes.map((i) => i.ino)) + 1;
  const bytes = enc(text);
  const hash = createHash("sha256").update(bytes).digest("hex");
  return {
    ...emptyChange(baseVersion),
    upsertInodes: [
      {
        ino,
        kind: "file",
        mode: 0o644,
        mtimeMs: 1_700_000_000_000,
        size: bytes.length,
        blob: hash,
        target: null,
      },
    ],
    upsertDentries: [{ parent: ROOT_INO, name, ino }],
    blobs: [{ hash, bytes }],
  };
}

/**
 * @example
 * describeBackendContract({ name: "sqlite", createBackend: () => createSqliteBackend(":memory:") });
 */
export function describeBackendContract(options: {
  name: string;
  createBackend: BackendFactory;
}): void {
  describe(`cairn backend contract: ${options.name}`, () => {
    let backend: Backend;
    let service: SandboxService;
    beforeAll(async () => {
      backend = await options.createBackend();
      service = new SandboxService({ backend });
    });
    afterAll(async () => {
      await backend?.close?.();
    });

    describeHistoryContract(() => backend);
    describeSnapshotContract(() => backend);
    describeExpiryContract(() => backend);

    it("commit-on-stale-version-conflicts-and-applies-nothing", async () => {
      const sb = await service.create(scope);
      await service.mutate(scope, sb.id, (vfs) => vfs.writeFile("/a", enc("1")));
      await expect(
        backend.commit(scope.tenantId, sb.id, emptyChange(sb.version)),
      ).rejects.toBeInstanceOf(VersionConflictError);
      expect((await backend.getSandbox(scope.tenantId, sb.id))?.version).toBe(sb.version + 1);
    });

    it("file-meta-round-trips-and-is-cleared-by-an-upsert-without-it", async () => {
      const sb = await service.create(scope);
      const meta = { tags: ["entry", "lang:ts", "ünï"], summary: 'Starts "the" server.' };
      await service.mutate(scope, sb.id, (vfs) => {
        vfs.writeFile("/a", enc("1"));
        vfs.setMeta("/a", meta);
        vfs.writeFile("/plain", enc("2"));
      });
      const loaded = await backend.loadTree(scope.tenantId, sb.id);
      if (loaded === undefined || loaded === "unchanged") throw new Error("no tree");
      const inodeOf = (tree: typeof loaded, name: string) => {
        const ino = tree.dentries.find((d) => d.parent === ROOT_INO && d.name === name)!.ino;
        return tree.inodes.find((i) => i.ino === ino)!;
      };
      expect(inodeOf(loaded, "a").meta).toEqual(meta);
      expect(inodeOf(loaded, "plain").meta).toBeUndefined();
      await service.mutate(scope, sb.id, (vfs) => vfs.setMeta("/a", null));
      const cleared = await backend.loadTree(scope.tenantId, sb.id);
      if (cleared === undefined || cleared === "unchanged") throw new Error("no tree");
      expect(inodeOf(cleared, "a").meta).toBeUndefined();
    });

    it("options-round-trip-on-create-and-shell-starts-empty", async () => {
      const plain = await service.create(scope);
      // A new sandbox gets a home (where its scripts start) on top of the options asked for.
      expect(plain.options).toEqual({ ...DEFAULT_SANDBOX_OPTIONS, home: MACHINE_HOME });
      expect(plain.shell).toBeNull();
      const custom = {
        persistShell: true,
        runtimes: ["python3", "js-exec"] as const,
        home: MACHINE_HOME,
      };
      const sb = await service.create(scope, {
        options: { persistShell: true, runtimes: [...custom.runtimes] },
      });
      expect(sb.options).toEqual(custom);
      const stored = await backend.getSandbox(scope.tenantId, sb.id);
      expect(stored?.options).toEqual(custom);
      expect(stored?.shell).toBeNull();
      expect((await backend.getSandbox(scope.tenantId, plain.id))?.options).toEqual({
        ...DEFAULT_SANDBOX_OPTIONS,
        home: MACHINE_HOME,
      });
      const listed = (await backend.listSandboxes(scope.tenantId, { limit: 1000 })).items;
      expect(listed.find((s) => s.id === sb.id)?.options).toEqual(custom);
    });

    it("a-returned-record-is-a-copy-of-options-and-shell", async () => {
      const sb = await service.create(scope, { options: { persistShell: true, runtimes: [] } });
      await backend.commit(scope.tenantId, sb.id, {
        ...emptyChange(sb.version),
        sandbox: { shell: { cwd: "/w", env: { A: "1" } } },
      });
      const record = await backend.getSandbox(scope.tenantId, sb.id);
      record!.options.runtimes.push("python3");
      record!.options.persistShell = false;
      record!.shell!.env.A = "changed";
      record!.shell!.cwd = "/elsewhere";
      expect(await backend.getSandbox(scope.tenantId, sb.id)).toMatchObject({
        options: { persistShell: true, runtimes: [] },
        shell: { cwd: "/w", env: { A: "1" } },
      });
    });

    it("a-shell-only-commit-bumps-the-version-and-saves-the-shell", async () => {
      const sb = await service.create(scope, { options: { persistShell: true, runtimes: [] } });
      const shell = { cwd: "/work/dir", env: { FOO: "bar", EMPTY: "" } };
      const { version } = await backend.commit(scope.tenantId, sb.id, {
        ...emptyChange(sb.version),
        sandbox: { shell },
      });
      expect(version).toBe(sb.version + 1);
      const stored = await backend.getSandbox(scope.tenantId, sb.id);
      expect(stored).toMatchObject({ version: sb.version + 1, shell, name: sb.name, env: sb.env });
      expect(stored?.options).toEqual({ persistShell: true, runtimes: [], home: MACHINE_HOME });
      // The tree is untouched but its version moved with the commit.
      const tree = await backend.loadTree(scope.tenantId, sb.id, sb.version);
      expect(tree).toMatchObject({ version: sb.version + 1 });
    });

    it("a-null-shell-clears-the-saved-shell", async () => {
      const sb = await service.create(scope, { options: { persistShell: true, runtimes: [] } });
      await backend.commit(scope.tenantId, sb.id, {
        ...emptyChange(sb.version),
        sandbox: { shell: { cwd: "/tmp", env: {} } },
      });
      // A commit without `shell` keeps it.
      await backend.commit(scope.tenantId, sb.id, emptyChange(sb.version + 1));
      expect((await backend.getSandbox(scope.tenantId, sb.id))?.shell).toEqual({
        cwd: "/tmp",
        env: {},
      });
      const { version } = await backend.commit(scope.tenantId, sb.id, {
        ...emptyChange(sb.version + 2),
        sandbox: { shell: null },
      });
      expect(version).toBe(sb.version + 3);
      const stored = await backend.getSandbox(scope.tenantId, sb.id);
      expect(stored?.shell).toBeNull();
      expect(stored?.version).toBe(sb.version + 3);
    });

    it("a-sandbox-only-commit-on-a-stale-version-conflicts-and-changes-nothing", async () => {
      const sb = await service.create(scope, { name: "before", env: { A: "1" } });
      await backend.commit(scope.tenantId, sb.id, {
        ...emptyChange(sb.version),
        sandbox: { shell: { cwd: "/kept", env: {} } },
      });
      const before = await backend.getSandbox(scope.tenantId, sb.id);
      await expect(
        backend.commit(scope.tenantId, sb.id, {
          ...emptyChange(sb.version),
          sandbox: {
            name: "after",
            env: { B: "2" },
            options: { persistShell: true, runtimes: ["js-exec"] },
            shell: null,
          },
        }),
      ).rejects.toBeInstanceOf(VersionConflictError);
      const after = await backend.getSandbox(scope.tenantId, sb.id);
      expect(after).toEqual(before);
      expect(after).toMatchObject({
        name: "before",
        env: { A: "1" },
        options: DEFAULT_SANDBOX_OPTIONS,
        shell: { cwd: "/kept", env: {} },
        version: sb.version + 1,
      });
    });

    it("commit-updates-name-env-and-options-keeping-absent-fields", async () => {
      const sb = await service.create(scope, { name: "first", env: { A: "1" } });
      await backend.commit(scope.tenantId, sb.id, {
        ...emptyChange(sb.version),
        sandbox: { name: "second", env: { B: "2" } },
      });
      expect(await backend.getSandbox(scope.tenantId, sb.id)).toMatchObject({
        name: "second",
        env: { B: "2" },
        options: DEFAULT_SANDBOX_OPTIONS,
        version: sb.version + 1,
      });
      await backend.commit(scope.tenantId, sb.id, {
        ...emptyChange(sb.version + 1),
        sandbox: { options: { persistShell: true, runtimes: ["python3"] } },
      });
      expect(await backend.getSandbox(scope.tenantId, sb.id)).toMatchObject({
        name: "second",
        env: { B: "2" },
        options: { persistShell: true, runtimes: ["python3"] },
        version: sb.version + 2,
      });
      // name: null clears the name; env {} empties it.
      await backend.commit(scope.tenantId, sb.id, {
        ...emptyChange(sb.version + 2),
        sandbox: { name: null, env: {} },
      });
      expect(await backend.getSandbox(scope.tenantId, sb.id)).toMatchObject({
        name: null,
        env: {},
        options: { persistShell: true, runtimes: ["python3"] },
        version: sb.version + 3,
      });
    });

    it("tree-changes-and-a-sandbox-update-commit-together", async () => {
      const sb = await service.create(scope, { options: { persistShell: true, runtimes: [] } });
      const shell = { cwd: "/", env: { X: "y" } };
      const change = await addFileChange(backend, scope.tenantId, sb.id, sb.version, "f", "both");
      const { version } = await backend.commit(scope.tenantId, sb.id, {
        ...change,
        sandbox: { name: "renamed", shell },
      });
      expect(version).toBe(sb.version + 1);
      expect(await backend.getSandbox(scope.tenantId, sb.id)).toMatchObject({
        name: "renamed",
        shell,
        version,
      });
      const fresh = new SandboxService({ backend });
      const { value } = await fresh.read(scope, sb.id, (vfs) => vfs.readFile("/f"));
      expect(dec(value)).toBe("both");

      // And at a stale version, neither half applies.
      const stale = await addFileChange(backend, scope.tenantId, sb.id, sb.version, "g", "no");
      await expect(
        backend.commit(scope.tenantId, sb.id, { ...stale, sandbox: { shell: null } }),
      ).rejects.toBeInstanceOf(VersionConflictError);
      expect((await backend.getSandbox(scope.tenantId, sb.id))?.shell).toEqual(shell);
      const tree = await backend.loadTree(scope.tenantId, sb.id);
      expect(
        tree !== undefined && tree !== "unchanged" && tree.dentries.map((d) => d.name).sort(),
      ).toEqual(["f", "home", "tmp", "user"]);
    });

    it("commit-on-missing-sandbox-is-not-found", async () => {
      await expect(
        backend.commit(scope.tenantId, "sbx_missing", emptyChange(1)),
      ).rejects.toBeInstanceOf(SandboxNotFoundError);
    });

    it("load-tree-says-unchanged-for-the-current-version", async () => {
      const sb = await service.create(scope);
      expect(await backend.loadTree(scope.tenantId, sb.id, sb.version)).toBe("unchanged");
      const tree = await backend.loadTree(scope.tenantId, sb.id, sb.version - 1);
      expect(tree).toMatchObject({ version: sb.version });
    });

    it("tenants-see-nothing-of-each-other", async () => {
      const sb = await service.create(scope, {
        files: [{ path: "/secret", bytes: enc("s3cret") }],
      });
      expect(await backend.getSandbox(other.tenantId, sb.id)).toBeUndefined();
      expect(await backend.loadTree(other.tenantId, sb.id)).toBeUndefined();
      expect(
        (await backend.listSandboxes(other.tenantId, { limit: 100 })).items.map((s) => s.id),
      ).not.toContain(sb.id);
      const tree = await backend.loadTree(scope.tenantId, sb.id);
      const hash =
        tree !== "unchanged" ? tree?.inodes.find((i) => i.kind === "file")?.blob : undefined;
      expect(hash).toBeTruthy();
      expect((await backend.readBlobs(other.tenantId, [hash!])).size).toBe(0);
      expect((await backend.readBlobs(scope.tenantId, [hash!])).get(hash!)).toEqual(enc("s3cret"));
      expect(await backend.deleteSandbox(other.tenantId, sb.id)).toBe(false);
      await expect(
        backend.commit(other.tenantId, sb.id, emptyChange(sb.version)),
      ).rejects.toBeInstanceOf(SandboxNotFoundError);
    });

    it("lists-newest-first-visiting-each-sandbox-once", async () => {
      const tenant = { tenantId: `contract-list-${Date.now()}` };
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await service.create(tenant)).id);
      const seen: string[] = [];
      let after: string | undefined;
      do {
        const page = await backend.listSandboxes(tenant.tenantId, { limit: 2, after });
        seen.push(...page.items.map((s) => s.id));
        after = page.next ?? undefined;
      } while (after);
      expect(seen).toEqual(ids.reverse());
    });

    it("delete-removes-the-sandbox-and-its-tree", async () => {
      const sb = await service.create(scope, { files: [{ path: "/d/f", bytes: enc("x") }] });
      expect(await backend.deleteSandbox(scope.tenantId, sb.id)).toBe(true);
      expect(await backend.getSandbox(scope.tenantId, sb.id)).toBeUndefined();
      expect(await backend.loadTree(scope.tenantId, sb.id)).toBeUndefined();
    });

    it("a-reloaded-tree-equals-the-committed-one", async () => {
      const sb = await service.create(scope);
      await service.mutate(scope, sb.id, (vfs) => {
        vfs.writeFile("/a/b/c.txt", enc("deep"));
        vfs.symlink("/a/b/c.txt", "/link");
        vfs.link("/a/b/c.txt", "/hard");
        vfs.mkdir("/empty");
        vfs.chmod("/a/b/c.txt", 0o600);
      });
      await service.mutate(scope, sb.id, (vfs) => vfs.rename("/a", "/moved"));
      const fresh = new SandboxService({ backend });
      const { value } = await fresh.read(scope, sb.id, async (vfs) => ({
        root: vfs.readdir("/").map((e) => `${e.name}:${e.stat.kind}`),
        text: dec(await vfs.readFile("/moved/b/c.txt")),
        dangling: !vfs.exists("/link"),
        mode: vfs.stat("/hard").mode,
        nlink: vfs.stat("/hard").nlink,
        target: vfs.stat("/link", false).target,
      }));
      expect(value).toEqual({
        root: [
          "empty:directory",
          "hard:file",
          "home:directory",
          "link:symlink",
          "moved:directory",
          "tmp:directory",
        ],
        text: "deep",
        dangling: true,
        mode: 0o600,
        nlink: 2,
        target: "/a/b/c.txt",
      });
    });

    it("binary-content-round-trips-byte-exactly", async () => {
      const all = Uint8Array.from({ length: 256 }, (_, i) => i);
      const sb = await service.create(scope, { files: [{ path: "/all", bytes: all }] });
      const fresh = new SandboxService({ backend });
      const { value } = await fresh.read(scope, sb.id, (vfs) => vfs.readFile("/all"));
      expect(value).toEqual(all);
    });

    it("exec-commits-all-writes-of-a-script-in-one-version", async () => {
      const sb = await service.create(scope, {
        files: [{ path: "/in.txt", bytes: enc("a\nb\n") }],
      });
      const r = await execScript(service, scope, sb.id, {
        script: "cat /in.txt | tr a-z A-Z > /out.txt; echo done > /log; wc -l < /out.txt",
      });
      expect(dec(r.stdout)).toBe("2\n");
      expect(r.commit).toEqual({ status: "committed", version: sb.version + 1 });
    });

    it("exec-on-success-discards-every-write-of-a-failing-script", async () => {
      const sb = await service.create(scope);
      const r = await execScript(service, scope, sb.id, {
        script: "echo 1 > /a; echo 2 > /b; mkdir /c; exit 1",
        commit: "on_success",
      });
      expect(r.commit.status).toBe("discarded");
      const { value } = await service.read(scope, sb.id, (vfs) =>
        vfs.readdir("/").map((e) => e.name),
      );
      expect(value).toEqual(MACHINE_ROOT);
    });

    it("exec-timeout-commits-nothing-and-the-sandbox-stays-usable", async () => {
      const sb = await service.create(scope);
      await expect(
        execScript(service, scope, sb.id, {
          script: "echo x > /partial; while true; do :; done",
          timeoutMs: 300,
        }),
      ).rejects.toThrow(/did not finish/);
      const r = await execScript(service, scope, sb.id, { script: "ls /; echo ok" });
      expect(dec(r.stdout)).toBe("bin\nhome\ntmp\nusr\nok\n");
    });

    it("a-sandbox-made-before-homes-starts-at-root", async () => {
      const sb = await service.create(scope);
      // A record stored before `home` existed has none in its options.
      await backend.commit(scope.tenantId, sb.id, {
        ...emptyChange(sb.version),
        sandbox: { options: { ...DEFAULT_SANDBOX_OPTIONS } },
      });
      const r = await execScript(service, scope, sb.id, { script: 'pwd; echo "$HOME $PATH"' });
      expect(dec(r.stdout)).toBe("/\n/ /usr/bin:/bin\n");
    });

    it("exec-writes-to-dev-null-leave-no-file", async () => {
      const sb = await service.create(scope);
      const r = await execScript(service, scope, sb.id, {
        script: "echo hidden > /dev/null; cat /dev/null; ls /",
      });
      expect(dec(r.stdout)).toBe("bin\nhome\ntmp\nusr\n");
      expect(r.commit.status).toBe("unchanged");
    });

    it("exec-binary-piped-into-a-file-keeps-its-bytes", async () => {
      const all = Uint8Array.from({ length: 256 }, (_, i) => i);
      const sb = await service.create(scope, { files: [{ path: "/data", bytes: all }] });
      await execScript(service, scope, sb.id, { script: "cat /data | head -c 256 > /copy" });
      const fresh = new SandboxService({ backend });
      const { value } = await fresh.read(scope, sb.id, (vfs) => vfs.readFile("/copy"));
      expect(value).toEqual(all);
    });

    it("exec-commit-never-keeps-the-tree-unchanged", async () => {
      const sb = await service.create(scope);
      const r = await execScript(service, scope, sb.id, { script: "echo a > /a", commit: "never" });
      expect(r.commit).toEqual({
        status: "discarded",
        version: sb.version,
        reason: "commit_never",
      });
      expect((await backend.getSandbox(scope.tenantId, sb.id))?.version).toBe(sb.version);
    });

    it("100-concurrent-exec-appends-all-survive", async () => {
      const sb = await service.create(scope);
      await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          execScript(service, scope, sb.id, { script: `echo line-${i} >> /f` }),
        ),
      );
      const { value } = await service.read(scope, sb.id, (vfs) => vfs.readFile("/f"));
      const lines = dec(value).trim().split("\n");
      expect(lines).toHaveLength(100);
      expect(new Set(lines).size).toBe(100);
    });

    it("read-only-execs-run-beside-a-writer-and-never-commit", async () => {
      const sb = await service.create(scope, { files: [{ path: "/data", bytes: enc("x\n") }] });
      const writer = execScript(service, scope, sb.id, {
        script: "for i in $(seq 200); do echo $i >> /data; done",
      });
      const readers = await Promise.all(
        Array.from({ length: 50 }, () =>
          execScript(service, scope, sb.id, { script: "head -1 /data" }),
        ),
      );
      for (const r of readers) {
        expect(dec(r.stdout)).toBe("x\n");
        expect(r.commit.status).toBe("unchanged");
      }
      expect((await writer).commit.status).toBe("committed");
    });

    describe("idempotency keys", () => {
      const claim = (key: string, fingerprint = "fp-1", windowMs = 60_000, leaseMs = 60_000) => ({
        key,
        fingerprint,
        windowMs,
        leaseMs,
      });
      const response = {
        status: 201,
        headers: { "content-type": "application/json" },
        body: enc("{}"),
      };
      let n = 0;
      const freshKey = () => `key-${Date.now()}-${n++}`;

      it("a-new-key-is-claimed-and-a-second-claim-sees-it-in-progress", async () => {
        const key = freshKey();
        expect(await backend.claimIdempotencyKey(scope.tenantId, claim(key))).toEqual({
          state: "claimed",
        });
        expect(await backend.claimIdempotencyKey(scope.tenantId, claim(key))).toEqual({
          state: "in_progress",
        });
      });

      it("a-completed-key-replays-the-stored-response-byte-for-byte", async () => {
        const key = freshKey();
        await backend.claimIdempotencyKey(scope.tenantId, claim(key));
        const body = new Uint8Array([0, 255, 10, 13, 0x41]);
        await backend.completeIdempotencyKey(scope.tenantId, key, { ...response, body });
        const again = await backend.claimIdempotencyKey(scope.tenantId, claim(key));
        expect(again.state).toBe("done");
        if (again.state !== "done") return;
        expect(again.response.status).toBe(201);
        expect(again.response.headers).toEqual(response.headers);
        expect([...again.response.body]).toEqual([...body]);
      });

      it("a-key-reused-for-another-request-is-a-mismatch-pending-or-done", async () => {
        const key = freshKey();
        await backend.claimIdempotencyKey(scope.tenantId, claim(key));
        expect((await backend.claimIdempotencyKey(scope.tenantId, claim(key, "fp-2"))).state).toBe(
          "mismatch",
        );
        await backend.completeIdempotencyKey(scope.tenantId, key, response);
        expect((await backend.claimIdempotencyKey(scope.tenantId, claim(key, "fp-2"))).state).toBe(
          "mismatch",
        );
      });

      it("a-released-key-can-be-claimed-again", async () => {
        const key = freshKey();
        await backend.claimIdempotencyKey(scope.tenantId, claim(key));
        await backend.releaseIdempotencyKey(scope.tenantId, key);
        expect((await backend.claimIdempotencyKey(scope.tenantId, claim(key, "fp-2"))).state).toBe(
          "claimed",
        );
      });

      it("an-expired-record-or-an-abandoned-claim-is-claimed-afresh", async () => {
        const done = freshKey();
        await backend.claimIdempotencyKey(scope.tenantId, claim(done));
        await backend.completeIdempotencyKey(scope.tenantId, done, response);
        await new Promise((r) => setTimeout(r, 20));
        expect(
          (await backend.claimIdempotencyKey(scope.tenantId, claim(done, "fp-2", 10))).state,
        ).toBe("claimed");
        const pending = freshKey();
        await backend.claimIdempotencyKey(scope.tenantId, claim(pending));
        await new Promise((r) => setTimeout(r, 20));
        expect(
          (await backend.claimIdempotencyKey(scope.tenantId, claim(pending, "fp-1", 60_000, 10)))
            .state,
        ).toBe("claimed");
        // A finished record is not "abandoned", however old its update.
        await backend.completeIdempotencyKey(scope.tenantId, pending, response);
        await new Promise((r) => setTimeout(r, 20));
        expect(
          (await backend.claimIdempotencyKey(scope.tenantId, claim(pending, "fp-1", 60_000, 10)))
            .state,
        ).toBe("done");
      });

      it("keys-are-per-tenant", async () => {
        const key = freshKey();
        await backend.claimIdempotencyKey(scope.tenantId, claim(key));
        await backend.completeIdempotencyKey(scope.tenantId, key, response);
        expect((await backend.claimIdempotencyKey(other.tenantId, claim(key, "fp-2"))).state).toBe(
          "claimed",
        );
        expect((await backend.claimIdempotencyKey(scope.tenantId, claim(key))).state).toBe("done");
      });

      it("concurrent-claims-of-one-key-are-won-once", async () => {
        const key = freshKey();
        const states = await Promise.all(
          Array.from({ length: 10 }, () => backend.claimIdempotencyKey(scope.tenantId, claim(key))),
        );
        expect(states.filter((s) => s.state === "claimed")).toHaveLength(1);
        expect(states.filter((s) => s.state === "in_progress")).toHaveLength(9);
      });
    });
  });
}
