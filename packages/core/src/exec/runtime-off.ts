/**
 * A runtime that is off (python3, js-exec) answers like a missing command
 * (exit 127) with a message that says why and how to turn it on, not
 * just-bash's "not available in browser environments". The commands stay
 * unregistered, so `which python3` and `command -v python3` find nothing; a
 * transform sends each literal call to one reporting command instead.
 */
import { type Command, defineCommand, type TransformPlugin } from "just-bash";
import type { Runtime } from "../backend.js";

/** The hidden command that reports a runtime that is off. */
export const RUNTIME_OFF_COMMAND = "__cairn_runtime_off";

/** The commands each runtime adds. */
export const RUNTIME_COMMANDS: Record<Runtime, readonly string[]> = {
  python3: ["python3", "python"],
  "js-exec": ["js-exec", "node"],
};

/** Why `name` does not run: off in this sandbox, or not available on this server at all. */
export function runtimeOffMessage(runtime: Runtime, name: string, supported: boolean): string {
  if (!supported) {
    return `bash: ${name}: the ${runtime} runtime is not available on this server (it needs Node.js 22.13 or later)\n`;
  }
  return (
    `bash: ${name}: the ${runtime} runtime is off in this sandbox; turn it on with ` +
    `runtimes: ["${runtime}"] when creating the sandbox or in PATCH /v1/sandboxes/{id}\n`
  );
}

/** The reporting command, for the runtimes that are off (`supported`: which this server has). */
export function runtimeOffCommand(supported: Record<Runtime, boolean>): Command {
  return defineCommand(RUNTIME_OFF_COMMAND, async (args) => {
    const name = args[0] ?? "";
    const runtime = runtimeOf(name);
    const stderr = runtime
      ? runtimeOffMessage(runtime, name, supported[runtime])
      : `bash: ${name}: command not found\n`;
    return { stdout: "", stderr, exitCode: 127 };
  });
}

function runtimeOf(name: string): Runtime | undefined {
  for (const [runtime, names] of Object.entries(RUNTIME_COMMANDS)) {
    if (names.includes(name)) return runtime as Runtime;
  }
  return undefined;
}

/** Rewrites `python3 ...` into `__cairn_runtime_off python3 ...` for every command of the runtimes that are off. */
export function runtimeOffTransform(off: readonly Runtime[]): TransformPlugin {
  const names = new Set(off.flatMap((runtime) => RUNTIME_COMMANDS[runtime]));
  return {
    name: "cairn-runtime-off",
    transform: ({ ast }) => ({ ast: calls(ast, names) ? rewrite(ast, names) : ast }),
  };
}

/**
 * Copies the tree, redirecting simple commands whose name is one literal in
 * `names`. Generic over node shapes, so every nesting (loops, functions,
 * pipelines, command substitutions) is covered.
 */
function rewrite<T>(node: T, names: ReadonlySet<string>): T {
  if (Array.isArray(node)) return node.map((n) => rewrite(n, names)) as T;
  if (node === null || typeof node !== "object") return node;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) copy[key] = rewrite(value, names);
  if (copy.type === "SimpleCommand") {
    const name = literalName(copy.name);
    if (name !== undefined && names.has(name)) {
      copy.args = [copy.name, ...(copy.args as unknown[])];
      copy.name = { type: "Word", parts: [{ type: "Literal", value: RUNTIME_OFF_COMMAND }] };
    }
  }
  return copy as T;
}

/** Whether any simple command in the tree is named by one literal in `names` (no copies made). */
function calls(node: unknown, names: ReadonlySet<string>): boolean {
  if (names.size === 0 || node === null || typeof node !== "object") return false;
  if (Array.isArray(node)) return node.some((n) => calls(n, names));
  const record = node as Record<string, unknown>;
  if (record.type === "SimpleCommand") {
    const name = literalName(record.name);
    if (name !== undefined && names.has(name)) return true;
  }
  for (const key in record) if (calls(record[key], names)) return true;
  return false;
}

function literalName(word: unknown): string | undefined {
  const parts = (word as { parts?: Array<{ type: string; value?: string }> } | null)?.parts;
  if (parts?.length !== 1 || parts[0]?.type !== "Literal") return undefined;
  return parts[0].value;
}
