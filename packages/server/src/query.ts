/** Parsing of query parameters into the types the spec declares, with 400s for bad values. */
import { normalizePath } from "@cairn/core";
import type { Context } from "hono";
import { ProblemError } from "./problem.js";

/** The required `path` parameter, normalized (throws EINVAL / ENAMETOOLONG problems). */
export function pathParam(c: Context, name = "path"): string {
  return normalizePath(requiredParam(c, name));
}

/** An optional path parameter, normalized; absent or empty is undefined. */
export function optionalPathParam(c: Context, name = "path"): string | undefined {
  const raw = stringParam(c, name, 4096);
  return raw ? normalizePath(raw) : undefined;
}

/** A required, non-empty string parameter. */
export function requiredParam(c: Context, name: string, maxLength = 4096): string {
  const value = stringParam(c, name, maxLength);
  if (value === undefined || value === "") {
    throw new ProblemError(400, "invalid_request", `query parameter '${name}' is required`);
  }
  return value;
}

export function boolParam(c: Context, name: string, fallback: boolean): boolean {
  const raw = c.req.query(name);
  if (raw === undefined) return fallback;
  if (raw === "true" || raw === "1") return true;
  if (raw === "false" || raw === "0") return false;
  throw new ProblemError(400, "invalid_request", `query parameter '${name}' must be true or false`);
}

export function intParam(
  c: Context,
  name: string,
  range: { min: number; max: number; fallback: number },
): number {
  const raw = c.req.query(name);
  if (raw === undefined) return range.fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < range.min || value > range.max) {
    throw new ProblemError(
      400,
      "invalid_request",
      `query parameter '${name}' must be an integer from ${range.min} to ${range.max}`,
    );
  }
  return value;
}

/** An optional string parameter bounded in length. */
export function stringParam(c: Context, name: string, maxLength: number): string | undefined {
  const raw = c.req.query(name);
  if (raw !== undefined && raw.length > maxLength) {
    throw new ProblemError(400, "invalid_request", `query parameter '${name}' is too long`);
  }
  return raw;
}

/** A repeatable string parameter (`?tag=a&tag=b`), each value non-empty and bounded. */
export function stringsParam(
  c: Context,
  name: string,
  bounds: { maxItems: number; maxLength: number },
): string[] {
  const values = c.req.queries(name) ?? [];
  if (values.length > bounds.maxItems) {
    throw new ProblemError(
      400,
      "invalid_request",
      `query parameter '${name}' is given more than ${bounds.maxItems} times`,
    );
  }
  for (const value of values) {
    if (value === "" || value.length > bounds.maxLength) {
      throw new ProblemError(
        400,
        "invalid_request",
        `each '${name}' must be 1 to ${bounds.maxLength} characters`,
      );
    }
  }
  return values;
}

/** Octal permission bits such as `644` or `0755`. */
export function parseMode(raw: string | undefined, where: string): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^[0-7]{3,4}$/.test(raw)) {
    throw new ProblemError(
      400,
      "invalid_request",
      `${where} must be octal permission bits like 644`,
    );
  }
  return Number.parseInt(raw, 8);
}
