/**
 * Every server limit as a flag and an environment variable, named after the
 * field: `sandboxMaxBytes` is `--sandbox-max-bytes` and `CAIRN_SANDBOX_MAX_BYTES`.
 * Values are whole numbers (bytes, milliseconds, counts); a flag beats the
 * environment, and an unset limit keeps the server's default.
 */
import { DEFAULT_LIMITS, type Limits } from "@cairn/server";

type LimitName = keyof Limits;

const NAMES = Object.keys(DEFAULT_LIMITS) as LimitName[];

const flagOf = (name: LimitName) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const envOf = (name: LimitName) => `CAIRN_${name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;

/** parseArgs options for every limit. */
export const LIMIT_OPTIONS = Object.fromEntries(
  NAMES.map((name) => [flagOf(name), { type: "string" as const }]),
);

/** The help text's lines for the limits, with their defaults. */
export function limitHelp(): string {
  return NAMES.map(
    (name) =>
      `  --${flagOf(name)} <n>`.padEnd(40) +
      `(env ${envOf(name)}, default ${DEFAULT_LIMITS[name]})`,
  ).join("\n");
}

/** The limits set by flags or environment, or an error naming the bad one. */
export function resolveLimits(
  values: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): Partial<Limits> | { error: string } {
  const limits: Partial<Limits> = {};
  for (const name of NAMES) {
    const flag = values[flagOf(name)];
    const raw = typeof flag === "string" ? flag : env[envOf(name)];
    if (raw === undefined) continue;
    const from = typeof flag === "string" ? `--${flagOf(name)}` : envOf(name);
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
      return { error: `${from} must be a whole number, not '${raw}'` };
    }
    limits[name] = Number(raw);
  }
  return limits;
}
