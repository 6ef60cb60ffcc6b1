/** Checks HTTP responses against the OpenAPI document: declared status, content type and schema. */
import { loadSpec } from "@cairn/spec";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import { deref, escapeToken, isObject, type JsonObject } from "./json.js";
import { essence, isJsonMediaType, mediaTypeMatches } from "./media-type.js";

const methods = ["get", "put", "post", "delete", "patch", "head", "options", "trace"] as const;
const specKey = "cairn-openapi";

/** An operation of the spec matched by a request's method and path. */
export interface OperationMatch {
  readonly operationId: string;
  readonly method: string;
  /** The path template, e.g. `/v1/sandboxes/{sandboxId}/files`. */
  readonly template: string;
  /** JSON Pointer to the operation object in the document. */
  readonly pointer: string;
  readonly operation: JsonObject;
}

/** What the validator needs to know about a response. */
export interface ResponseShape {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Uint8Array;
}

/** The outcome of checking one response: empty `violations` means it conforms. */
export interface ResponseCheck {
  readonly violations: string[];
  /** The parsed JSON body, when the media type is JSON and it parsed. */
  readonly json?: unknown;
}

const rfc3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

/** RFC 3339 date-time, as JSON Schema's `format: date-time` means it. */
export function isDateTime(value: string): boolean {
  return rfc3339.test(value) && !Number.isNaN(Date.parse(value));
}

/**
 * Validates responses against the Cairn OpenAPI document (or any OpenAPI 3.1 document).
 * @example
 * const v = new SpecValidator();
 * const op = v.findOperation("GET", "/v1/health");
 * const { violations } = v.checkResponse(op!, { status: 200, headers, body });
 */
export class SpecValidator {
  readonly document: JsonObject;
  readonly #ajv: Ajv2020;
  readonly #compiled = new Map<string, ValidateFunction>();
  readonly #templates: { template: string; segments: string[] }[];

  constructor(document: JsonObject = loadSpec()) {
    this.document = document;
    this.#ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: true });
    this.#ajv.addFormat("date-time", { type: "string", validate: isDateTime });
    this.#ajv.addSchema(document, specKey);
    const paths = isObject(document.paths) ? Object.keys(document.paths) : [];
    this.#templates = paths.map((template) => ({ template, segments: template.split("/") }));
  }

  /** The operation for a method and a concrete path (`/v1/sandboxes/sbx_1/files`), if any. */
  findOperation(method: string, pathname: string): OperationMatch | undefined {
    const lower = method.toLowerCase();
    if (!(methods as readonly string[]).includes(lower)) return undefined;
    const actual = pathname.split("/");
    // Prefer templates with the most literal segments, as OpenAPI requires.
    const candidates = this.#templates
      .filter(({ segments }) => segments.length === actual.length)
      .filter(({ segments }) =>
        segments.every((s, i) => (isParam(s) ? (actual[i] ?? "") !== "" : s === actual[i])),
      )
      .sort((a, b) => literalCount(b.segments) - literalCount(a.segments));
    for (const { template } of candidates) {
      const ptr = `/paths/${escapeToken(template)}/${lower}`;
      const { value } = deref(this.document, ptr);
      if (!isObject(value)) continue;
      const operationId =
        typeof value.operationId === "string" ? value.operationId : `${lower} ${template}`;
      return { operationId, method: lower, template, pointer: ptr, operation: value };
    }
    return undefined;
  }

  /** The media types the operation accepts for its request body, first is preferred. */
  requestMediaTypes(match: OperationMatch): string[] {
    const { value } = deref(this.document, `${match.pointer}/requestBody`);
    return isObject(value) && isObject(value.content) ? Object.keys(value.content) : [];
  }

