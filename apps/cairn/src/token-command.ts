/**
 * `cairn token create | list | revoke`: API keys, straight in the database the server uses.
 * This is also the bootstrap path for the first admin key: it needs access to the database
 * (DATABASE_URL or the data dir) on the server's host, never an HTTP call.
 */
import { parseArgs } from "node:util";
import { createPostgresBackend, migrate } from "@cairn/backend-postgres";
import {
  type ApiKeyRecord,
  issueApiKey,
  type KeyScope,
  type KeyStore,
  keyState,
  TENANT_ID_PATTERN,
} from "@cairn/core";
import { servingPid } from "./data-dir-lock.js";
import { chooseStorage, DEFAULT_DATA_DIR, openSql } from "./storage.js";

const HELP = `Usage:
  cairn token create --admin [--name <n>] [--expires-in-days <d>]
  cairn token create --tenant <id> [--create-tenant] [--read-only] [--sandbox <sbx_id>]...
                     [--name <n>] [--expires-in-days <d>]
  cairn token list [--tenant <id> | --admin] [--json]
  cairn token revoke <key_id>

Creates, lists and revokes API keys in the database the server uses. The key is printed
once, on stdout, and stored only as a hash: keep it now. Run it on the server's host; it
needs the database itself, so it is also how the first admin key is made.

Options:
  --admin                 An admin key: manages tenants and keys over HTTP, reaches no sandbox
  --tenant <id>           A key for this tenant's sandboxes
  --create-tenant         Create the tenant first if it does not exist
  --read-only             Only reads (exec runs read-only; other writes are 403)
  --sandbox <sbx_id>      Limit the key to this sandbox (repeatable; others are 404)
  --name <n>              A label for the key
  --expires-in-days <d>   Refuse the key after this many days
  --json                  Machine-readable output
  --database-url <url>    PostgreSQL (env DATABASE_URL)
  --data-dir <dir>        Embedded PGlite data (env CAIRN_DATA_DIR, default ${DEFAULT_DATA_DIR});
                          not while a cairn serve uses it (PGlite is single-process)`;

type Out = (line: string) => void;

export async function tokenCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      admin: { type: "boolean" },
      tenant: { type: "string" },
      "create-tenant": { type: "boolean" },
      "read-only": { type: "boolean" },
      sandbox: { type: "string", multiple: true },
      name: { type: "string" },
      "expires-in-days": { type: "string" },
      json: { type: "boolean" },
      "database-url": { type: "string" },
      "data-dir": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help || sub === undefined || sub === "help" || sub === "--help" || sub === "-h") {
    console.log(HELP);
    return sub === undefined ? 2 : 0;
  }
  if (!["create", "list", "revoke"].includes(sub)) {
    console.error(`cairn token: unknown subcommand '${sub}'\n\n${HELP}`);
    return 2;
  }
  const choice = chooseStorage({
    databaseUrl: values["database-url"] ?? process.env.DATABASE_URL,
    dataDir: values["data-dir"] ?? process.env.CAIRN_DATA_DIR,
  });
  if (choice.kind === "memory") throw new Error("unreachable: tokens need a database");
  if (choice.kind === "embedded") {
    const pid = servingPid(choice.dataDir);
    if (pid !== undefined)
      throw new Error(
        `${choice.dataDir} is in use by cairn serve (pid ${pid}); embedded PGlite serves one process: stop the server first, or use PostgreSQL (DATABASE_URL)`,
      );
  }
  const db = await openSql(choice);
  try {
    await migrate(db.sql);
    const keys = createPostgresBackend({ sql: db.sql }).keys as KeyStore;
    const out: Out = (line) => console.log(line);
    if (sub === "create") return await create(keys, values, out);
    if (sub === "list") return await list(keys, values, out);
    return await revoke(keys, positionals, values.json ?? false, out);
  } finally {
    await db.close();
  }
}

interface CreateFlags {
  admin?: boolean;
  tenant?: string;
  "create-tenant"?: boolean;
  "read-only"?: boolean;
  sandbox?: string[];
  name?: string;
  "expires-in-days"?: string;
  json?: boolean;
}

