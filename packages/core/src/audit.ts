/** The audit log's event: what the server records per request and storage keeps. */
export interface AuditEvent {
  time: string;
  requestId: string;
  /** The stored key's id; null for a JWT, the static key or an unauthenticated request. */
  keyId: string | null;
  tenantId: string | null;
  /** How the caller authenticated (`none`: not at all, or not successfully). */
  credential: string;
  /** The spec's operationId, e.g. `execScript`; `unknown` for a path the spec does not have. */
  operation: string;
  method: string;
  sandboxId: string | null;
  /** The `path` query parameter, when the operation has one. */
  path: string | null;
  status: number;
  /** The problem's code for an error answer. */
  code: string | null;
  durationMs: number;
}
