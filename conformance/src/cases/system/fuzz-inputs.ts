/**
 * Invalid inputs generated from the spec, one mutation of a well-formed request at a time: each
 * parameter and each body field gets wrong types, huge strings, NUL, `..`, unicode oddities and
 * emptiness; required ones go missing; bodies come malformed, of the wrong shape or nested
 * absurdly deep.
 */
import { loadSpec } from "@cairn/spec";
import { isObject, type JsonObject } from "../../harness/json.js";
import type { RequestOptions } from "../../harness/request.js";
import type { OperationSample } from "../operation-samples.js";

export interface FuzzInput {
  /** What was changed, for the failure message. */
  label: string;
  path: string;
  options: RequestOptions;
}

/** Strings that break naive handlers; short enough for a request line (Node caps it at 16 KB). */
const ODD_STRINGS = [
  "",
  "..",
  "/../../etc/passwd",
  "/a/../b",
  "a\u0000b",
  "/\u0000",
  "\uFEFF/bom",
  "/\u202Eevil",
  "/e\u0301\u0301\u0301",
  "/😀/👩‍👩‍👧",
  "%2e%2e/%00",
  "x".repeat(5000),
  "/".repeat(3000),
  "-1",
  "1e309",
  "NaN",
  "0x10",
  "true",
  "[object Object]",
];

/** Values of the wrong JSON type (or absurd size) for any body field. */
const ODD_VALUES: unknown[] = [
  null,
  -1,
  1.5,
  1e308,
  true,
  "x".repeat(1 << 20),
  "\u0000",
  "\ud800",
  "../../..",
  [],
  {},
  [[[[[[[[[[]]]]]]]]]],
  { nested: { deeper: ["x"] } },
];

const MALFORMED_BODIES = ["{", "null", "[]", "42", '"text"', "{}}", "\u0000", "[".repeat(10_000)];

type Spec = JsonObject;

function resolve(spec: Spec, node: unknown): JsonObject | undefined {
  let current = node;
  for (let hops = 0; hops < 10 && isObject(current) && typeof current.$ref === "string"; hops++) {
    let target: unknown = spec;
    for (const part of current.$ref.replace(/^#\//, "").split("/")) {
      target = isObject(target) ? target[part] : undefined;
    }
    current = target;
  }
  return isObject(current) ? current : undefined;
}

interface Param {
  name: string;
  in: "query" | "header" | "path";
  required: boolean;
}

function operationOf(spec: Spec, sample: OperationSample): { op: JsonObject; item: JsonObject } {
  const paths = spec.paths as JsonObject;
  const item = paths[sample.template] as JsonObject;
  return { op: item[sample.method.toLowerCase()] as JsonObject, item };
}

function paramsOf(spec: Spec, sample: OperationSample): Param[] {
  const { op, item } = operationOf(spec, sample);
  const all = [
    ...(Array.isArray(item.parameters) ? item.parameters : []),
    ...(Array.isArray(op.parameters) ? op.parameters : []),
  ];
  return all
    .map((p) => resolve(spec, p))
    .filter((p): p is JsonObject => p !== undefined)
    .map((p) => ({
      name: String(p.name),
      in: p.in as Param["in"],
      required: p.required === true,
    }));
}

/** The JSON body's properties and required names, when the operation takes a JSON object. */
function jsonBodyOf(
  spec: Spec,
  sample: OperationSample,
): { properties: string[]; required: string[] } | undefined {
  const { op } = operationOf(spec, sample);
  const content = resolve(spec, op.requestBody)?.content;
  const schema = isObject(content)
    ? resolve(spec, (content["application/json"] as JsonObject)?.schema)
    : undefined;
  if (!schema) return undefined;
  return {
    properties: isObject(schema.properties) ? Object.keys(schema.properties) : [],
    required: Array.isArray(schema.required) ? schema.required.map(String) : [],
  };
}

/** Every mutation of `sample`'s well-formed request for sandbox `sandboxId`. */
export function fuzzInputs(sample: OperationSample, sandboxId: string): FuzzInput[] {
  const spec = loadSpec() as Spec;
  const base = sample.build(sandboxId);
  const inputs: FuzzInput[] = [];
  const withQuery = (label: string, query: RequestOptions["query"]) =>
    inputs.push({ label, path: base.path, options: { ...base.options, query } });

  for (const param of paramsOf(spec, sample)) {
    if (param.in === "query") {
      for (const value of ODD_STRINGS) {
        withQuery(`${param.name}=${JSON.stringify(value.slice(0, 40))}`, {
          ...base.options.query,
          [param.name]: value,
        });
      }
      if (param.required) {
        const { [param.name]: _dropped, ...rest } = base.options.query ?? {};
        withQuery(`${param.name} missing`, rest);
      }
    } else if (param.in === "header") {
      // A header value must be visible ASCII, or fetch refuses to send it at all.
      for (const value of ODD_STRINGS.filter((v) => /^[\x20-\x7e]*$/.test(v))) {
        inputs.push({
          label: `${param.name}: ${JSON.stringify(value.slice(0, 40))}`,
          path: base.path,
          options: { ...base.options, headers: { ...base.options.headers, [param.name]: value } },
        });
      }
    } else if (param.in === "path" && param.name === "sandboxId") {
      for (const id of ["..", "%00", "x".repeat(3000), "sbx_%F0%9F%98%80", "%2e%2e%2fsandboxes"]) {
        inputs.push({
          label: `sandboxId ${JSON.stringify(id.slice(0, 40))}`,
          path: base.path.replace(sandboxId, id),
          options: base.options,
        });
      }
    }
  }

  const json = jsonBodyOf(spec, sample);
  if (json) {
    const body = isObject(base.options.body) ? (base.options.body as JsonObject) : {};
    for (const raw of MALFORMED_BODIES) {
      inputs.push({
        label: `body ${JSON.stringify(raw.slice(0, 20))}`,
        path: base.path,
        options: { ...base.options, body: raw, headers: { "Content-Type": "application/json" } },
      });
    }
    for (const name of json.properties) {
      for (const value of ODD_VALUES) {
        const shown = JSON.stringify(value)?.slice(0, 40) ?? String(value);
        inputs.push({
          label: `${name}: ${shown}`,
          path: base.path,
          options: { ...base.options, body: { ...body, [name]: value } },
        });
      }
    }
    for (const name of json.required) {
      const { [name]: _dropped, ...rest } = body;
      inputs.push({
        label: `${name} missing`,
        path: base.path,
        options: { ...base.options, body: rest },
      });
    }
    const extra = JSON.stringify({ ...body, "\u0000unknown": 1 }).replace(
      /^\{/,
      '{"__proto__": {"polluted": true}, ',
    );
    inputs.push({
      label: "unknown fields, __proto__ among them",
      path: base.path,
      options: { ...base.options, body: extra, headers: { "Content-Type": "application/json" } },
    });
    const deep = `${"[".repeat(5000)}${"]".repeat(5000)}`;
    inputs.push({
      label: "a property nested 5000 deep",
      path: base.path,
      options: {
        ...base.options,
        body: `{"${json.properties[0] ?? "x"}": ${deep}}`,
        headers: { "Content-Type": "application/json" },
      },
    });
  } else if (base.options.body instanceof Uint8Array) {
    for (const bytes of [
      new Uint8Array(0),
      Uint8Array.from({ length: 4096 }, (_, i) => (i * 131) % 256),
    ]) {
      inputs.push({
        label: `${bytes.length} odd bytes`,
        path: base.path,
        options: { ...base.options, body: bytes },
      });
    }
  }
  return inputs;
}
