/** Headers for bytes handed out as downloads: never sniffed, never rendered as the API's own page. */
import type { Context } from "hono";

/**
 * Types a browser shows without running anything, by file extension: what `inline=true` may
 * serve as itself. SVG and HTML are not here: both can carry script.
 */
const INLINE_TYPES: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  avif: "image/avif",
  bmp: "image/bmp",
  ico: "image/x-icon",
  txt: "text/plain; charset=utf-8",
};

/** The type to show `path` inline as, or undefined when it is not safe to. */
export function inlineTypeOf(path: string): string | undefined {
  const name = baseName(path);
  const dot = name.lastIndexOf(".");
  return dot <= 0 ? undefined : INLINE_TYPES[name.slice(dot + 1).toLowerCase()];
}

/**
 * Marks a response as a download of `path`: `nosniff` so a browser never guesses HTML or script
 * from the bytes, `attachment` so it saves rather than renders them (`inline` only when asked
 * for and the type is safe), and `CSP: sandbox` so that, if it renders them anyway, the page
 * has no origin, scripts or forms. Returns the Content-Type to send.
 */
export function setDownloadHeaders(
  c: Context,
  path: string,
  fallbackName: string,
  options: { inline?: boolean; type?: string } = {},
): string {
  c.header("X-Content-Type-Options", "nosniff");
  c.header("Content-Security-Policy", "sandbox");
  const inlineType = options.inline ? inlineTypeOf(path) : undefined;
  const disposition = inlineType ? "inline" : "attachment";
  c.header("Content-Disposition", contentDisposition(baseName(path) || fallbackName, disposition));
  const type = inlineType ?? options.type ?? "application/octet-stream";
  c.header("Content-Type", type);
  return type;
}

function baseName(path: string): string {
  return path.split("/").filter(Boolean).pop() ?? "";
}

/** RFC 6266: an ASCII `filename` (unsafe characters replaced) and the exact name as `filename*`. */
export function contentDisposition(
  name: string,
  disposition: "attachment" | "inline" = "attachment",
): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%;]/g, "_");
  return `${disposition}; filename="${ascii}"; filename*=UTF-8''${encodeRFC5987(name)}`;
}

function encodeRFC5987(value: string): string {
  return encodeURIComponent(value).replace(
    /['()*]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
