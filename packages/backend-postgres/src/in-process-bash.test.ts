/**
 * The documented in-process use (packages/core/README.md): `new Bash({ fs })`
 * from just-bash, on a sandbox stored in PostgreSQL.
 */
import { openBashFs, SandboxService, VersionConflictError } from "@cairn/core";
import { Bash } from "just-bash";
import { describe, expect, it } from "vitest";
import { createPostgresBackend } from "./postgres-backend.js";
import { useTestDatabase } from "./test-database.js";

describe("just-bash in process on a Postgres-backed sandbox", () => {
  const db = useTestDatabase();
  const scope = { tenantId: "acme" };

  it("runs scripts on the sandbox's files and stores their writes in one commit", async () => {
    const service = new SandboxService({ backend: createPostgresBackend({ sql: db().sql }) });
    const sandbox = await service.create(scope, {});

    const { fs, commit } = await openBashFs(service, scope, sandbox.id);
    const bash = new Bash({ fs, cwd: "/" });
    await bash.exec("mkdir -p /src && echo 'hello' > /src/greeting");
    const listing = await bash.exec("cat /src/greeting; ls /src");
    expect(listing.stdout).toBe("hello\ngreeting\n");
    const version = await commit();

    // A fresh service (another process, say) sees the committed files.
    const other = new SandboxService({ backend: createPostgresBackend({ sql: db().sql }) });
    const reopened = await openBashFs(other, scope, sandbox.id);
    expect(reopened.version).toBe(version);
    const again = await new Bash({ fs: reopened.fs, cwd: "/" }).exec("wc -c < /src/greeting");
    expect(again.stdout.trim()).toBe("6");
  });

  it("refuses to commit over a newer version, storing nothing", async () => {
    const service = new SandboxService({ backend: createPostgresBackend({ sql: db().sql }) });
    const sandbox = await service.create(scope, {});
    const first = await openBashFs(service, scope, sandbox.id);
    const second = await openBashFs(service, scope, sandbox.id);
    await new Bash({ fs: first.fs }).exec("echo one > /f");
    await new Bash({ fs: second.fs }).exec("echo two > /f; echo extra > /g");
    await first.commit();
    await expect(second.commit()).rejects.toBeInstanceOf(VersionConflictError);
    const { fs } = await openBashFs(service, scope, sandbox.id);
    expect(await fs.readFile("/f")).toBe("one\n");
    expect(await fs.exists("/g")).toBe(false);
  });
});
