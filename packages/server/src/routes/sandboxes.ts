/** Sandbox lifecycle: createSandbox (JSON or a tar body), listSandboxes, getSandbox, deleteSandbox. */
import {
  denyMatcher,
  encodeText,
  forkSandbox,
  normalizePolicy,
  type Runtime,
  runtimeSupport,
  type SandboxExpiry,
  type SandboxPolicy,
  type SandboxRecord,
  type SandboxUpdate,
} from "@cairn/core";
import type { Schemas } from "@cairn/spec";
import { Hono } from "hono";
import { readArchive } from "../archive/read-archive.js";
import { decodeCursor, encodeCursor } from "../cursor.js";
import type { AppEnv } from "../env.js";
import { isArchiveBody, uploadBody } from "../middleware/streamed-upload.js";
import { ProblemError } from "../problem.js";
import { intParam, optionalPathParam, parseMode, stringParam } from "../query.js";
import { sandboxJson } from "../representation.js";
import { readJson } from "../validation.js";
import { createSettingsFromQuery, refuseSettingsInQuery } from "./create-query.js";

export function sandboxRoutes() {
  return new Hono<AppEnv>()
    .post("/v1/sandboxes", async (c) => {
      // A tar body seeds the sandbox with an archive; its settings come from the query.
      const archive = isArchiveBody(c);
      if (!archive) refuseSettingsInQuery(c);
      const body = archive ? createSettingsFromQuery(c) : await readJson(c, true);
      const input = c.get("validator").check("CreateSandboxRequest", body);
      const service = c.get("service");
      const scope = c.get("scope");
      const settings = {
        name: input.name ?? null,
        env: input.env ?? {},
        options: {
          persistShell: input.persistShell ?? false,
          runtimes: supportedRuntimes(input.runtimes ?? []),
          policy: checkedPolicy(normalizePolicy(input.policy)),
        },
        expiry: expiryOf(input, service.now()),
      };
      let record: SandboxRecord;
      if (input.from) {
        if (input.files !== undefined) {
          throw new ProblemError(400, "invalid_request", "give either `from` or `files`, not both");
        }
        const from = input.from.snapshotId
          ? { snapshotId: input.from.snapshotId }
          : { sandboxId: input.from.sandboxId ?? "" };
        record = await forkSandbox(service, scope, from, settings);
      } else if (archive) {
        // Settings are checked before the (possibly large) body is read; nothing is written
        // until all of it was read and checked, then the sandbox and its files in one commit.
        const destination = optionalPathParam(c) ?? "/";
        const entries = await readArchive(uploadBody(c), c.get("limits"));
        record = await service.create(scope, { ...settings, archive: { entries, destination } });
      } else {
        const files = (input.files ?? []).map((f, i) => ({
          path: f.path,
          bytes:
            f.encoding === "base64"
              ? decodeBase64(f.content, `files[${i}].content`)
              : encodeText(f.content),
          mode: parseMode(f.mode, `files[${i}].mode`),
        }));
        record = await service.create(scope, { ...settings, files });
      }
      c.header("Location", `/v1/sandboxes/${record.id}`);
      return c.json<Schemas["Sandbox"]>(sandboxJson(record), 201);
    })
    .get("/v1/sandboxes", async (c) => {
      const limit = intParam(c, "limit", { min: 1, max: 200, fallback: 50 });
      const cursor = stringParam(c, "cursor", 512);
      const page = await c.get("service").list(c.get("scope"), {
        limit,
        after: cursor === undefined ? undefined : decodeCursor(cursor),
      });
      return c.json<Schemas["SandboxPage"]>({
        items: page.items.map(sandboxJson),
        nextCursor: page.next === null ? null : encodeCursor(page.next),
      });
    })
    .get("/v1/sandboxes/:sandboxId", async (c) => {
      const record = await c.get("service").get(c.get("scope"), c.req.param("sandboxId"));
      return c.json<Schemas["Sandbox"]>(sandboxJson(record));
    })
    .patch("/v1/sandboxes/:sandboxId", async (c) => {
      const input = c.get("validator").check("UpdateSandboxRequest", await readJson(c));
      // The policy binds whoever works in the sandbox: a key handed out for some sandboxes
      // (an agent's) may not lift it; the tenant's unrestricted keys may.
      if (input.policy !== undefined && (c.get("principal")?.sandboxIds ?? null) !== null) {
        throw new ProblemError(
          403,
          "forbidden",
          "a key limited to some sandboxes cannot change their policy",
        );
      }
      const ifVersion = versionPrecondition(c.req.header("if-match"));
      const service = c.get("service");
      const expiresAt = newExpiresAt(input, service.now());
      const record = await service.update(c.get("scope"), c.req.param("sandboxId"), (current) => {
        if (ifVersion !== undefined && current.version !== ifVersion) {
          throw new ProblemError(
            412,
            "precondition_failed",
            `the sandbox is at version ${current.version}, not ${ifVersion}`,
          );
        }
        const update: SandboxUpdate = {};
        if (input.name !== undefined) update.name = input.name;
        if (input.env !== undefined) update.env = input.env;
        if (
          input.persistShell !== undefined ||
          input.runtimes !== undefined ||
          input.policy !== undefined
        ) {
          update.options = {
            ...current.options,
            persistShell: input.persistShell ?? current.options.persistShell,
            runtimes:
              input.runtimes === undefined
                ? current.options.runtimes
                : supportedRuntimes(input.runtimes),
            policy: checkedPolicy({
              ...normalizePolicy(current.options.policy),
              ...input.policy,
            }),
          };
        }
        if (expiresAt !== undefined) update.expiresAt = expiresAt;
        if (input.idleTimeout !== undefined) update.idleTimeout = input.idleTimeout;
        if (input.resetShell || input.persistShell === false) update.shell = null;
        else if (input.env !== undefined && current.shell) {
          // A saved shell keeps its own exports; the patched variables are set in it too.
          update.shell = { ...current.shell, env: { ...current.shell.env, ...input.env } };
        }
        return update;
      });
      return c.json<Schemas["Sandbox"]>(sandboxJson(record));
    })
    .delete("/v1/sandboxes/:sandboxId", async (c) => {
      await c.get("service").delete(c.get("scope"), c.req.param("sandboxId"));
      return c.body(null, 204);
    });
}

