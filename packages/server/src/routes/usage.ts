/** getSandboxUsage: what a sandbox holds, counted as its quota counts, with that quota. */
import type { Schemas } from "@cairn/spec";
import { Hono } from "hono";
import type { AppEnv } from "../env.js";
import { readSandbox } from "./sandbox-step.js";

export function usageRoutes() {
  return new Hono<AppEnv>().get("/v1/sandboxes/:sandboxId/usage", async (c) => {
    // The tree keeps its usage as it loads, so this reads no content and walks nothing.
    const { value, version } = await readSandbox(c, (vfs) => vfs.journal.usage);
    const quota = c.get("scope").quota;
    return c.json<Schemas["SandboxUsage"]>({
      version,
      bytes: value.bytes,
      files: value.files,
      maxBytes: quota?.maxBytes ?? c.get("limits").sandboxMaxBytes,
      maxFiles: quota?.maxFiles ?? c.get("limits").sandboxMaxFiles,
    });
  });
}
