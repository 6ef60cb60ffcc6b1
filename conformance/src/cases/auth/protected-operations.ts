/** Every operation the spec secures answers 401 `unauthorized` without a key or with a wrong one. */
import type { ConformanceCase } from "../../case.js";
import type { CaseContext } from "../../context.js";
import { expectProblem } from "../../harness/assert.js";
import { type OperationSample, operationName, operationSamples } from "../operation-samples.js";

async function target(ctx: CaseContext, sample: OperationSample) {
  // A real sandbox, so that the only thing wrong with the request is its credentials.
  const id = sample.template.includes("{sandboxId}") ? (await ctx.sandbox()).id : "";
  return sample.build(id);
}

function casesFor(sample: OperationSample): ConformanceCase[] {
  const op = operationName(sample.operationId);
  return [
    {
      id: `auth/${op}/missing-key`,
      feature: "auth",
      title: `${sample.method} ${sample.template} without Authorization is 401 unauthorized.`,
      async run(ctx) {
        const { path, options } = await target(ctx, sample);
        const res = await ctx.request(sample.method, path, { ...options, auth: false });
        expectProblem(res, 401, "unauthorized");
      },
    },
    {
      id: `auth/${op}/wrong-key`,
      feature: "auth",
      title: `${sample.method} ${sample.template} with a wrong bearer key is 401 unauthorized.`,
      async run(ctx) {
        const { path, options } = await target(ctx, sample);
        const wrong = `${ctx.apiKey}-wrong`;
        const res = await ctx.request(sample.method, path, { ...options, auth: wrong });
        expectProblem(res, 401, "unauthorized");
      },
    },
  ];
}

export default operationSamples()
  .filter((s) => s.secured)
  .flatMap(casesFor);
