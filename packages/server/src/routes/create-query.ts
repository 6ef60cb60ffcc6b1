/** createSandbox's settings from the query, for a create whose body is a tar (not JSON). */
import type { Context } from "hono";
import { ProblemError } from "../problem.js";
import { stringParam, stringsParam } from "../query.js";

/** The query parameters that carry settings; a JSON create takes them in its body instead. */
const SETTINGS = [
  "path",
  "name",
  "env",
  "persistShell",
  "runtimes",
  "policy",
  "ttl",
  "expiresAt",
  "idleTimeout",
] as const;

/**
 * The settings of an archive create as a `CreateSandboxRequest`-shaped object, for the same
 * schema check as a JSON body: `env` is repeated `NAME=value`, `runtimes` repeated, `policy`
 * JSON text. Types are converted here; bounds are left to the schema.
 *
 * @example
 * // ?name=build&env=CI=1&ttl=3600 → { name: "build", env: { CI: "1" }, ttl: 3600 }
 * const input = c.get("validator").check("CreateSandboxRequest", createSettingsFromQuery(c));
 */
export function createSettingsFromQuery(c: Context): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  const name = stringParam(c, "name", 200);
  if (name !== undefined) settings.name = name;
  const env = c.req.queries("env");
  if (env !== undefined) settings.env = envOf(env);
  const persistShell = c.req.query("persistShell");
  if (persistShell !== undefined) settings.persistShell = boolOf("persistShell", persistShell);
  const runtimes = stringsParam(c, "runtimes", { maxItems: 2, maxLength: 32 });
  if (runtimes.length > 0) settings.runtimes = runtimes;
  const policy = stringParam(c, "policy", 8192);
  if (policy !== undefined) settings.policy = jsonOf("policy", policy);
  for (const key of ["ttl", "idleTimeout"] as const) {
    const raw = c.req.query(key);
    if (raw !== undefined) settings[key] = integerOf(key, raw);
  }
  const expiresAt = stringParam(c, "expiresAt", 64);
  if (expiresAt !== undefined) settings.expiresAt = expiresAt;
  return settings;
}

/** A JSON create names its settings in the body: the query ones would be silently ignored. */
export function refuseSettingsInQuery(c: Context): void {
  const given = SETTINGS.filter((key) => c.req.query(key) !== undefined);
  if (given.length > 0) {
    throw new ProblemError(
      400,
      "invalid_request",
      `query parameter '${given[0]}' applies to a tar body only; with JSON, put the settings in the body`,
    );
  }
}

function envOf(pairs: readonly string[]): Record<string, string> {
  if (pairs.length > 256) {
    throw new ProblemError(
      400,
      "invalid_request",
      "query parameter 'env' is given more than 256 times",
    );
  }
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    if (at <= 0) {
      throw new ProblemError(400, "invalid_request", "each 'env' must be NAME=value");
    }
    const name = pair.slice(0, at);
    if (Object.hasOwn(env, name)) {
      throw new ProblemError(400, "invalid_request", `'env' names ${name} twice`);
    }
    env[name] = pair.slice(at + 1);
  }
  return env;
}

function boolOf(key: string, raw: string): boolean {
  if (raw === "true" || raw === "1") return true;
  if (raw === "false" || raw === "0") return false;
  throw new ProblemError(400, "invalid_request", `query parameter '${key}' must be true or false`);
}

function integerOf(key: string, raw: string): number {
  if (!/^\d{1,15}$/.test(raw)) {
    throw new ProblemError(400, "invalid_request", `query parameter '${key}' must be an integer`);
  }
  return Number(raw);
}

function jsonOf(key: string, raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    throw new ProblemError(400, "invalid_request", `query parameter '${key}' is not valid JSON`);
  }
}