async function create(keys: KeyStore, flags: CreateFlags, out: Out): Promise<number> {
  if (flags.admin === (flags.tenant !== undefined)) {
    console.error("cairn token create: pass exactly one of --admin and --tenant <id>");
    return 2;
  }
  if (flags.admin && (flags["read-only"] || flags.sandbox || flags["create-tenant"])) {
    console.error("cairn token create: an admin key has no tenant, sandboxes or read-only mode");
    return 2;
  }
  const tenantId = flags.tenant ?? null;
  if (tenantId !== null && !TENANT_ID_PATTERN.test(tenantId)) {
    console.error(`cairn token create: invalid tenant id '${tenantId}'`);
    return 2;
  }
  for (const id of flags.sandbox ?? []) {
    if (!/^sbx_[A-Za-z0-9]{1,64}$/.test(id)) {
      console.error(`cairn token create: invalid sandbox id '${id}'`);
      return 2;
    }
  }
  let expiresAt: Date | null = null;
  if (flags["expires-in-days"] !== undefined) {
    const days = Number(flags["expires-in-days"]);
    if (!/^\d+$/.test(flags["expires-in-days"]) || days < 1) {
      console.error(`cairn token create: invalid --expires-in-days '${flags["expires-in-days"]}'`);
      return 2;
    }
    expiresAt = new Date(Date.now() + days * 86_400_000);
  }
  if (tenantId !== null && flags["create-tenant"] && !(await keys.getTenant(tenantId)))
    await keys.createTenant({ id: tenantId, name: null });
  const scopes: KeyScope[] = flags.admin ? ["admin"] : [flags["read-only"] ? "read" : "tenant"];
  const issued = await issueApiKey(keys, {
    tenantId,
    name: flags.name ?? null,
    scopes,
    sandboxIds: flags.sandbox ?? null,
    expiresAt,
  });
  if (!issued) {
    console.error(
      `cairn token create: no tenant '${tenantId}' (pass --create-tenant to create it)`,
    );
    return 1;
  }
  if (flags.json) out(JSON.stringify({ ...recordJson(issued.record), key: issued.key }));
  else {
    out(issued.key);
    console.error(
      `cairn: created ${describe(issued.record)}\ncairn: the key above is shown once and stored only as a hash; keep it now`,
    );
  }
  return 0;
}

async function list(
  keys: KeyStore,
  flags: { tenant?: string; admin?: boolean; json?: boolean },
  out: Out,
): Promise<number> {
  if (flags.admin && flags.tenant !== undefined) {
    console.error("cairn token list: pass at most one of --admin and --tenant <id>");
    return 2;
  }
  const tenantId = flags.admin ? null : flags.tenant;
  const all: ApiKeyRecord[] = [];
  for (let after: string | undefined; ; ) {
    const page = await keys.listApiKeys({ tenantId }, { limit: 500, after });
    all.push(...page);
    if (page.length < 500) break;
    after = page.at(-1)?.id;
  }
  if (flags.json) {
    out(JSON.stringify(all.map(recordJson)));
    return 0;
  }
  if (all.length === 0) {
    console.error("cairn: no keys");
    return 0;
  }
  const rows = all.map((k) => [
    k.id,
    k.tenantId ?? "(admin)",
    k.scopes.join(","),
    keyState(k, new Date()),
    k.name ?? "",
    k.sandboxIds?.join(",") ?? "",
    k.lastUsedAt?.toISOString() ?? "never",
  ]);
  const header = ["ID", "TENANT", "SCOPES", "STATE", "NAME", "SANDBOXES", "LAST USED"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const row of [header, ...rows])
    out(
      row
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join("  ")
        .trimEnd(),
    );
  return 0;
}

async function revoke(
  keys: KeyStore,
  positionals: string[],
  json: boolean,
  out: Out,
): Promise<number> {
  if (positionals.length !== 1) {
    console.error("cairn token revoke: pass one key id (key_...)");
    return 2;
  }
  const id = positionals[0]!;
  const key = await keys.revokeApiKey(id);
  if (!key) {
    console.error(`cairn token revoke: no key ${id}`);
    return 1;
  }
  if (json) out(JSON.stringify(recordJson(key)));
  else console.error(`cairn: revoked ${describe(key)}`);
  return 0;
}

function describe(k: ApiKeyRecord): string {
  const who = k.tenantId === null ? "admin key" : `key for tenant ${k.tenantId}`;
  const limits = [
    k.scopes.includes("read") ? "read-only" : "",
    k.sandboxIds ? `sandboxes ${k.sandboxIds.join(", ")}` : "",
    k.expiresAt ? `expires ${k.expiresAt.toISOString()}` : "",
  ].filter(Boolean);
  return `${who} ${k.id}${limits.length ? ` (${limits.join("; ")})` : ""}`;
}

function recordJson(k: ApiKeyRecord) {
  return {
    ...k,
    createdAt: k.createdAt.toISOString(),
    lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
    expiresAt: k.expiresAt?.toISOString() ?? null,
    revokedAt: k.revokedAt?.toISOString() ?? null,
  };
}
