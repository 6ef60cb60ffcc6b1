/**
 * Fuzz: for every operation in the spec, generated invalid inputs (wrong types, huge strings,
 * NUL, `..`, unicode oddities, missing fields, malformed and absurdly nested bodies) get a 4xx
 * problem+json with a code, or a success when the odd value happens to be valid; never a 5xx.
 */
import type { ConformanceCase } from "../../case.js";
import { assert } from "../../harness/assert.js";
import { operationName, operationSamples } from "../operation-samples.js";
import { fuzzInputs } from "./fuzz-inputs.js";

// A watch stream never ends by design; its inputs are checked by the history cases.
export default operationSamples()
  .filter((sample) => sample.operationId !== "watchSandbox")
  .map(
    (sample): ConformanceCase => ({
      id: `system/fuzz/${operationName(sample.operationId)}`,
      feature: "system",
      title: `${sample.method} ${sample.template} answers every generated invalid input with a 4xx problem (or a success), never a 5xx.`,
      async run(ctx) {
        const sandbox = sample.template.includes("{sandboxId}")
          ? await ctx.sandbox({ files: [{ path: "/conformance.txt", content: "a\n" }] })
          : undefined;
        for (const input of fuzzInputs(sample, sandbox?.id ?? "")) {
          const res = await ctx.request(sample.method, input.path, input.options);
          const what = `${sample.operationId} with ${input.label}: ${res.status}`;
          assert.ok(res.status < 500, `${what} ${res.text.slice(0, 300)}`);
          if (res.status >= 400) {
            assert.match(res.headers.get("content-type") ?? "", /problem\+json/, what);
            assert.equal(typeof res.json<{ code?: unknown }>().code, "string", what);
          }
        }
      },
    }),
  );
