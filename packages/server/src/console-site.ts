/** The web console's built files, served at `/`: hashed assets cached for good, index.html never. */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join, relative, sep } from "node:path";
import { gzipSync } from "node:zlib";
import type { Context } from "hono";

/**
 * The console's page may load only its own scripts and styles and talk only to its own origin;
 * images come from blob: URLs the console makes from file bytes. Nothing inline, nothing framed.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".txt": "text/plain; charset=utf-8",
  ".woff2": "font/woff2",
};

interface SiteFile {
  body: Uint8Array<ArrayBuffer>;
  gzip: Uint8Array<ArrayBuffer> | undefined;
  type: string;
  /** Content-hashed by the build (under `assets/`): safe to cache forever. */
  immutable: boolean;
}

/** A built single-page app held in memory (a console build is a few hundred KiB). */
export interface ConsoleSite {
  files: ReadonlyMap<string, SiteFile>;
}

/**
 * Reads a built console (`apps/console/dist`: `index.html` plus hashed `assets/`) once, at
 * startup, and gzips what is worth it.
 *
 * @example createApp({ backend, apiKey, console: loadConsoleSite("apps/console/dist") })
 */
export function loadConsoleSite(dir: string): ConsoleSite {
  const files = new Map<string, SiteFile>();
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const path = join(at, name);
      if (statSync(path).isDirectory()) {
        walk(path);
        continue;
      }
      const urlPath = `/${relative(dir, path).split(sep).join("/")}`;
      const body = new Uint8Array(readFileSync(path));
      const type = TYPES[extname(name)] ?? "application/octet-stream";
      const compressible = /^(text\/|application\/json|image\/svg)/.test(type) && body.length > 512;
      files.set(urlPath, {
        body,
        gzip: compressible ? new Uint8Array(gzipSync(body, { level: 9 })) : undefined,
        type,
        immutable: urlPath.startsWith("/assets/"),
      });
    }
  };
  walk(dir);
  if (!files.has("/index.html")) throw new Error(`no index.html in the console build at ${dir}`);
  return { files };
}

/** Paths the console never answers, whatever route another part of the server adds later (a
 * scraper pointed at the API port gets a 404, not the console). */
const API_PREFIXES = ["/v1", "/mcp", "/metrics", "/docs"];

/**
 * Answers a GET or HEAD that no API route took: a built file, or index.html for the app's own
 * routes (`/sandboxes/sbx_...`). Undefined for everything else, which stays a 404 problem.
 */
export function consoleResponse(site: ConsoleSite, c: Context): Response | undefined {
  const method = c.req.method;
  if (method !== "GET" && method !== "HEAD") return undefined;
  const path = c.req.path;
  if (API_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`))) {
    return undefined;
  }
  let file = site.files.get(path);
  if (!file) {
    // A missing asset is a real 404 (a stale page asking for an old hash), not the app.
    if (path.startsWith("/assets/") || extname(path) !== "") return undefined;
    file = site.files.get("/index.html");
  }
  if (!file) return undefined;
  const headers = new Headers({
    "Content-Type": file.type,
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": file.immutable ? "public, max-age=31536000, immutable" : "no-cache",
    "Referrer-Policy": "no-referrer",
  });
  if (file.type.startsWith("text/html")) {
    headers.set("Content-Security-Policy", CONSOLE_CSP);
    headers.set("X-Frame-Options", "DENY");
  }
  const gzip = file.gzip && /\bgzip\b/.test(c.req.header("accept-encoding") ?? "");
  const body = gzip && file.gzip ? file.gzip : file.body;
  if (file.gzip) headers.set("Vary", "Accept-Encoding");
  if (gzip) headers.set("Content-Encoding", "gzip");
  headers.set("Content-Length", String(body.length));
  return new Response(method === "HEAD" ? null : body, { status: 200, headers });
}
