/** `describeConformance`: registers every conformance case as a vitest test against a backend. */
export { describeBackendContract } from "./backend-contract.js";
export { describeKeyStoreContract } from "./key-store-contract.js";

import type { Embedder } from "@cairn/core";
import { afterAll, beforeAll, describe, it } from "vitest";
import { features } from "./case.js";
import { allCases } from "./cases/index.js";
import { CaseSkipped } from "./context.js";
import { SpecValidator } from "./harness/spec-validator.js";
import {
  type BackendFactory,
  type ReferenceServer,
  startReferenceServer,
} from "./reference-server.js";
import { runCase } from "./run-case.js";
import { type CasePattern, type SkipEntry, selectCases } from "./selection.js";

export interface DescribeConformanceOptions {
  /** Names the suite, e.g. the backend's name. */
  name: string;
  createBackend: BackendFactory;
  /** Cases not to run, each group with its reason (shown in the skipped test's title). */
  skip?: SkipEntry[];
  /** Run only cases matching these patterns. */
  only?: CasePattern | CasePattern[];
  /** Per-case time limit in ms (default 20 s). */
  timeoutMs?: number;
  /** Script worker threads (default 2, as `cairn serve`; 0 runs scripts on the server's thread). */
  scriptWorkers?: number;
  /** Turns semantic search on with this embedder (the semantic and hybrid search cases need it). */
  embedder?: Embedder;
}

/**
 * Runs the conformance suite over your backend, one vitest `it` per case, grouped by feature.
 * @example
 * // my-backend.conformance.test.ts
 * import { describeConformance } from "@cairn/conformance/vitest";
 * describeConformance({
 *   name: "sqlite",
 *   createBackend: () => createSqliteBackend(":memory:"),
 *   skip: [{ reason: "no fork yet", cases: ["sandboxes/fork-sandbox"] }],
 * });
 */
export function describeConformance(options: DescribeConformanceOptions): void {
  const selections = selectCases(allCases, options.only, options.skip);
  const timeoutMs = options.timeoutMs ?? 20_000;

  describe(`cairn conformance: ${options.name}`, () => {
    let server: ReferenceServer | undefined;
    const validator = new SpecValidator();
    beforeAll(async () => {
      server = await startReferenceServer({
        createBackend: options.createBackend,
        scriptWorkers: options.scriptWorkers,
        embedder: options.embedder,
      });
    });
    afterAll(async () => {
      await server?.close();
    });

    for (const feature of features) {
      const inFeature = selections.filter((s) => s.testCase.feature === feature);
      if (inFeature.length === 0) continue;
      describe(feature, () => {
        for (const { testCase, skipReason } of inFeature) {
          if (skipReason !== undefined) {
            it.skip(`${testCase.id} (skipped: ${skipReason})`, () => {});
            continue;
          }
          it(
            testCase.id,
            async ({ skip }) => {
              if (!server) throw new Error("the reference server did not start");
              try {
                await runCase(testCase, { ...server, validator, timeoutMs });
              } catch (error) {
                if (error instanceof CaseSkipped) skip(error.message);
                throw error;
              }
            },
            timeoutMs + 5_000,
          );
        }
      });
    }
  });
}
