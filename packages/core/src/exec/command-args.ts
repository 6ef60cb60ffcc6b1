/** Argument parsing and answers shared by Cairn's own commands (search, tag, untag, tags, summary). */
import type { ExecResult } from "just-bash";
import { FsError, InvalidArgumentError } from "../errors.js";

/** Exit codes, as grep has them: 1 is "nothing found" for search, "could not" for the others. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/**
 * A command line that does not parse, or asks for what is not available; its message is for
 * stderr, its exit code 2. An invalid argument, so `CairnBashFs.query` never takes it for a
 * storage failure.
 */
export class UsageError extends InvalidArgumentError {
  override readonly name: string = "UsageError";
}

export interface ParsedArgs {
  /** Arguments that are not options, in order (everything after `--` included). */
  operands: string[];
  /** Flags given (`--json`). */
  flags: Set<string>;
  /** Options with a value (`--tag T`, `--tag=T`), every value in order. */
  values: Map<string, string[]>;
}

/**
 * Splits `args` into flags, options with values and operands. `--` ends the
 * options; a lone `-` is an operand; anything else starting with `-` must be
 * one of `flags` or `valued` (long form, or the one-letter `aliases`).
 */
export function parseArgs(
  args: readonly string[],
  spec: { flags?: readonly string[]; valued?: readonly string[]; aliases?: Record<string, string> },
): ParsedArgs {
  const flags = new Set<string>();
  const values = new Map<string, string[]>();
  const operands: string[] = [];
  const isFlag = (name: string) => spec.flags?.includes(name) ?? false;
  const isValued = (name: string) => spec.valued?.includes(name) ?? false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") {
      operands.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      operands.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const raw = arg.startsWith("--") ? arg.slice(2, eq < 0 ? undefined : eq) : arg.slice(1);
    const name = arg.startsWith("--") ? raw : (spec.aliases?.[raw] ?? `-${raw}`);
    if (isFlag(name) && eq < 0) {
      flags.add(name);
    } else if (isValued(name)) {
      let value: string | undefined;
      if (eq >= 0 && arg.startsWith("--")) value = arg.slice(eq + 1);
      else value = args[++i];
      if (value === undefined) throw new UsageError(`option --${name} needs a value`);
      values.set(name, [...(values.get(name) ?? []), value]);
    } else {
      throw new UsageError(`unknown option ${arg}`);
    }
  }
  return { operands, flags, values };
}

/** The last value of an option, if given. */
export function lastValue(parsed: ParsedArgs, name: string): string | undefined {
  return parsed.values.get(name)?.at(-1);
}

export function done(stdout: string, stderr = "", exitCode: number = EXIT.ok): ExecResult {
  return { stdout, stderr, exitCode };
}

/**
 * The answer for an error a command ran into: a usage or argument error
 * (exit 2, with a pointer to --help) or a filesystem error (exit 1). Other
 * errors (storage failing) are not the script's to handle and propagate.
 */
export function failure(command: string, error: unknown): ExecResult {
  if (error instanceof UsageError) {
    return done("", `${command}: ${error.message}\nTry '${command} --help'.\n`, EXIT.usage);
  }
  if (error instanceof InvalidArgumentError) {
    return done("", `${command}: ${error.message}\n`, EXIT.usage);
  }
  if (error instanceof FsError) return done("", `${command}: ${error.message}\n`, EXIT.failed);
  throw error;
}
