/** Small type guards and JSON Pointer helpers for walking the OpenAPI document. */

export type JsonObject = { readonly [key: string]: unknown };

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Escapes one JSON Pointer token (RFC 6901). */
export function escapeToken(token: string): string {
  return token.replace(/~/g, "~0").replace(/\//g, "~1");
}

/** Joins tokens into a JSON Pointer, e.g. `["paths", "/v1/health"]` → `/paths/~1v1~1health`. */
export function pointer(tokens: readonly string[]): string {
  return tokens.map((t) => `/${escapeToken(t)}`).join("");
}

/** The value at a JSON Pointer, or undefined. */
export function getAt(root: unknown, ptr: string): unknown {
  if (ptr === "") return root;
  let node: unknown = root;
  for (const raw of ptr.slice(1).split("/")) {
    const token = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (!isObject(node)) return undefined;
    node = node[token];
  }
  return node;
}

/** Follows local `$ref`s (`#/...`), returning the target and its pointer. */
export function deref(root: unknown, ptr: string): { value: unknown; ptr: string } {
  let current = { value: getAt(root, ptr), ptr };
  for (let hops = 0; hops < 32; hops++) {
    const ref = isObject(current.value) ? current.value.$ref : undefined;
    if (typeof ref !== "string" || !ref.startsWith("#")) return current;
    const target = decodeURIComponent(ref.slice(1));
    current = { value: getAt(root, target), ptr: target };
  }
  throw new Error(`$ref chain too deep at ${ptr}`);
}
