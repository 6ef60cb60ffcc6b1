/** Request-body types for cases: the spec's schemas with their defaulted members optional. */
import type { Schemas } from "@cairn/spec";

type WithOptional<T, K extends keyof T> = Omit<T, K> & Partial<Pick<T, K>>;

export type SeedFileInput = WithOptional<Schemas["SeedFile"], "encoding">;
export type CreateSandboxInput = Omit<Schemas["CreateSandboxRequest"], "files"> & {
  files?: SeedFileInput[];
};
export type MoveInput = WithOptional<Schemas["MoveRequest"], "overwrite">;
export type CopyInput = WithOptional<Schemas["CopyRequest"], "overwrite">;
export type MakeDirectoryInput = WithOptional<Schemas["MakeDirectoryRequest"], "parents">;
export type ExecInput = Schemas["ExecRequest"];
export type ExecBatchInput = Schemas["ExecBatchRequest"];
export type UpdateSandboxInput = Schemas["UpdateSandboxRequest"];
