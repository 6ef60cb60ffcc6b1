/** Every sandbox-scoped operation answers 404 `sandbox_not_found` for an id that names no sandbox. */
import type { ConformanceCase } from "../../case.js";
import { expectProblem } from "../../harness/assert.js";
import { missingSandboxId, operationName, operationSamples } from "../operation-samples.js";

export default operationSamples()
  .filter((s) => s.template.includes("{sandboxId}"))
  .map(
    (sample): ConformanceCase => ({
      id: `sandboxes/${operationName(sample.operationId)}/unknown-sandbox-404`,
      feature: "sandboxes",
      title: `${sample.method} ${sample.template} for an unknown sandbox is 404 sandbox_not_found.`,
      async run(ctx) {
        const { path, options } = sample.build(missingSandboxId());
        expectProblem(await ctx.request(sample.method, path, options), 404, "sandbox_not_found");
      },
    }),
  );
