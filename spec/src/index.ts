/** The Cairn HTTP API: the OpenAPI document and the types generated from it. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import type { components, operations, paths } from "./schema.gen.js";

export type { components, operations, paths };

export type Schemas = components["schemas"];
export type ErrorCode = Schemas["ErrorCode"];
export type Problem = Schemas["Problem"];
export type Sandbox = Schemas["Sandbox"];
export type FileStat = Schemas["FileStat"];
export type ExecRequest = Schemas["ExecRequest"];
export type ExecResult = Schemas["ExecResult"];
export type ExecChunk = Schemas["ExecChunk"];
export type ExecExit = Schemas["ExecExit"];
export type ExecStreamEvent = Schemas["ExecStreamEvent"];
export type ExecBatchRequest = Schemas["ExecBatchRequest"];
export type ExecBatchResult = Schemas["ExecBatchResult"];
export type UpdateSandboxRequest = Schemas["UpdateSandboxRequest"];

/** Absolute path of `openapi.yaml` shipped with this package. */
export const specPath: string = fileURLToPath(new URL("../openapi.yaml", import.meta.url));

/** The OpenAPI document as a plain object (parsed once per call). */
export function loadSpec(): Record<string, unknown> {
  return parse(readFileSync(specPath, "utf8")) as Record<string, unknown>;
}
