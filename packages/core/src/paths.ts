/** Path rules for sandbox paths: absolute, normalized, bounded. */
import { FsError } from "./errors.js";

export const MAX_PATH_BYTES = 4096;
export const MAX_NAME_BYTES = 255;
/** Directories a path may nest: deep enough for any real tree, shallow enough to bound a walk. */
export const MAX_PATH_DEPTH = 256;

const encoder = new TextEncoder();

/**
 * Normalizes an absolute sandbox path: collapses repeated slashes, drops `.`
 * and a trailing slash. Rejects relative paths, `..`, NUL and over-long names
 * (the API refuses `..` instead of resolving it, so a path means what it says).
 *
 * @example normalizePath("//a///b/./c/") // "/a/b/c"
 */
export function normalizePath(input: string, syscall = "open"): string {
  if (!input.startsWith("/")) throw new FsError("EINVAL", syscall, input, "path must be absolute");
  if (input.includes("\0")) throw new FsError("EINVAL", syscall, input, "path contains NUL");
  if (encoder.encode(input).length > MAX_PATH_BYTES) {
    throw new FsError("ENAMETOOLONG", syscall, input.slice(0, 64), "path too long");
  }
  const names: string[] = [];
  for (const name of input.split("/")) {
    if (name === "" || name === ".") continue;
    if (name === "..") throw new FsError("EINVAL", syscall, input, "'..' is not allowed");
    checkName(name, syscall, input);
    names.push(name);
  }
  if (names.length > MAX_PATH_DEPTH) {
    throw new FsError("ENAMETOOLONG", syscall, input.slice(0, 64), "path nested too deep");
  }
  return `/${names.join("/")}`;
}

/** Validates one path segment. */
export function checkName(name: string, syscall: string, path: string): void {
  // A UTF-16 unit is at most 3 UTF-8 bytes, so short names need no encoding.
  if (name.length * 3 > MAX_NAME_BYTES && encoder.encode(name).length > MAX_NAME_BYTES) {
    throw new FsError("ENAMETOOLONG", syscall, path.slice(0, 64), "file name too long");
  }
}

/**
 * Resolves `path` against `base` the way a shell does (`..` allowed here:
 * scripts may use it and it cannot climb above `/`).
 */
export function resolvePath(base: string, path: string): string {
  if (isNormalized(path)) return path;
  const joined = path.startsWith("/") ? path : `${base}/${path}`;
  const names: string[] = [];
  for (const name of joined.split("/")) {
    if (name === "" || name === ".") continue;
    if (name === "..") names.pop();
    else names.push(name);
  }
  return `/${names.join("/")}`;
}

/** Absolute, no empty, `.` or `..` segments, no trailing slash: already what resolvePath returns. */
function isNormalized(path: string): boolean {
  return (
    path === "/" || (path.startsWith("/") && !path.endsWith("/") && !/\/\.{0,2}(?:\/|$)/.test(path))
  );
}

/** Splits a normalized path into its names (`/` → `[]`). */
export function splitPath(path: string): string[] {
  return path === "/" ? [] : path.slice(1).split("/");
}

export function dirname(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? "/" : path.slice(0, i);
}

export function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

export function joinPath(dir: string, name: string): string {
  return dir === "/" ? `/${name}` : `${dir}/${name}`;
}

/** Orders names by Unicode code point (JS `<` compares UTF-16 units, which differs above U+FFFF). */
export function compareNames(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca !== cb) return codePointRank(ca) - codePointRank(cb);
  }
  return a.length - b.length;
}

// Surrogates (astral code points) sort after U+E000..U+FFFF in code point order.
function codePointRank(unit: number): number {
  return unit >= 0xe000 ? unit - 0x800 : unit >= 0xd800 ? unit + 0x2000 : unit;
}
