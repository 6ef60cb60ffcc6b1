/** One well-formed request per sandbox-scoped or top-level operation, derived from the spec's paths. */
import { loadSpec } from "@cairn/spec";
import { isObject } from "../harness/json.js";
import type { HttpMethod, RequestOptions } from "../harness/request.js";

export interface OperationSample {
  readonly operationId: string;
  readonly method: HttpMethod;
  readonly template: string;
  /** Whether the operation requires the bearer key (per `security`). */
  readonly secured: boolean;
  /** A well-formed request for a sandbox id. */
  build(sandboxId: string): { path: string; options: RequestOptions };
}

/** Query and body of a well-formed request, by operationId; others get `path=/` only. */
const requestParts: Record<string, RequestOptions> = {
  createSandbox: { body: {} },
  createTenant: { body: {} },
  updateTenant: { body: { limits: {} } },
  createTenantKey: { body: {} },
  writeFile: { query: { path: "/conformance.txt" }, body: new TextEncoder().encode("x") },
  readFile: { query: { path: "/conformance.txt" } },
  deleteFile: { query: { path: "/conformance.txt" } },
  statFile: { query: { path: "/" } },
  listDirectory: { query: { path: "/" } },
  makeDirectory: { body: { path: "/conformance-dir" } },
  moveFile: { body: { from: "/conformance-a", to: "/conformance-b" } },
  copyFile: { body: { from: "/conformance-a", to: "/conformance-b" } },
  execScript: { body: { script: "echo hi" } },
  execBatch: { body: { steps: [{ script: "echo hi" }] } },
  updateSandbox: { body: { name: "conformance" } },
  globFiles: { query: { pattern: "**/*" } },
  grepFiles: { query: { pattern: "hello" } },
  readLines: { query: { path: "/conformance.txt" } },
  searchFiles: { query: { q: "hello" } },
  getFileMeta: { query: { path: "/conformance.txt" } },
  setFileMeta: { query: { path: "/conformance.txt" }, body: { tags: ["conformance"] } },
  // An empty tar: the end-of-archive marker.
  importArchive: { body: new Uint8Array(1024) },
  editFile: { body: { path: "/conformance.txt", oldString: "a", newString: "b" } },
  restoreSandbox: { body: { snapshotId: "snp_conformancenosnapshot" } },
  createSnapshot: { body: {} },
  diffSandbox: { query: { from: "1" } },
  patchFiles: {
    body: { patch: "--- a/conformance.txt\n+++ b/conformance.txt\n@@ -1 +1 @@\n-a\n+b\n" },
  },
};

function kebab(operationId: string): string {
  return operationId.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** kebab-case operation name: `writeFile` → `write-file`. */
export { kebab as operationName };

/** Every operation in the spec, with a sample request. */
export function operationSamples(): OperationSample[] {
  const spec = loadSpec();
  const globalSecured = Array.isArray(spec.security) && spec.security.length > 0;
  const samples: OperationSample[] = [];
  const paths = isObject(spec.paths) ? spec.paths : {};
  for (const [template, item] of Object.entries(paths)) {
    if (!isObject(item)) continue;
    for (const method of ["get", "put", "post", "delete", "patch"] as const) {
      const op = item[method];
      if (!isObject(op) || typeof op.operationId !== "string") continue;
      const operationId = op.operationId;
      const secured = Array.isArray(op.security) ? op.security.length > 0 : globalSecured;
      samples.push({
        operationId,
        method: method.toUpperCase() as HttpMethod,
        template,
        secured,
        build: (sandboxId) => ({
          path: template
            .replace("{sandboxId}", sandboxId)
            .replace("{tenantId}", "conformance-no-tenant")
            .replace("{keyId}", "key_conformancenokey")
            .replace("{version}", "1")
            .replace("{snapshotId}", "snp_conformancenosnapshot"),
          options: requestParts[operationId] ?? { query: { path: "/" } },
        }),
      });
    }
  }
  return samples;
}

/** A well-formed sandbox id that names no sandbox. */
export function missingSandboxId(): string {
  return `sbx_missing${Math.random()
    .toString(36)
    .slice(2, 12)
    .replace(/[^a-z0-9]/g, "")}`;
}
