/** The error thrown when a response does not conform to the spec. */

export class SpecViolationError extends Error {
  override readonly name = "SpecViolationError";
  readonly violations: readonly string[];

  constructor(request: string, violations: readonly string[], bodyPreview?: string) {
    const lines = violations.map((v) => `  - ${v}`).join("\n");
    const body = bodyPreview ? `\n  body: ${bodyPreview}` : "";
    super(`response does not conform to the spec: ${request}\n${lines}${body}`);
    this.violations = violations;
  }
}

/** The first bytes of a body as text, for error messages. */
export function preview(bytes: Uint8Array, max = 300): string {
  const text = new TextDecoder().decode(bytes.subarray(0, max));
  return bytes.byteLength > max ? `${text}…` : text;
}