/**
 * The expiry a request asks for: `ttl` seconds from `now`, or `expiresAt` (in the future), not
 * both; undefined when it names neither (PATCH: kept), null for `expiresAt: null` (none).
 */
function newExpiresAt(
  input: { ttl?: number; expiresAt?: string | null },
  now: number,
): Date | null | undefined {
  if (input.ttl !== undefined && input.expiresAt !== undefined) {
    throw new ProblemError(400, "invalid_request", "give either `ttl` or `expiresAt`, not both");
  }
  if (input.ttl !== undefined) return new Date(now + input.ttl * 1000);
  if (input.expiresAt === undefined || input.expiresAt === null) return input.expiresAt;
  const at = new Date(input.expiresAt);
  if (Number.isNaN(at.getTime())) {
    throw new ProblemError(400, "invalid_request", "`expiresAt` is not a date-time");
  }
  if (at.getTime() <= now) {
    throw new ProblemError(400, "invalid_request", "`expiresAt` must be in the future");
  }
  return at;
}

/** A new sandbox's expiry (undefined when it never expires). */
function expiryOf(
  input: { ttl?: number; expiresAt?: string; idleTimeout?: number },
  now: number,
): SandboxExpiry | undefined {
  const expiresAt = newExpiresAt(input, now) ?? null;
  const idleTimeout = input.idleTimeout ?? null;
  return expiresAt === null && idleTimeout === null ? undefined : { expiresAt, idleTimeout };
}

/** The policy, once its globs are known to compile (a bad one is 400 invalid_request). */
function checkedPolicy(policy: SandboxPolicy): SandboxPolicy {
  denyMatcher(policy);
  return policy;
}

/** The runtimes asked for, if this server can run them all. */
function supportedRuntimes(runtimes: readonly Runtime[]): Runtime[] {
  const support = runtimeSupport();
  const missing = runtimes.filter((r) => !support[r]);
  if (missing.length > 0) {
    throw new ProblemError(
      400,
      "invalid_request",
      `this server cannot run ${missing.join(", ")} (js-exec needs Node >= 22.13)`,
    );
  }
  return [...runtimes];
}

/** `If-Match: "12"` pins the sandbox version a settings change applies to. */
export function versionPrecondition(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const match = /^\s*(?:W\/)?"(\d{1,15})"\s*$/.exec(header);
  if (!match) {
    throw new ProblemError(400, "invalid_request", 'If-Match must be a version, e.g. "12"');
  }
  return Number(match[1]);
}

/** Strict base64 (Node's decoder silently skips invalid characters). */
function decodeBase64(text: string, where: string): Uint8Array {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) {
    throw new ProblemError(400, "invalid_request", `${where} is not valid base64`);
  }
  return new Uint8Array(Buffer.from(text, "base64"));
}
