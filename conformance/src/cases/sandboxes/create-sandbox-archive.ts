/**
 * Cases for createSandbox with a tar body: seeded with any number of files the quota allows,
 * settings in the query, and atomic (a refused archive leaves no sandbox at all).
 */
import { randomBytes } from "node:crypto";
import { gzipSync } from "node:zlib";
import type { Schemas } from "@cairn/spec";
import { defineCases } from "../../case.js";
import type { CaseContext } from "../../context.js";
import type { ApiResponse } from "../../harness/api-response.js";
import { assert, expectBytes, expectProblem, expectStatus } from "../../harness/assert.js";
import type { QueryValue } from "../../harness/request.js";
import { type TarItem, tar, untar } from "../archive/tar-support.js";

type Sandbox = Schemas["Sandbox"];
type Limits = Schemas["Limits"];

const TAR = { "content-type": "application/x-tar" };
/** More files than a JSON create may carry (`files` has maxItems 10000). */
const MANY_FILES = 10_050;

/** Whose key a case creates with: the run's, or a fresh tenant's with limits of its own. */
interface Creator {
  auth: string | true;
  limits: Limits;
}

async function limitsFor(ctx: CaseContext, auth: string | true): Promise<Limits> {
  const res = await ctx.request("GET", "/v1/limits", { auth });
  expectStatus(res, 200);
  return res.json<Limits>();
}

/**
 * A creator whose sandboxes may hold `files` entries (`exactly`: no more): the run's key when
 * its limits already say so, else a new tenant (needs an admin key) with `sandboxMaxFiles` set.
 */
async function creatorFor(ctx: CaseContext, files: number, exactly = false): Promise<Creator> {
  const own = await limitsFor(ctx, true);
  const fits = exactly ? own.sandboxMaxFiles === files : own.sandboxMaxFiles >= files;
  if (fits) return { auth: true, limits: own };
  const admin =
    ctx.adminApiKey ??
    ctx.skip(`sandboxMaxFiles is ${own.sandboxMaxFiles} and no admin key was given to set it`);
  const tenant = await ctx.request("POST", "/v1/tenants", {
    auth: admin,
    body: { limits: { sandboxMaxFiles: files } },
  });
  expectStatus(tenant, 201);
  const { id } = tenant.json<Schemas["Tenant"]>();
  ctx.defer(async () => {
    expectStatus(await ctx.request("DELETE", `/v1/tenants/${id}`, { auth: admin }), 204, 404);
  });
  const key = await ctx.request("POST", `/v1/tenants/${id}/keys`, { auth: admin, body: {} });
  expectStatus(key, 201);
  const auth = key.json<Schemas["CreatedApiKey"]>().key;
  return { auth, limits: await limitsFor(ctx, auth) };
}

/** POST /v1/sandboxes with a tar body; a sandbox that does get created is deleted after the case. */
async function createFromTar(
  ctx: CaseContext,
  creator: Creator,
  body: Uint8Array,
  query: Record<string, QueryValue> = {},
  headers: Record<string, string> = TAR,
): Promise<ApiResponse> {
  const res = await ctx.request("POST", "/v1/sandboxes", {
    auth: creator.auth,
    query,
    headers,
    body,
  });
  if (res.status === 201) {
    const { id } = res.json<Sandbox>();
    ctx.defer(async () => {
      const gone = await ctx.request("DELETE", `/v1/sandboxes/${id}`, { auth: creator.auth });
      expectStatus(gone, 204, 404);
    });
  }
  return res;
}

