/** Media-type parsing and matching against the spec's declared content types. */

/** `application/json; charset=utf-8` → `application/json`. */
export function essence(contentType: string): string {
  return (contentType.split(";")[0] ?? "").trim().toLowerCase();
}

/** Whether a concrete media type matches a declared one (which may be `*\/*` or `type/*`). */
export function mediaTypeMatches(declared: string, actual: string): boolean {
  const want = essence(declared);
  if (want === "*/*" || want === actual) return true;
  return want.endsWith("/*") && actual.startsWith(want.slice(0, -1));
}

/** Whether a media type carries JSON (`application/json` or any `+json` suffix). */
export function isJsonMediaType(mediaType: string): boolean {
  return mediaType === "application/json" || mediaType.endsWith("+json");
}
