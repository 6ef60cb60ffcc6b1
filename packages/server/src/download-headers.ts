/** Headers for bytes handed out as downloads: never sniffed, never rendered as the API's own page. */
import type { Context } from "hono";

/**
 * Marks a response as a download of `path`: `nosniff` so a browser never guesses HTML or script
 * from the bytes, `attachment` so it saves rather than renders them, and `CSP: sandbox` so that,
 * if it renders them anyway, the page has no origin, scripts or forms.
 */
export function setDownloadHeaders(c: Context, path: string, fallbackName: string): void {
  c.header("X-Content-Type-Options", "nosniff");
  c.header("Content-Security-Policy", "sandbox");
  c.header("Content-Disposition", contentDisposition(baseName(path) || fallbackName));
}

function baseName(path: string): string {
  return path.split("/").filter(Boolean).pop() ?? "";
}

/** RFC 6266: an ASCII `filename` (unsafe characters replaced) and the exact name as `filename*`. */
export function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%;]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeRFC5987(name)}`;
}

function encodeRFC5987(value: string): string {
  return encodeURIComponent(value).replace(
    /['()*]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