/** The names of every sandbox the creator can see (all pages). */
async function sandboxNames(ctx: CaseContext, creator: Creator): Promise<Array<string | null>> {
  const names: Array<string | null> = [];
  let cursor: string | undefined;
  do {
    const res = await ctx.request("GET", "/v1/sandboxes", {
      auth: creator.auth,
      query: { limit: 200, cursor },
    });
    expectStatus(res, 200);
    const page = res.json<Schemas["SandboxPage"]>();
    names.push(...page.items.map((s) => s.name));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return names;
}

const uniqueName = (what: string) => `conformance ${what} ${randomBytes(6).toString("hex")}`;

/** Refused with `code`, and no sandbox of that (unique) name exists afterwards. */
async function expectRefusedNoSandbox(
  ctx: CaseContext,
  creator: Creator,
  body: Uint8Array,
  status: number,
  code: Schemas["ErrorCode"],
): Promise<void> {
  const name = uniqueName(code);
  expectProblem(await createFromTar(ctx, creator, body, { name }), status, code);
  assert.ok(
    !(await sandboxNames(ctx, creator)).includes(name),
    "a refused archive must leave no sandbox behind",
  );
}

/** `count` small files spread over 50 directories below `seed/`, each with its own bytes. */
function manyFiles(count: number): Map<string, string> {
  const files = new Map<string, string>();
  for (let i = 0; i < count; i++) files.set(`seed/d${i % 50}/f${i}.txt`, `file ${i}\n`);
  return files;
}

export default defineCases("sandboxes", "create-sandbox", {
  "archive-more-files-than-json": [
    `A tar body of ${MANY_FILES} files (more than a JSON create's 10,000) creates the sandbox at version 1 with every file, byte-exact.`,
    async (ctx) => {
      const files = manyFiles(MANY_FILES);
      // The files, their 50 directories and seed/, plus the machine directories.
      const creator = await creatorFor(ctx, MANY_FILES + 100);
      if (creator.limits.maxArchiveEntries < MANY_FILES) {
        return ctx.skip(`maxArchiveEntries is ${creator.limits.maxArchiveEntries}`);
      }
      const items: TarItem[] = [...files].map(([name, content]) => ({ name, content }));
      const res = await createFromTar(ctx, creator, tar(items));
      expectStatus(res, 201);
      const sandbox = res.json<Sandbox>();
      assert.equal(sandbox.version, 1, "the sandbox and its files are one commit");
      const exported = await ctx.request("GET", `/v1/sandboxes/${sandbox.id}/archive`, {
        auth: creator.auth,
        query: { path: "/seed" },
      });
      expectStatus(exported, 200);
      const got = new Map(
        untar(exported.bytes)
          .filter((e) => e.type === "file")
          .map((e) => [`seed/${e.name}`, new TextDecoder().decode(e.content)]),
      );
      assert.equal(got.size, files.size, "every file of the archive is in the sandbox");
      for (const [name, content] of files) {
        assert.equal(got.get(name), content, name);
      }
    },
  ],
  "archive-settings-from-query": [
    "With a tar.gz body the settings come from the query (name, env as NAME=value, persistShell, ttl) and `path` is where it unpacks; modes are kept.",
    async (ctx) => {
      const creator: Creator = { auth: true, limits: await limitsFor(ctx, true) };
      const body = gzipSync(
        tar([
          { name: "bin/run.sh", content: "#!/bin/sh\necho hi\n", mode: 0o755 },
          { name: "data.txt", content: "data" },
        ]),
      );
      const res = await createFromTar(
        ctx,
        creator,
        new Uint8Array(body),
        {
          name: "from a tar",
          env: ["GREETING=hello world", "EQ=a=b"],
          persistShell: true,
          ttl: 3600,
          path: "/work/proj",
        },
        { "content-type": "application/gzip" },
      );
      expectStatus(res, 201);
      const sandbox = res.json<Sandbox>();
      assert.deepEqual(
        [sandbox.name, sandbox.env, sandbox.persistShell],
        ["from a tar", { GREETING: "hello world", EQ: "a=b" }, true],
      );
      assert.ok(sandbox.expiresAt, "ttl sets an expiry");
      assert.equal(
        new URL(res.header("location") ?? "", res.url).pathname,
        `/v1/sandboxes/${sandbox.id}`,
      );
      const read = await ctx.request("GET", `/v1/sandboxes/${sandbox.id}/files`, {
        query: { path: "/work/proj/data.txt" },
      });
      expectStatus(read, 200);
      expectBytes(read.bytes, new TextEncoder().encode("data"), "/work/proj/data.txt");
      const stat = await ctx.request("GET", `/v1/sandboxes/${sandbox.id}/fs/stat`, {
        query: { path: "/work/proj/bin/run.sh" },
      });
      expectStatus(stat, 200);
      assert.equal(stat.json<Schemas["FileStat"]>().mode, 0o755);
    },
  ],
  "archive-broken-leaves-no-sandbox": [
    "A tar cut off in the middle of an entry is 400 archive_invalid, and no sandbox exists.",
    async (ctx) => {
      const creator: Creator = { auth: true, limits: await limitsFor(ctx, true) };
      const whole = tar([
        { name: "one.txt", content: "first file" },
        { name: "two.bin", content: new Uint8Array(4096).fill(7) },
      ]);
      await expectRefusedNoSandbox(
        ctx,
        creator,
        whole.subarray(0, 1024 + 512 + 1000),
        400,
        "archive_invalid",
      );
    },
  ],
  "archive-unsafe-entry-leaves-no-sandbox": [
    "An entry named with `..` after good ones is 422 archive_unsafe_entry, and no sandbox exists.",
    async (ctx) => {
      const creator: Creator = { auth: true, limits: await limitsFor(ctx, true) };
      const body = tar([
        { name: "ok.txt", content: "fine" },
        { name: "sub/../../escape.txt", content: "out" },
      ]);
      await expectRefusedNoSandbox(ctx, creator, body, 422, "archive_unsafe_entry");
    },
  ],
  "archive-over-quota-leaves-no-sandbox": [
    "A tar with more entries than sandboxMaxFiles is 507 EDQUOT, and no sandbox exists.",
    async (ctx) => {
      let creator: Creator = { auth: true, limits: await limitsFor(ctx, true) };
      if (creator.limits.sandboxMaxFiles > 5000) creator = await creatorFor(ctx, 50, true);
      const items: TarItem[] = Array.from(
        { length: creator.limits.sandboxMaxFiles + 1 },
        (_, i) => ({
          name: `q/f${i}`,
          content: "",
        }),
      );
      await expectRefusedNoSandbox(ctx, creator, tar(items), 507, "EDQUOT");
    },
  ],
  "archive-idempotent-replay": [
    "A keyed tar create sent again with the same query and bytes is replayed (same sandbox, Idempotent-Replayed); other bytes are 422 idempotency_key_mismatch.",
    async (ctx) => {
      const creator: Creator = { auth: true, limits: await limitsFor(ctx, true) };
      const name = uniqueName("replay");
      const key = `conformance-${randomBytes(8).toString("hex")}`;
      const send = (content: string) =>
        createFromTar(
          ctx,
          creator,
          tar([{ name: "a.txt", content }]),
          { name },
          {
            ...TAR,
            "idempotency-key": key,
          },
        );
      const first = await send("one");
      expectStatus(first, 201);
      const again = await send("one");
      expectStatus(again, 201);
      assert.equal(again.header("idempotent-replayed"), "true");
      assert.equal(again.json<Sandbox>().id, first.json<Sandbox>().id);
      expectProblem(await send("two"), 422, "idempotency_key_mismatch");
      const named = (await sandboxNames(ctx, creator)).filter((n) => n === name);
      assert.equal(named.length, 1, "the repeat must not create a second sandbox");
    },
  ],
  "archive-settings-refused-with-json": [
    "The archive's query settings with a JSON body are 400 invalid_request (the JSON carries them).",
    async (ctx) => {
      const res = await ctx.request("POST", "/v1/sandboxes", {
        query: { name: "ignored?" },
        body: {},
      });
      if (res.status === 201) ctx.deleteLater(res.json<Sandbox>().id);
      expectProblem(res, 400, "invalid_request");
    },
  ],
});
