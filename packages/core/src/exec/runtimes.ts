/** Which opt-in runtimes just-bash can run on this Node. */
import { createRequire } from "node:module";
import type { Runtime } from "../backend.js";

/**
 * just-bash's `js-exec` imports `stripTypeScriptTypes` from `node:module`,
 * which Node added in v22.13; on older Node every js-exec call fails.
 */
export function runtimeSupport(): Record<Runtime, boolean> {
  const nodeModule = createRequire(import.meta.url)("node:module") as Record<string, unknown>;
  return {
    python3: true,
    "js-exec": typeof nodeModule.stripTypeScriptTypes === "function",
  };
}
