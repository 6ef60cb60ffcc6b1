/** The step most routes share: the path's sandbox (`:sandboxId`), read or changed as the caller. */
import type { Vfs } from "@cairn/core";
import type { Context } from "hono";
import type { AppEnv } from "../env.js";

/** `fn` on the sandbox's current tree (see `SandboxService.read`). */
export function readSandbox<T>(c: Context<AppEnv>, fn: (vfs: Vfs) => T | Promise<T>) {
  return c.get("service").read(c.get("scope"), c.req.param("sandboxId") ?? "", fn);
}

/** `fn` on the sandbox's tree, committed (see `SandboxService.mutate`). */
export function mutateSandbox<T>(c: Context<AppEnv>, fn: (vfs: Vfs) => T | Promise<T>) {
  return c.get("service").mutate(c.get("scope"), c.req.param("sandboxId") ?? "", fn);
}