  /** Checks a response's status, Content-Type, headers and JSON body against the operation. */
  checkResponse(match: OperationMatch, response: ResponseShape): ResponseCheck {
    const violations: string[] = [];
    const responses = deref(this.document, `${match.pointer}/responses`).value;
    const declared = isObject(responses) ? Object.keys(responses) : [];
    const key = statusKey(declared, response.status);
    if (key === undefined) {
      violations.push(
        `status ${response.status} is not declared (declared: ${declared.join(", ") || "none"})`,
      );
      return { violations };
    }
    const { value: decl, ptr: declPtr } = deref(
      this.document,
      `${match.pointer}/responses/${escapeToken(key)}`,
    );
    if (!isObject(decl)) return { violations: [`response "${key}" is not an object in the spec`] };
    this.#checkHeaders(decl, response.headers, violations);

    const content = isObject(decl.content) ? decl.content : undefined;
    const mediaTypes = content ? Object.keys(content) : [];
    if (mediaTypes.length === 0) {
      if (response.body.byteLength > 0) {
        violations.push(
          `status ${response.status} declares no content, but the body has ${response.body.byteLength} bytes`,
        );
      }
      return { violations };
    }
    const rawType = response.headers.get("content-type");
    if (rawType === null) {
      violations.push(
        `missing Content-Type (declared for ${response.status}: ${mediaTypes.join(", ")})`,
      );
      return { violations };
    }
    const actual = essence(rawType);
    const declaredType = mediaTypes.find((m) => mediaTypeMatches(m, actual));
    if (declaredType === undefined) {
      violations.push(
        `Content-Type "${rawType}" is not declared for ${response.status} (declared: ${mediaTypes.join(", ")})`,
      );
      return { violations };
    }
    if (!isJsonMediaType(actual)) return { violations };

    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(response.body));
    } catch (error) {
      violations.push(`body is not valid JSON: ${(error as Error).message}`);
      return { violations };
    }
    const schemaPtr = `${declPtr}/content/${escapeToken(declaredType)}/schema`;
    const validate = this.#validatorFor(schemaPtr);
    if (validate && !validate(json)) {
      for (const e of validate.errors ?? []) {
        const where = e.instancePath === "" ? "body" : `body${e.instancePath}`;
        const extra =
          e.keyword === "additionalProperties" || e.keyword === "enum"
            ? ` (${JSON.stringify(e.params)})`
            : "";
        violations.push(`${where} ${e.message ?? "is invalid"}${extra}`);
      }
    }
    return { violations, json };
  }

  /**
   * Violations of one decoded item of a streamed body (e.g. a server-sent event as
   * `{ event, data }`) against the `contentSchema` the spec declares for the operation's status
   * and media type. Empty when it conforms or when the spec declares no `contentSchema`.
   */
  checkStreamItem(
    match: OperationMatch,
    status: number,
    contentType: string,
    item: unknown,
  ): string[] {
    const responses = deref(this.document, `${match.pointer}/responses`).value;
    const key = statusKey(isObject(responses) ? Object.keys(responses) : [], status);
    if (key === undefined) return [`status ${status} is not declared`];
    const { value: decl, ptr: declPtr } = deref(
      this.document,
      `${match.pointer}/responses/${escapeToken(key)}`,
    );
    const content = isObject(decl) && isObject(decl.content) ? decl.content : {};
    const declaredType = Object.keys(content).find((m) =>
      mediaTypeMatches(m, essence(contentType)),
    );
    if (declaredType === undefined) return [`Content-Type "${contentType}" is not declared`];
    const schemaPtr = `${declPtr}/content/${escapeToken(declaredType)}/schema`;
    const schema = deref(this.document, schemaPtr).value;
    if (!isObject(schema) || !isObject(schema.contentSchema)) return [];
    const validate = this.#validatorFor(`${schemaPtr}/contentSchema`);
    if (!validate || validate(item)) return [];
    return (validate.errors ?? []).map((e) => {
      const extra =
        e.keyword === "additionalProperties" || e.keyword === "enum" || e.keyword === "const"
          ? ` (${JSON.stringify(e.params)})`
          : "";
      return `${e.instancePath === "" ? "event" : `event${e.instancePath}`} ${e.message ?? "is invalid"}${extra}`;
    });
  }

  #checkHeaders(decl: JsonObject, headers: Headers, violations: string[]): void {
    if (!isObject(decl.headers)) return;
    for (const [name, raw] of Object.entries(decl.headers)) {
      const header =
        isObject(raw) && typeof raw.$ref === "string" ? resolveLocal(this.document, raw.$ref) : raw;
      if (!isObject(header)) continue;
      const value = headers.get(name);
      if (value === null) {
        if (header.required === true) violations.push(`missing required header ${name}`);
        continue;
      }
      const type = isObject(header.schema) ? header.schema.type : undefined;
      if (type === "integer" && !/^-?\d+$/.test(value.trim())) {
        violations.push(`header ${name} should be an integer, got "${value}"`);
      }
    }
  }

  #validatorFor(schemaPtr: string): ValidateFunction | undefined {
    const cached = this.#compiled.get(schemaPtr);
    if (cached) return cached;
    const ref = `${specKey}#${schemaPtr.split("/").map(encodeURIComponent).join("/")}`;
    const validate = this.#ajv.compile({ $ref: ref });
    this.#compiled.set(schemaPtr, validate);
    return validate;
  }
}

function resolveLocal(document: JsonObject, ref: string): unknown {
  return ref.startsWith("#") ? deref(document, decodeURIComponent(ref.slice(1))).value : undefined;
}

function isParam(segment: string): boolean {
  return segment.startsWith("{") && segment.endsWith("}");
}

function literalCount(segments: string[]): number {
  return segments.filter((s) => !isParam(s)).length;
}

/** The responses key that covers a status: exact, then `4XX`-style range, then `default`. */
function statusKey(declared: string[], status: number): string | undefined {
  const exact = String(status);
  if (declared.includes(exact)) return exact;
  const range = `${exact[0]}XX`;
  const found = declared.find((k) => k.toUpperCase() === range);
  if (found) return found;
  return declared.includes("default") ? "default" : undefined;
}
