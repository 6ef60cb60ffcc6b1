/** Sandbox lifecycle: createSandbox, listSandboxes, getSandbox, deleteSandbox. */
import { encodeText } from "@cairn/core";
import type { Schemas } from "@cairn/spec";
import { Hono } from "hono";
import { decodeCursor, encodeCursor } from "../cursor.js";
import type { AppEnv } from "../env.js";
import { ProblemError } from "../problem.js";
import { intParam, parseMode, stringParam } from "../query.js";
import { sandboxJson } from "../representation.js";
import { readJson } from "../validation.js";

export function sandboxRoutes() {
  return new Hono<AppEnv>()
    .post("/v1/sandboxes", async (c) => {
      const input = c.var.validator.check("CreateSandboxRequest", await readJson(c, true));
      const files = (input.files ?? []).map((f, i) => ({
        path: f.path,
        bytes:
          f.encoding === "base64"
            ? decodeBase64(f.content, `files[${i}].content`)
            : encodeText(f.content),
        mode: parseMode(f.mode, `files[${i}].mode`),
      }));
      const record = await c.var.service.create(c.var.scope, {
        name: input.name ?? null,
        env: input.env ?? {},
        files,
      });
      c.header("Location", `/v1/sandboxes/${record.id}`);
      return c.json<Schemas["Sandbox"]>(sandboxJson(record), 201);
    })
    .get("/v1/sandboxes", async (c) => {
      const limit = intParam(c, "limit", { min: 1, max: 200, fallback: 50 });
      const cursor = stringParam(c, "cursor", 512);
      const page = await c.var.service.list(c.var.scope, {
        limit,
        after: cursor === undefined ? undefined : decodeCursor(cursor),
      });
      return c.json<Schemas["SandboxPage"]>({
        items: page.items.map(sandboxJson),
        nextCursor: page.next === null ? null : encodeCursor(page.next),
      });
    })
    .get("/v1/sandboxes/:sandboxId", async (c) => {
      const record = await c.var.service.get(c.var.scope, c.req.param("sandboxId"));
      return c.json<Schemas["Sandbox"]>(sandboxJson(record));
    })
    .delete("/v1/sandboxes/:sandboxId", async (c) => {
      await c.var.service.delete(c.var.scope, c.req.param("sandboxId"));
      return c.body(null, 204);
    });
}

/** Strict base64 (Node's decoder silently skips invalid characters). */
function decodeBase64(text: string, where: string): Uint8Array {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) {
    throw new ProblemError(400, "invalid_request", `${where} is not valid base64`);
  }
  return new Uint8Array(Buffer.from(text, "base64"));
}
