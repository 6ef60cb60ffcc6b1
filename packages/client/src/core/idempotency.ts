/** Idempotency keys: one per mutating call, reused on its retries, so a retry replays rather than re-applies. */

export const IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";
/** The mutating methods: every request the client makes with one of these carries a key. */
const KEYED_METHODS = new Set(["POST", "PATCH", "PUT", "DELETE"]);

/**
 * Gives `request` an `Idempotency-Key`: `key` when the caller chose one, else the header the
 * caller set, else (for a mutating method, when `generate`) a new random one. Called once per
 * call, before the first attempt; every retry sends a copy of the same request, so the same key.
 *
 * @example
 * markIdempotent(request, undefined, true); // POST: Idempotency-Key: 0b6c1a5e-...; GET: unchanged
 */
export function markIdempotent(request: Request, key: string | undefined, generate: boolean): void {
  if (key !== undefined) request.headers.set(IDEMPOTENCY_KEY_HEADER, key);
  else if (
    generate &&
    KEYED_METHODS.has(request.method) &&
    !request.headers.has(IDEMPOTENCY_KEY_HEADER)
  ) {
    request.headers.set(IDEMPOTENCY_KEY_HEADER, newIdempotencyKey());
  }
}

/**
 * A random UUID v4. `crypto.randomUUID()` exists in Node ≥ 19, Deno, Bun, edge runtimes and
 * browsers, but browsers only expose it in secure contexts (https, localhost); elsewhere the
 * UUID is built from `crypto.getRandomValues()`, which they always expose.
 *
 * @example newIdempotencyKey() // "3b241101-e2bb-4255-8caf-4136c566a962"
 */
export function newIdempotencyKey(): string {
  const { crypto } = globalThis;
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40; // version 4
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80; // variant 10
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
