/** Tests of the case list: well-formed unique ids, and every spec operation has cases. */
import { loadSpec } from "@cairn/spec";
import { describe, expect, it } from "vitest";
import { isObject } from "../harness/json.js";
import { allCases, checkCases } from "./index.js";
import { operationName } from "./operation-samples.js";

describe("allCases", () => {
  it("has well-formed, unique ids", () => {
    expect(() => checkCases(allCases)).not.toThrow();
  });

  it("rejects a duplicate id", () => {
    const c = allCases[0]!;
    expect(() => checkCases([c, c])).toThrow(/duplicate/);
  });

  it("covers every operation in the spec", () => {
    const spec = loadSpec();
    const paths = isObject(spec.paths) ? Object.values(spec.paths) : [];
    const operationIds = paths.flatMap((item) =>
      isObject(item)
        ? Object.values(item).flatMap((op) =>
            isObject(op) && typeof op.operationId === "string" ? [op.operationId] : [],
          )
        : [],
    );
    const covered = new Set(allCases.map((c) => c.id.split("/")[1]));
    const missing = operationIds.map(operationName).filter((name) => !covered.has(name));
    expect(missing).toEqual([]);
  });

  it("gives every case a title", () => {
    expect(allCases.filter((c) => c.title.trim() === "").map((c) => c.id)).toEqual([]);
  });
});
