/** Which opt-in runtimes just-bash can run on this Node. */
import * as nodeModule from "node:module";
import type { Runtime } from "../backend.js";

/**
 * just-bash's `js-exec` imports `stripTypeScriptTypes` from `node:module`,
 * which Node added in v22.13; on older Node every js-exec call fails.
 */
const JS_EXEC = "stripTypeScriptTypes" in nodeModule;

export function runtimeSupport(): Record<Runtime, boolean> {
  return { python3: true, "js-exec": JS_EXEC };
}
