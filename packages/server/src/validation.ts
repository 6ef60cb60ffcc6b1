/** Request bodies are validated against the spec's own schemas: one contract, no hand copies. */
import { loadSpec, type Schemas } from "@cairn/spec";
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import type { Context } from "hono";
import type { AppEnv } from "./env.js";
import { ProblemError } from "./problem.js";
import { requestText } from "./request-body.js";

const SPEC_ID = "cairn-openapi";

export class RequestValidator {
  private readonly ajv: Ajv2020;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(spec: Record<string, unknown> = loadSpec()) {
    this.ajv = new Ajv2020({
      strict: false,
      allErrors: false,
      useDefaults: false,
      // RFC 3339 date-times (e.g. `expiresAt`): a date, `T`, a time and a zone, and a real instant.
      formats: {
        "date-time": (s: string) =>
          /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i.test(s) &&
          !Number.isNaN(Date.parse(s)),
      },
    });
    this.ajv.addSchema({ ...spec, $id: SPEC_ID });
  }

  /** Throws a 400 `invalid_request` unless `value` matches `components.schemas[name]`. */
  check<K extends keyof Schemas & string>(name: K, value: unknown): Schemas[K] {
    let validate = this.compiled.get(name);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `${SPEC_ID}#/components/schemas/${name}` });
      this.compiled.set(name, validate);
    }
    if (!validate(value)) throw new ProblemError(400, "invalid_request", describe(validate.errors));
    return value as Schemas[K];
  }
}

function describe(errors: ErrorObject[] | null | undefined): string {
  const e = errors?.[0];
  if (!e) return "invalid request body";
  const where = e.instancePath ? `body${e.instancePath}` : "body";
  const extra =
    e.keyword === "additionalProperties"
      ? ` ('${String((e.params as { additionalProperty?: string }).additionalProperty)}')`
      : "";
  return `${where} ${e.message ?? "is invalid"}${extra}`;
}

/** Reads a JSON body (empty allowed when `optional`), 415 for other media types, 400 for bad JSON. */
export async function readJson(c: Context<AppEnv>, optional = false): Promise<unknown> {
  const text = await requestText(c);
  if (text.trim() === "") {
    if (optional) return {};
    throw new ProblemError(400, "invalid_request", "a JSON request body is required");
  }
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/(.+\+)?json\b/i.test(type)) {
    throw new ProblemError(415, "unsupported_media_type", "send the body as application/json");
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ProblemError(400, "invalid_request", "the body is not valid JSON");
  }
}
