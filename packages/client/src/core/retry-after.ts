/** Parsing of the `Retry-After` header (RFC 9110 §10.2.3): delay-seconds or an HTTP-date. */

/**
 * Seconds to wait according to a `Retry-After` value, or `undefined` when it is absent
 * or unreadable. A date in the past gives 0.
 *
 * @example parseRetryAfter("2") // 2
 * @example parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", Date.parse("2015-10-21T07:27:30Z")) // 30
 */
export function parseRetryAfter(
  value: string | null | undefined,
  now = Date.now(),
): number | undefined {
  if (value == null) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  // An HTTP-date names its day and month; without that, Date.parse would accept "-1" or "1.5".
  const at = /[a-z]{3}/i.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, (at - now) / 1000);
}
