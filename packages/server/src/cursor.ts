/** Page cursors: opaque to clients, checked on the way back in. */
import { ProblemError } from "./problem.js";

/** Cursors are opaque to clients: the backend's position, base64url-wrapped. */
export function encodeCursor(position: string): string {
  return Buffer.from(position, "utf8").toString("base64url");
}

/** The position in a cursor this server made; anything else is a 400. */
export function decodeCursor(cursor: string): string {
  const position = Buffer.from(cursor, "base64url").toString("utf8");
  if (!/^[A-Za-z0-9_-]+$/.test(cursor) || encodeCursor(position) !== cursor) {
    throw new ProblemError(
      400,
      "invalid_request",
      "malformed cursor; pass a nextCursor from a previous page",
    );
  }
  return position;
}
